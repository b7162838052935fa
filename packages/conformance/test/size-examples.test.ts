import { describe, expect, it } from 'vitest';
import type { ConvOptions } from '@tconv/core';
import {
  convOutputShape,
  convOutputSize,
  convTransposeOutputShape,
  convTransposeOutputSize,
  resolveConv,
  resolveConvTranspose,
} from '@tconv/core';
import { SIZE_EXAMPLES, WORKED_EXAMPLES } from '../src/examples';

// Core's shape arithmetic on every size example the documents print (the data the kit's shape
// cases and the demo use): whole shapes through both shape functions, and the per-axis formulas.
describe("the documents' size examples, through core's shape arithmetic", () => {
  for (const e of SIZE_EXAMPLES) {
    it(`${e.id}: ${e.quote}`, () => {
      let shape: readonly number[] = e.inputShape;
      e.steps.forEach((step, i) => {
        shape =
          step.operation === 'conv'
            ? convOutputShape(shape, step.weightShape, step.options as ConvOptions)
            : convTransposeOutputShape(shape, step.weightShape, step.options);
        if (step.expected) expect(shape, `step ${i + 1}`).toEqual(step.expected);
      });
      expect(shape).toEqual(e.expected);
    });
  }

  it('per axis: convOutputSize and convTransposeOutputSize give the same sizes (explicit padding)', () => {
    let checked = 0;
    for (const e of SIZE_EXAMPLES) {
      const step = e.steps[0]!;
      if (typeof step.options.padding === 'string' || e.steps.length > 1) continue;
      const n = e.inputShape[2]!;
      const k = step.weightShape[2]!;
      // the per-axis values as core resolved them
      const size =
        step.operation === 'conv'
          ? ((g) => convOutputSize(n, k, { stride: g.stride[0]!, padding: [g.padBegin[0]!, g.padEnd[0]!] }))(
              resolveConv(e.inputShape, step.weightShape, step.options as ConvOptions),
            )
          : ((g) =>
              convTransposeOutputSize(n, k, {
                stride: g.stride[0]!,
                padding: [g.padBegin[0]!, g.padEnd[0]!],
                outputPadding: g.outputPadding[0]!,
              }))(resolveConvTranspose(e.inputShape, step.weightShape, step.options));
      expect(size, e.id).toBe(e.expected[2]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('every worked example has the shape of the result the document prints', () => {
    for (const e of WORKED_EXAMPLES) {
      const x = [1, 1, e.input.length, e.input[0]!.length];
      const k = [1, 1, e.kernel.length, e.kernel[0]!.length];
      const shape =
        e.operation === 'conv'
          ? convOutputShape(x, k, e.options as ConvOptions)
          : convTransposeOutputShape(x, k, e.options);
      expect(shape, e.id).toEqual([1, 1, e.expected.length, e.expected[0]!.length]);
    }
  });

  it("TDS: 'same' makes the output the input size times the stride, keeping the middle", () => {
    const g = resolveConvTranspose([1, 1, 4, 4], [1, 1, 3, 3], { stride: 2, padding: 'same' });
    expect(g.outputSize).toEqual([8, 8]);
    // full result 9: one element cropped, at the end (floor(1/2) = 0 at the start)
    expect(g.padBegin).toEqual([0, 0]);
    expect(g.padEnd).toEqual([1, 1]);
  });
});
