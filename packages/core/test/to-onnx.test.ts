import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeGeometry, ConvTransposeOptions, Padding } from '@tconv/core';
import { fromOnnx, resolveConvTranspose, toOnnx } from '@tconv/core';

/** What decides the result: the output shape and, per axis, the crop at each end net of output padding. */
function effect(g: ConvTransposeGeometry) {
  return {
    outputShape: g.outputShape,
    stride: g.stride,
    dilation: g.dilation,
    groups: g.groups,
    padBegin: g.padBegin,
    netEnd: g.padEnd.map((p, a) => p - g.outputPadding[a]!),
  };
}

const axisArb = fc.record({
  n: fc.integer({ min: 1, max: 7 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 3 }),
  pb: fc.integer({ min: 0, max: 3 }),
  pe: fc.integer({ min: 0, max: 3 }),
  op: fc.nat(),
  size: fc.nat(),
});

const problemArb = fc.record({
  axes: fc.array(axisArb, { minLength: 1, maxLength: 3 }),
  kind: fc.constantFrom('number', 'begin-end', 'valid', 'same', 'same-upper', 'same-lower'),
  withOutputPadding: fc.boolean(),
  withOutputSize: fc.boolean(),
  groups: fc.constantFrom(1, 2),
});

type Problem = typeof problemArb extends fc.Arbitrary<infer T> ? T : never;

/** Options from a random problem; `outputSize` chosen inside each convention's reachable range. */
function build(p: Problem): { x: number[]; w: number[]; options: ConvTransposeOptions } {
  const { axes, kind, groups } = p;
  const padding: Padding =
    kind === 'number'
      ? axes.map((a) => a.pb)
      : kind === 'begin-end'
        ? { begin: axes.map((a) => a.pb), end: axes.map((a) => a.pe) }
        : (kind as Padding);
  const options: ConvTransposeOptions = {
    stride: axes.map((a) => a.s),
    dilation: axes.map((a) => a.d),
    groups,
    padding,
  };
  if (p.withOutputPadding) options.outputPadding = axes.map((a) => a.op % Math.max(a.s, a.d));
  if (p.withOutputSize) {
    options.outputSize = axes.map((a) => {
      const kd = a.d * (a.k - 1) + 1;
      const full = (a.n - 1) * a.s + kd;
      if (kind === 'same') return (a.n - 1) * a.s + 1 + (a.size % a.s);
      if (kind === 'valid') return full + (a.size % a.s);
      if (kind === 'number') return full - 2 * a.pb + (a.size % a.s);
      if (kind === 'begin-end') return full - a.pb - a.pe + (a.size % a.s);
      return 1 + (a.size % (full + 2 * a.s));
    });
  }
  return {
    x: [1, 2 * groups, ...axes.map((a) => a.n)],
    w: [2 * groups, 3, ...axes.map((a) => a.k)],
    options,
  };
}

describe('toOnnx is the inverse of fromOnnx', () => {
  it('fromOnnx(toOnnx(options)) resolves to the same geometry, for every convention', () => {
    let checked = 0;
    fc.assert(
      fc.property(problemArb, (p) => {
        const { x, w, options } = build(p);
        let g: ConvTransposeGeometry;
        try {
          g = resolveConvTranspose(x, w, options);
        } catch {
          return; // invalid combinations are the error tests' business
        }
        checked++;
        const attributes = toOnnx(options, x, w);
        const back = resolveConvTranspose(x, w, fromOnnx(attributes, x, w));
        expect(effect(back)).toEqual(effect(g));
        // padding words stay ONNX words, so an engine's own auto_pad logic is exercised
        if (options.padding === 'same-upper') expect(attributes.auto_pad).toBe('SAME_UPPER');
        if (options.padding === 'same-lower') expect(attributes.auto_pad).toBe('SAME_LOWER');
        if (options.padding === 'valid') expect(attributes.auto_pad).toBe('VALID');
        if (typeof options.padding !== 'string') expect(attributes.pads).toBeDefined();
        // ONNX pads are never negative
        for (const v of attributes.pads ?? []) expect(v).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 600, seed: 19 },
    );
    expect(checked).toBeGreaterThan(200);
  });

  it('writes the worked examples', () => {
    expect(toOnnx({ stride: 2, padding: 1, outputPadding: 1 }, [1, 8, 4, 4], [8, 4, 3, 3])).toEqual({
      strides: [2, 2],
      dilations: [1, 1],
      group: 1,
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
      output_padding: [1, 1],
    });
    expect(toOnnx({ stride: 2, padding: 'same-upper' }, [1, 1, 2], [1, 1, 1])).toEqual({
      strides: [2],
      dilations: [1],
      group: 1,
      kernel_shape: [1],
      auto_pad: 'SAME_UPPER',
    });
    // PyTorch's output_size becomes output_padding: ONNX ignores pads when output_shape is given
    expect(toOnnx({ stride: 2, padding: 1, outputSize: [10, 10] }, [1, 8, 5, 5], [8, 4, 3, 3])).toMatchObject(
      {
        pads: [1, 1, 1, 1],
        output_padding: [1, 1],
      },
    );
    // Keras 'same' with kernel 1 < stride 3 on 3 elements: L = 9, the full result 7 is extended by 2
    expect(toOnnx({ stride: 3, padding: 'same' }, [1, 1, 3], [1, 1, 1])).toMatchObject({
      pads: [0, 0],
      output_padding: [2],
    });
    // Keras 'valid' stays VALID; kernel 1 < stride 2 adds one zero at the end
    expect(toOnnx({ stride: 2, padding: 'valid' }, [1, 1, 3], [1, 1, 1])).toMatchObject({
      auto_pad: 'VALID',
      output_padding: [1],
    });
    expect(toOnnx({ stride: 2, padding: 'same-lower', outputSize: [5] }, [1, 1, 3], [1, 1, 3])).toMatchObject(
      { auto_pad: 'SAME_LOWER', output_shape: [5] },
    );
  });

  it('rejects invalid options as resolveConvTranspose does', () => {
    expect(() => toOnnx({ stride: 0 }, [1, 1, 3], [1, 1, 3])).toThrow(/stride/);
  });
});
