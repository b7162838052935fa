import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeOptions, OnnxConvTransposeAttributes } from '@tconv/core';
import { convOutputShape, convTransposeOutputShape, fromOnnx, TconvError } from '@tconv/core';

// Output shapes recorded from PyTorch, TensorFlow.js and onnxruntime by the committed scripts in
// packages/conformance/scripts (see its README); invalid cases are ones the framework rejected.
interface ShapeCase {
  id: string;
  op?: 'convTranspose' | 'conv';
  inputShape: number[];
  weightShape: number[];
  options?: ConvTransposeOptions;
  onnx?: OnnxConvTransposeAttributes;
  expectedShape?: number[];
  error?: boolean;
  frameworkMessage?: string;
}

const dir = new URL('./fixtures/', import.meta.url);
const files = readdirSync(dir).filter((f) => /^shapes-.*\.json$/.test(f));

describe('output shapes agree with the frameworks', () => {
  it('has fixtures from PyTorch, TensorFlow.js and onnxruntime', () => {
    expect(files.sort()).toEqual(['shapes-onnx.json', 'shapes-tfjs.json', 'shapes-torch.json']);
  });

  for (const file of files) {
    const data = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { cases: ShapeCase[] };
    describe(file, () => {
      it('holds cases', () => expect(data.cases.length).toBeGreaterThan(10));
      it.each(data.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
        const run = () => {
          const options = c.onnx ? fromOnnx(c.onnx, c.inputShape, c.weightShape) : (c.options ?? {});
          return c.op === 'conv'
            ? convOutputShape(c.inputShape, c.weightShape, options)
            : convTransposeOutputShape(c.inputShape, c.weightShape, options);
        };
        if (c.error) {
          expect(run).toThrow(TconvError);
        } else {
          expect(run()).toEqual(c.expectedShape);
        }
      });
    });
  }
});
