import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adjointGeometry,
  biasGradient,
  DTypeError,
  prepareConvBackward,
  prepareConvTransposeBackward,
  resolveConv,
  resolveConvTranspose,
  ShapeError,
  tensor,
} from '@tconv/core';

const axisArb = fc.record({
  n: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 3 }),
  padding: fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    fc.constantFrom('valid', 'same', 'same-upper', 'same-lower'),
  ),
  opSeed: fc.nat(),
});

/** The (input, output) position pairs the rule o = i*s + k*d - padBegin connects on one axis. */
function pairs(n: number, L: number, k: number, s: number, d: number, pb: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < k; j++) {
      const o = i * s + j * d - pb;
      if (o >= 0 && o < L) out.push(`${i}:${j}:${o}`);
    }
  return out;
}

describe('adjointGeometry', () => {
  it('the adjoint of a transposed convolution is a convolution connecting the same positions', () => {
    fc.assert(
      fc.property(axisArb, ({ n, k, s, d, padding, opSeed }) => {
        const op = opSeed % Math.max(s, d);
        const pad = Array.isArray(padding) ? { begin: [padding[0]], end: [padding[1]] } : padding;
        let g: ReturnType<typeof resolveConvTranspose>;
        try {
          g = resolveConvTranspose([2, 3, n], [3, 2, k], {
            stride: s,
            dilation: d,
            padding: pad as never,
            outputPadding: op,
          });
        } catch {
          return;
        }
        const c = adjointGeometry(g);
        expect(c.kind).toBe('conv');
        expect(c.inputShape).toEqual(g.outputShape);
        expect(c.outputShape).toEqual(g.inputShape);
        expect(c.weightShape).toEqual(g.weightShape);
        expect([c.inChannels, c.outChannels]).toEqual([g.outChannels, g.inChannels]);
        // the convolution's own size rule gives back the transposed input size
        const L = g.outputSize[0]!;
        const kd = d * (k - 1) + 1;
        expect(Math.floor((L + c.padBegin[0]! + c.padEnd[0]! - kd) / s) + 1).toBe(n);
        // where the pads are ones a user could write, core resolves the same convolution
        if (c.padBegin[0]! >= 0 && c.padEnd[0]! >= 0) {
          const r = resolveConv(c.inputShape, c.weightShape, {
            stride: s,
            dilation: d,
            padding: { begin: [...c.padBegin], end: [...c.padEnd] },
          });
          expect(r).toEqual(c);
        }
        // and the round trip is the identity on the connected pairs
        const back = adjointGeometry(c);
        expect(back.outputSize).toEqual(g.outputSize);
        expect(pairs(n, L, k, s, d, g.padBegin[0]!)).toEqual(
          pairs(back.inputSize[0]!, back.outputSize[0]!, k, s, d, back.padBegin[0]!),
        );
      }),
      { seed: 1301, numRuns: 400 },
    );
  });

  it('the adjoint of a convolution is a transposed convolution back to the input size', () => {
    fc.assert(
      fc.property(axisArb, ({ n, k, s, d, padding }) => {
        const pad = Array.isArray(padding) ? { begin: [padding[0]], end: [padding[1]] } : padding;
        if (pad === 'same-upper' || pad === 'same-lower') return;
        let g: ReturnType<typeof resolveConv>;
        try {
          g = resolveConv([1, 4, n], [2, 2, k], { stride: s, dilation: d, padding: pad as never, groups: 2 });
        } catch {
          return;
        }
        const t = adjointGeometry(g);
        expect(t.kind).toBe('convTranspose');
        expect(t.outputShape).toEqual(g.inputShape);
        const r = resolveConvTranspose(t.inputShape, t.weightShape, {
          stride: s,
          dilation: d,
          groups: 2,
          padding: { begin: [...t.padBegin], end: [...t.padEnd] },
          outputPadding: [...t.outputPadding],
        });
        expect(r).toEqual(t);
      }),
      { seed: 1302, numRuns: 400 },
    );
  });
});

describe('backward call validation', () => {
  const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
  const w = tensor([1, 2, 3, 4], [1, 1, 2, 2]);

  it('accepts gradOutput of the forward output shape and returns the forward geometry', () => {
    const gy = tensor(new Array(9).fill(1), [1, 1, 3, 3]);
    expect(prepareConvTransposeBackward(gy, x, w).geometry.outputShape).toEqual([1, 1, 3, 3]);
    const gc = tensor([1], [1, 1, 1, 1]);
    expect(prepareConvBackward(gc, x, w).geometry.outputShape).toEqual([1, 1, 1, 1]);
  });

  it('rejects a gradOutput of another shape, naming gradOutput and both shapes', () => {
    const bad = tensor(new Array(8).fill(1), [1, 1, 2, 4]);
    expect(() => prepareConvTransposeBackward(bad, x, w)).toThrow(ShapeError);
    expect(() => prepareConvTransposeBackward(bad, x, w)).toThrow(
      "gradOutput must have the forward output's shape [1, 1, 3, 3], but got [1, 1, 2, 4]",
    );
    expect(() => prepareConvBackward(bad, x, w)).toThrow(/gradOutput/);
  });

  it('rejects a gradOutput of another float type and a non-tensor gradOutput', () => {
    const gy64 = tensor(new Float64Array(9), [1, 1, 3, 3]);
    expect(() => prepareConvTransposeBackward(gy64, x, w)).toThrow(DTypeError);
    expect(() => prepareConvTransposeBackward(gy64, x, w)).toThrow(
      /gradOutput is float64 but input is float32/,
    );
    expect(() => prepareConvTransposeBackward(null as never, x, w)).toThrow(/gradOutput must be a tensor/);
  });

  it('validates the forward call first (the same errors as the forward)', () => {
    const gy = tensor(new Array(9).fill(1), [1, 1, 3, 3]);
    expect(() => prepareConvTransposeBackward(gy, x, w, { stride: 0 })).toThrow(/stride/);
  });
});

describe('biasGradient', () => {
  it('sums gradOutput over the batch and spatial axes per output channel', () => {
    const g = resolveConvTranspose([2, 1, 1], [1, 2, 2], {});
    // gradOutput [2, 2, 2]: batch 0 channel 0 = [1, 2], channel 1 = [3, 4]; batch 1 = [5, 6], [7, 8]
    const sums = biasGradient(g, Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(Array.from(sums)).toEqual([1 + 2 + 5 + 6, 3 + 4 + 7 + 8]);
    expect(sums).toBeInstanceOf(Float64Array);
    expect(biasGradient(g, new Float32Array(8))).toBeInstanceOf(Float32Array);
  });
});
