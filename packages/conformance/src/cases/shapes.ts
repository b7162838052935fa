import type { Backend, Tensor } from '@tconv/core';
import { shapeSize, tensor } from '@tconv/core';
import { MismatchError, seeded } from '../compare';
import { DOCS, defineCase } from '../define';
import type { SizeExample } from '../examples';
import { SIZE_EXAMPLES } from '../examples';
import { expectNearDefinition } from '../near';
import type { KitCase } from '../types';

/** GfG's Keras input: the 4×4×3 (NHWC) tensor 1, 2, 3, 5, 6, 7, … made channels-first. */
function gfgInput(): Tensor {
  const nhwc: number[] = [];
  for (let h = 0; h < 4; h++)
    for (let w = 0; w < 4; w++) for (let c = 0; c < 3; c++) nhwc.push(16 * h + 4 * w + c + 1);
  const nchw = new Float32Array(48);
  for (let h = 0; h < 4; h++)
    for (let w = 0; w < 4; w++)
      for (let c = 0; c < 3; c++) nchw[c * 16 + h * 4 + w] = nhwc[(h * 4 + w) * 3 + c]!;
  return tensor(nchw, [1, 3, 4, 4]);
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.join() === b.join();

/**
 * The data an example runs on: the document's own input where it gives one (GfG's Keras
 * examples), seeded values otherwise; AIM's stripes need positive values so that only the gaps
 * the stride leaves are zero.
 */
function inputOf(e: SizeExample, seed: number, positive: boolean): Tensor {
  if (e.id.startsWith('gfg/keras-')) return gfgInput();
  const data = seeded(shapeSize(e.inputShape), seed);
  return tensor(positive ? data.map((v) => Math.abs(v) + 0.1) : data, e.inputShape);
}

/** AIM: with stride 4 and a 3×3 filter every 4th output row and column receives nothing. */
function expectStripes(y: Tensor, maxError: number): void {
  const [, channels, h, w] = y.shape as [number, number, number, number];
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = y.data[(c * h + i) * w + j]!;
        const stripe = i % 4 === 3 || j % 4 === 3;
        if (stripe !== (v === 0)) {
          throw new MismatchError(
            `channel ${c} (${i}, ${j}) is ${v}: ${stripe ? 'a stripe must be black' : 'only stripes may be black'}`,
            maxError,
          );
        }
      }
    }
  }
}

/**
 * A size example as a case: every step through the backend, its values within rounding of the
 * definition and its shape the document's.
 */
function sizeCase(e: SizeExample): KitCase {
  const stripes = e.id === 'aim/4-to-16-k3-s4-op1';
  return defineCase({
    id: e.id,
    title: e.title,
    source: `${DOCS[e.doc]}, ${e.where}`,
    group: 'shapes',
    ranks: [e.inputShape.length - 2],
    tags: ['document', 'shape', ...e.tags],
    async check(backend: Backend) {
      const seed = e.id.length * 7;
      let x = inputOf(e, seed, stripes);
      let maxError = 0;
      for (const [i, step] of e.steps.entries()) {
        const weight = seeded(shapeSize(step.weightShape), seed + 101 + i);
        const w = tensor(stripes ? weight.map((v) => Math.abs(v) + 0.1) : weight, step.weightShape);
        const y =
          step.operation === 'conv'
            ? await backend.conv(x, w, step.options)
            : await backend.convTranspose(x, w, step.options);
        maxError = Math.max(maxError, expectNearDefinition(step.operation, y, x, w, step.options, 'float32'));
        const stated = step.expected ?? (i === e.steps.length - 1 ? e.expected : undefined);
        if (stated && !sameShape(y.shape, stated)) {
          throw new MismatchError(
            `step ${i + 1}: shape [${y.shape}], the document states [${stated}]`,
            maxError,
          );
        }
        x = y;
      }
      if (stripes) expectStripes(x, maxError);
      return maxError;
    },
  });
}

/**
 * The documents' size examples, run through the backend (shape and values against the definition;
 * data: `../examples`). Examples a worked example already computes are left to that case.
 */
export const shapeCases: readonly KitCase[] = SIZE_EXAMPLES.filter((e) => !e.worked).map(sizeCase);
