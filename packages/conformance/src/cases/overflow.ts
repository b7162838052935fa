import type { Backend, ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { resolveConv, resolveConvTranspose, tensor } from '@tconv/core';
import { MismatchError } from '../compare';
import { defineCase } from '../define';
import { kitConv, kitConvTranspose } from '../reference';
import type { KitCase } from '../types';

const NUMERICS =
  '@tconv/core README, "Numerics": a float32 element is the float64 definition rounded once wherever the fast computation overflowed';

/**
 * Checks a float32 result under tconv's overflow rule: where the float64 definition rounded to
 * float32 is ±Inf or NaN the backend must give exactly that; everywhere else a finite value
 * within the rounding bound `(terms + 2)·2^-24·Σ|x·w|` — never an Inf or NaN that only an
 * intermediate (a product or partial sum past 3.4e38) produced.
 */
function expectOverflowRule(
  op: 'convTranspose' | 'conv',
  actual: Tensor,
  x: Tensor,
  w: Tensor,
  options: ConvTransposeOptions,
): number {
  const run = op === 'convTranspose' ? kitConvTranspose : kitConv;
  const exact = run(
    tensor(Float64Array.from(x.data), x.shape),
    tensor(Float64Array.from(w.data), w.shape),
    options,
  );
  const rounded = Float32Array.from(exact.data);
  const magnitude = run(
    tensor(Float64Array.from(x.data, Math.abs), x.shape),
    tensor(Float64Array.from(w.data, Math.abs), w.shape),
    options,
  );
  const g =
    op === 'convTranspose'
      ? resolveConvTranspose(x.shape, w.shape, options)
      : resolveConv(x.shape, w.shape, options as ConvOptions);
  if (!(actual?.data instanceof Float32Array) || actual.shape.join() !== g.outputShape.join()) {
    throw new MismatchError(
      `expected a float32 tensor of shape [${g.outputShape.join(', ')}], got ${actual?.data?.constructor?.name} [${actual?.shape?.join(', ')}]`,
      Number.POSITIVE_INFINITY,
    );
  }
  const terms = g.inChannelsPerGroup * g.kernelSize.reduce((a, b) => a * b, 1);
  let maxError = 0;
  for (let i = 0; i < rounded.length; i++) {
    const a = actual.data[i]!;
    const e = rounded[i]!;
    if (!Number.isFinite(e)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) {
        throw new MismatchError(
          `element ${i}: ${a}, but the float64 definition ${exact.data[i]} is ${e} in float32`,
          Number.POSITIVE_INFINITY,
        );
      }
      continue;
    }
    const err = Math.abs(a - exact.data[i]!);
    const bound = (terms + 2) * 2 ** -24 * magnitude.data[i]!;
    if (!Number.isFinite(a) || !(err <= bound + 1e-30)) {
      throw new MismatchError(
        `element ${i}: ${a}, but the float64 definition is ${exact.data[i]} (finite in float32; an intermediate may overflow, the result may not)`,
        Number.isFinite(err) ? err : Number.POSITIVE_INFINITY,
      );
    }
    maxError = Math.max(maxError, err);
  }
  return maxError;
}

/**
 * A 1D problem whose inner outputs are exactly 0 while their products (or partial sums) overflow
 * float32, and whose two end outputs overflow for real: `x` all `value`, the kernel `[+w, −w]`
 * per channel, so output `j` is `Σ_c value·w − value·w = 0` inside and `±channels·value·w` at the
 * ends. `positions` input positions, `channels` input channels (1–2: a depthwise-like scatter;
 * 3+ with few positions: a GEMM; many positions: a dense stride-phase kernel in the CPU backend).
 */
function overflowProblem(channels: number, positions: number, value: number, weight: number) {
  const x = tensor(new Float32Array(channels * positions).fill(value), [1, channels, positions]);
  const w = tensor(
    Float32Array.from({ length: channels * 2 }, (_, i) => (i % 2 === 0 ? weight : -weight)),
    [channels, 1, 2],
  );
  return { x, w };
}

function overflowCase(
  id: string,
  title: string,
  channels: number,
  positions: number,
  value: number,
  weight: number,
): KitCase {
  return defineCase({
    id: `overflow/${id}`,
    title,
    source: NUMERICS,
    group: 'overflow',
    ranks: [1],
    dtypes: ['float32'],
    tags: ['overflow', 'numerics', 'float32'],
    check: async (backend: Backend) => {
      const { x, w } = overflowProblem(channels, positions, value, weight);
      return expectOverflowRule('convTranspose', await backend.convTranspose(x, w), x, w, {});
    },
  });
}

/** The float32 overflow rule: one answer for every backend when an intermediate overflows. */
export const overflowCases: readonly KitCase[] = [
  overflowCase(
    'products-1ch',
    'convTranspose float32: 3e38·2 − 3e38·2 is 0 (the products overflow), the ends are ±Inf',
    1,
    6,
    3e38,
    2,
  ),
  overflowCase(
    'partial-sums-2ch',
    'convTranspose float32: products in range, partial sums past 3.4e38, the exact 0 stays finite',
    2,
    6,
    2e38,
    1,
  ),
  overflowCase(
    'gemm-4ch',
    'convTranspose float32, 4 channels × 8 positions: exact zeros stay finite',
    4,
    8,
    3e38,
    2,
  ),
  overflowCase(
    'dense-4ch',
    'convTranspose float32, 4 channels × 300 positions: exact zeros stay finite',
    4,
    300,
    3e38,
    2,
  ),
  defineCase({
    id: 'overflow/conv-products',
    title: 'conv float32: [3e38, 3e38, −3e38] ⋆ [2, −2] is [0, +Inf] (an exact 0 whose products overflow)',
    source: NUMERICS,
    group: 'overflow',
    ranks: [1],
    dtypes: ['float32'],
    tags: ['overflow', 'numerics', 'float32', 'conv'],
    check: async (backend: Backend) => {
      const x = tensor([3e38, 3e38, -3e38], [1, 1, 3]);
      const w = tensor([2, -2], [1, 1, 2]);
      return expectOverflowRule('conv', await backend.conv(x, w), x, w, {});
    },
  }),
  defineCase({
    id: 'overflow/nan-input',
    title: 'convTranspose float32: a NaN input makes NaN exactly the outputs it reaches',
    source: NUMERICS,
    group: 'overflow',
    ranks: [1],
    dtypes: ['float32'],
    tags: ['overflow', 'numerics', 'float32', 'nan'],
    check: async (backend: Backend) => {
      const x = tensor([1, Number.NaN, 2, 3, 4], [1, 1, 5]);
      const w = tensor([1, -1, 0.5], [1, 1, 3]);
      return expectOverflowRule('convTranspose', await backend.convTranspose(x, w, { stride: 2 }), x, w, {
        stride: 2,
      });
    },
  }),
];
