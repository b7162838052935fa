import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adjointGeometry, LimitError, tensor } from '@tconv/core';
import { referenceConv, referenceConvTranspose } from '@tconv/backend-cpu';
import {
  convolutionMatrix,
  countNonzeros,
  MAX_NONZEROS,
  prepareSparseConv,
  prepareSparseConvTranspose,
  sparseBackend,
} from '@tconv/backend-sparse';
import { problemArb, randomData, resolveProblem } from '@tconv/testing';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
};

describe('the documents matrices', () => {
  it('d2l 13.10.3: a 3×3 input and the kernel [[1, 2], [3, 4]] give the printed 4×9 W', () => {
    const W = convolutionMatrix([1, 1, 3, 3], tensor(new Float64Array([1, 2, 3, 4]), [1, 1, 2, 2]));
    expect([W.rows, W.cols, W.nnz]).toEqual([4, 9, 16]);
    expect(W.toDense()).toEqual([
      [1, 2, 0, 3, 4, 0, 0, 0, 0],
      [0, 1, 2, 0, 3, 4, 0, 0, 0],
      [0, 0, 0, 1, 2, 0, 3, 4, 0],
      [0, 0, 0, 0, 1, 2, 0, 3, 4],
    ]);
  });

  it('d2l 13.10.3: W·vec(X) = corr2d(X, K) = [[27, 37], [57, 67]] and Wᵀ·vec(Y) = trans_conv(Y, K)', () => {
    const K = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const W = convolutionMatrix([1, 3, 3], K);
    const Y = W.multiply(Float32Array.from({ length: 9 }, (_, i) => i));
    expect(Array.from(Y)).toEqual([27, 37, 57, 67]);
    const Z = W.transpose().multiply(Y);
    expect(Array.from(Z)).toEqual(Array.from(referenceConvTranspose(tensor(Y, [1, 1, 2, 2]), K).data));
  });

  it('TDS "Understand Transposed Convolutions": a 4×4 input and a 3×3 kernel give the 4×16 zero-padded matrix', () => {
    const k = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const W = convolutionMatrix([1, 4, 4], tensor(k, [1, 1, 3, 3]));
    expect([W.rows, W.cols, W.nnz]).toEqual([4, 16, 36]);
    const dense = W.toDense();
    // row (i, j) of the 2×2 output holds kernel row a at columns (i + a)·4 + j .. + 2, zeros elsewhere
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const expected = new Array<number>(16).fill(0);
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expected[(i + a) * 4 + j + b] = k[a * 3 + b]!;
        expect(dense[i * 2 + j]).toEqual(expected);
      }
    }
  });
});

