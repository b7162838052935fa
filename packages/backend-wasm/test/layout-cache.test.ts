// A backend keeps each layer's layout (parameter blocks, operand addresses) and reuses it on
// the layer's later calls (src/plan.ts). These calls must still take their own operands: repeated
// and alternating layers with fresh data every call, with and without a bias, on 1 and 2 threads
// and every kernel (and the backward on 1 and 2 threads), each result bit-identical to a fresh
// backend's first call on the same operands.
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvTransposeOptions, Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';
import type { WasmBackend } from '@tconv/backend-wasm';
import { createWasmBackend } from '@tconv/backend-wasm';
import { randomData } from '@tconv/testing';

interface Layer {
  readonly name: string;
  readonly xs: number[];
  readonly ws: number[];
  readonly o: ConvTransposeOptions;
}

// a channel split, a group split, a batch split and an input-channel split on two threads
const LAYERS: Layer[] = [
  { name: 'k4 s2 p1, 16 → 12 channels', xs: [1, 16, 6, 5], ws: [16, 12, 4, 4], o: { stride: 2, padding: 1 } },
  { name: 'depthwise, 8 groups', xs: [1, 8, 7, 7], ws: [8, 1, 3, 3], o: { stride: 2, groups: 8 } },
  { name: '3 output channels, batch 3', xs: [3, 6, 5, 4], ws: [6, 3, 3, 3], o: { stride: 2, padding: 1 } },
  { name: '1D, 1 output channel, 16 input channels', xs: [1, 16, 9], ws: [16, 1, 12], o: { stride: 4 } },
];

const f32 = (length: number, seed: number) => randomData(length, seed) as Float32Array;
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The operands of call `call` of a layer: fresh data (from `seed`), a bias on odd calls. */
function operands(l: Layer, call: number, seed: number): { x: Tensor; w: Tensor; o: ConvTransposeOptions } {
  const bias = call % 2 === 1 ? f32(l.ws[1]! * (l.o.groups ?? 1), 3 * seed + 2) : undefined;
  return {
    x: tensor(f32(size(l.xs), 3 * seed), l.xs),
    w: tensor(f32(size(l.ws), 3 * seed + 1), l.ws),
    o: bias ? { ...l.o, bias } : l.o,
  };
}

const kernels = ['gemm', 'phases', 'thin', 'lanes'] as const;
const backends: WasmBackend[] = [];
afterAll(() => Promise.all(backends.map((b) => b.dispose())));

describe("a layer called again reuses its layout and takes each call's operands", () => {
  for (const threads of [1, 2]) {
    for (const kernel of [undefined, ...kernels]) {
      it(`${threads} thread${threads > 1 ? 's' : ''}, ${kernel ?? "the rule's kernels"}: layers alternating, fresh data every call`, async () => {
        const options = { threads, threadThreshold: 0, calibrate: false, warmUp: false, kernel };
        const kept = await createWasmBackend(options);
        backends.push(kept);
        for (let seed = 1; seed <= 4; seed++) {
          for (const l of LAYERS) {
            const { x, w, o } = operands(l, seed, seed * 10 + LAYERS.indexOf(l));
            const fresh = await createWasmBackend(options);
            const expected = await fresh.convTranspose(x, w, o);
            await fresh.dispose();
            const y = await kept.convTranspose(x, w, o);
            expect(y.shape).toEqual(expected.shape);
            expect(y.data).toEqual(expected.data);
          }
        }
      });
    }
  }
});

describe("a layer's backward called again reuses its layout and takes each call's operands", () => {
  for (const threads of [1, 2]) {
    it(`${threads} thread${threads > 1 ? 's' : ''}: layers alternating, fresh data every call, both gradients`, async () => {
      const options = { threads, threadThreshold: 0, calibrate: false, warmUp: false };
      const kept = await createWasmBackend(options);
      backends.push(kept);
      for (let seed = 1; seed <= 3; seed++) {
        for (const l of LAYERS) {
          const { x, w, o } = operands(l, 0, seed * 10 + LAYERS.indexOf(l));
          const y = await kept.convTranspose(x, w, o);
          const gy = tensor(f32(y.data.length, 1000 + seed), y.shape);
          const fresh = await createWasmBackend(options);
          const expected = await fresh.convTransposeBackward(gy, x, w, o);
          await fresh.dispose();
          const got = await kept.convTransposeBackward(gy, x, w, o);
          expect(got.input.data).toEqual(expected.input.data);
          expect(got.weight.data).toEqual(expected.weight.data);
        }
      }
    });
  }
});
