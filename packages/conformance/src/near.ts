import type { Backend, ConvOptions, ConvTransposeOptions, DType, Tensor } from '@tconv/core';
import { resolveConv, resolveConvTranspose, tensor } from '@tconv/core';
import { expectTensor, MismatchError, seeded } from './compare';
import { kitConv, kitConvTranspose } from './reference';

const abs = (t: Tensor) => tensor(Float64Array.from(t.data, Math.abs), t.shape);
const f64 = (t: Tensor) => tensor(Float64Array.from(t.data), t.shape);

/**
 * Checks a backend's result against the kit's float64 definition within the worst-case rounding
 * bound of its type: `(terms + 2)·u·Σ|x·w|` per element (u = 2^-24 for float32, 2^-53 for float64),
 * `terms` the number of products summed into one output.
 * @returns the largest absolute error
 */
export function expectNearDefinition(
  op: 'convTranspose' | 'conv',
  actual: Tensor,
  x: Tensor,
  w: Tensor,
  options: ConvTransposeOptions,
  dtype: DType,
): number {
  const { bias, ...rest } = options;
  const exactOptions = bias ? { ...rest, bias: Float64Array.from(bias) } : rest;
  const absOptions = bias ? { ...rest, bias: Float64Array.from(bias, Math.abs) } : rest;
  const run = op === 'convTranspose' ? kitConvTranspose : kitConv;
  const exact = run(f64(x), f64(w), exactOptions);
  const magnitude = run(abs(x), abs(w), absOptions);
  const g =
    op === 'convTranspose'
      ? resolveConvTranspose(x.shape, w.shape, rest)
      : resolveConv(x.shape, w.shape, rest as ConvOptions);
  const taps = g.kernelSize.reduce((a, b) => a * b, 1);
  const terms = g.inChannelsPerGroup * taps + (bias ? 1 : 0);
  const u = dtype === 'float64' ? 2 ** -53 : 2 ** -24;
  const maxError = expectTensor(actual, exact.shape, exact.data, dtype, {
    atol: Number.POSITIVE_INFINITY,
    rtol: 0,
  });
  for (let i = 0; i < exact.data.length; i++) {
    const err = Math.abs(actual.data[i]! - exact.data[i]!);
    const bound = (terms + 2) * u * magnitude.data[i]!;
    if (!(err <= bound)) {
      throw new MismatchError(
        `element ${i}: ${actual.data[i]} vs ${exact.data[i]} (error ${err.toExponential(2)} > rounding bound ${bound.toExponential(2)})`,
        maxError,
      );
    }
  }
  return maxError;
}

/** Seeded input and weight tensors of the given shapes and type. */
export function problem(inputShape: number[], weightShape: number[], seed: number, dtype: DType = 'float32') {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  return {
    x: tensor(seeded(size(inputShape), seed, dtype), inputShape),
    w: tensor(seeded(size(weightShape), seed + 101, dtype), weightShape),
  };
}

/** Runs one transposed convolution through the backend and checks it against the definition. */
export async function checkAgainstDefinition(
  backend: Backend,
  op: 'convTranspose' | 'conv',
  inputShape: number[],
  weightShape: number[],
  options: ConvTransposeOptions,
  seed: number,
  dtype: DType = 'float32',
  expectedShape?: number[],
): Promise<number> {
  const { x, w } = problem(inputShape, weightShape, seed, dtype);
  const y =
    op === 'convTranspose' ? await backend.convTranspose(x, w, options) : await backend.conv(x, w, options);
  if (expectedShape)
    expectTensor(y, expectedShape, new Array(y.data?.length ?? 0).fill(0), dtype, {
      atol: Number.POSITIVE_INFINITY,
      rtol: 0,
    });
  return expectNearDefinition(op, y, x, w, options, dtype);
}