describe('W and Wᵀ against the definitions on random geometries', () => {
  it('Wᵀ·x equals the reference transposed convolution; W·x the reference convolution; adjoint identity', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const g = resolveProblem(p);
        if (!g) return;
        const x = tensor(randomData(size(p.inputShape), p.seed, 'float64'), p.inputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
        const options = p.options.bias
          ? { ...p.options, bias: Float64Array.from(p.options.bias as number[]) }
          : p.options;
        const y = sparseBackend.convTranspose(x, w, options);
        close(y.data, referenceConvTranspose(x, w, options).data);
        expect(y.shape).toEqual(g.outputShape);

        const end = g.padEnd.map((v, a) => v - g.outputPadding[a]!);
        if (g.padBegin.some((v) => v < 0) || end.some((v) => v < 0)) return;
        const convOptions = {
          stride: g.stride,
          dilation: g.dilation,
          groups: g.groups,
          padding: { begin: g.padBegin, end },
        };
        const u = tensor(randomData(size(g.outputShape), p.seed + 2, 'float64'), g.outputShape);
        const c = sparseBackend.conv(u, w, convOptions);
        close(c.data, referenceConv(u, w, convOptions).data);
        // ⟨W·u, x⟩ = ⟨u, Wᵀ·x⟩ with the bias left out
        const { bias: _b, ...noBias } = p.options;
        const t = sparseBackend.convTranspose(x, w, noBias);
        let lhs = 0;
        let rhs = 0;
        for (let i = 0; i < c.data.length; i++) lhs += c.data[i]! * x.data[i]!;
        for (let i = 0; i < t.data.length; i++) rhs += u.data[i]! * t.data[i]!;
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(lhs)));
      }),
      { numRuns: 200 },
    );
  });

  it('the matrix of the transposed convolution (its columns: responses to unit inputs) is Wᵀ', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const { bias: _b, ...options } = p.options;
        const g = resolveProblem(p, options, [1, ...p.inputShape.slice(1)]);
        if (!g) return;
        const inItem = size(g.inputShape);
        const outItem = size(g.outputShape);
        fc.pre(inItem * outItem <= 4096);
        const w = tensor(randomData(size(p.weightShape), p.seed, 'float64'), p.weightShape);
        const op = prepareSparseConvTranspose(g.inputShape, w, options);
        const Wt = op.matrix.transpose().toDense(); // outItem × inItem
        for (let j = 0; j < inItem; j++) {
          const unit = new Float64Array(inItem);
          unit[j] = 1;
          const column = referenceConvTranspose(tensor(unit, g.inputShape), w, options).data;
          for (let i = 0; i < outItem; i++) expect(Wt[i]![j]).toBe(column[i]);
        }
        expect(op.matrix.nnz).toBe(countNonzeros(adjointGeometry(g)));
      }),
      { numRuns: 150 },
    );
  });

  it('a prepared operator applies to many inputs and any batch size', () => {
    const w = tensor(randomData(4 * 3 * 3 * 3, 1), [4, 3, 3, 3]);
    const op = prepareSparseConvTranspose([1, 4, 5, 5], w, { stride: 2, padding: 1, outputPadding: 1 });
    for (const batch of [1, 3]) {
      const x = tensor(randomData(batch * 4 * 25, batch), [batch, 4, 5, 5]);
      const y = op.apply(x);
      const ref = referenceConvTranspose(x, w, { stride: 2, padding: 1, outputPadding: 1 });
      expect(y.shape).toEqual([batch, 3, 10, 10]);
      close(y.data, ref.data, 1e-5);
    }
    const conv = prepareSparseConv([2, 1, 6, 6], tensor(randomData(36, 3), [4, 1, 3, 3]));
    expect(() => conv.apply(tensor(randomData(2 * 3 * 36, 5), [2, 3, 6, 6]))).toThrow(
      /must be \[N, 1, 6, 6\]/,
    );
  });
});

describe('errors', () => {
  it('toDense refuses matrices not meant to be printed', () => {
    const W = convolutionMatrix([1, 1, 64, 64], tensor(new Float32Array(9), [1, 1, 3, 3]));
    expect(() => W.toDense()).toThrow(LimitError);
    expect(() => W.toDense()).toThrow(/at most 65536 cells, but this matrix is 3844×4096/);
  });

  it('estimates nonzeros before building and rejects operators over the limit', () => {
    const w = tensor(new Float32Array(64 * 64 * 81), [64, 64, 9, 9]);
    expect(() =>
      sparseBackend.convTranspose(tensor(new Float32Array(64 * 64 * 64), [1, 64, 64, 64]), w),
    ).toThrow(new RegExp(`more than the limit of ${MAX_NONZEROS}`));
  });

  it('multiply checks the vector length; the backend rejects invalid options like every backend', () => {
    const W = convolutionMatrix([1, 3, 3], tensor([1, 2, 3, 4], [1, 1, 2, 2]));
    expect(() => W.multiply(new Float32Array(4))).toThrow(/vector has 4 elements but a 4×9 matrix needs 9/);
    const x = tensor(new Float32Array(4), [1, 1, 2, 2]);
    expect(() => sparseBackend.convTranspose(x, x, { stride: 2, outputPadding: 3 })).toThrow(
      /smaller than either stride/,
    );
    expect(() => sparseBackend.convTranspose({ shape: [1, 1, 2, 2], data: new Float32Array(2) }, x)).toThrow(
      /needs 4/,
    );
    expect(() => sparseBackend.convTranspose(x, tensor(new Float64Array(4), [1, 1, 2, 2]))).toThrow(
      /float64 but input is float32/,
    );
  });
});
