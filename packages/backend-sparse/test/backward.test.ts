import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convTransposeOutputShape, resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { prepareSparseConv, prepareSparseConvTranspose, sparseBackend } from '@tconv/backend-sparse';
import { problemArb, randomData } from '@tconv/testing';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

describe('d2l 13.10.3 literally: the gradients use the same matrix W', () => {
  const K = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
  const G = tensor(
    Float32Array.from({ length: 9 }, (_, i) => i),
    [1, 1, 3, 3],
  );

  it('transposed convolution y = Wᵀ·x: ∂x = W·gradOutput, which is the convolution corr2d(G, K)', () => {
    const up = prepareSparseConvTranspose([1, 1, 2, 2], K);
    const y = tensor([27, 37, 57, 67], [1, 1, 2, 2]);
    const d = up.backward(G, y);
    expect(Array.from(d.input.data)).toEqual(Array.from(up.matrix.multiply(G.data)));
    expect(Array.from(d.input.data)).toEqual([27, 37, 57, 67]); // d2l's Y = corr2d(arange(9), K)
    // each nonzero holds one tap: ∂w_k = Σ_(nonzeros with tap k) x_row · gy_col
    expect(Array.from(up.matrix.weightIndex)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(Array.from(d.weight.data)).toEqual([476, 664, 1040, 1228]);
    expect(Array.from(d.bias.data)).toEqual([36]);
  });

  it('convolution y = W·x: ∂x = Wᵀ·gradOutput; a one-hot gradOutput picks W’s row', () => {
    const conv = prepareSparseConv([1, 1, 3, 3], K);
    const d = conv.backward(tensor([1, 0, 0, 0], [1, 1, 2, 2]), G);
    expect(Array.from(d.input.data)).toEqual(conv.matrix.toDense()[0]);
    expect(Array.from(d.weight.data)).toEqual([0, 1, 3, 4]); // x at the four positions row 0 reads
  });

  it('rejects a gradOutput of the wrong shape, naming gradOutput', () => {
    const up = prepareSparseConvTranspose([1, 1, 2, 2], K);
    expect(() =>
      up.backward(tensor(new Float32Array(4), [1, 1, 2, 2]), tensor(new Float32Array(4), [1, 1, 2, 2])),
    ).toThrow(/gradOutput/);
  });
});

describe('sparseBackend gradients = cpuBackend gradients', () => {
  it('random geometries of rank 1–3, every option (float64)', () => {
    let ran = 0;
    fc.assert(
      fc.property(problemArb, (p) => {
        try {
          resolveConvTranspose(p.inputShape, p.weightShape, p.options);
        } catch {
          return;
        }
        const ys = convTransposeOutputShape(p.inputShape, p.weightShape, p.options);
        if (size(ys) > 4000) return;
        const x = tensor(randomData(size(p.inputShape), p.seed, 'float64'), p.inputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
        const gy = tensor(randomData(size(ys), p.seed + 2, 'float64'), ys);
        const a = sparseBackend.convTransposeBackward(gy, x, w, p.options);
        const b = cpuBackend.convTransposeBackward(gy, x, w, p.options);
        for (const k of ['input', 'weight', 'bias'] as const) {
          expect(a[k].shape).toEqual(b[k].shape);
          a[k].data.forEach((v, i) => expect(Math.abs(v - b[k].data[i]!)).toBeLessThan(1e-11));
        }
        ran++;
      }),
      { numRuns: 60, seed: 16 },
    );
    expect(ran).toBeGreaterThan(20);
  });
});
