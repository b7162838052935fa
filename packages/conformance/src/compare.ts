import type { DType, FloatArray, Tensor } from '@tconv/core';
import { dtypeOf } from '@tconv/core';

/** Tolerance of a numeric comparison: `|actual - expected| ≤ atol + rtol·|expected|`. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Exact equality, for the documents' small-integer examples (exactly representable). */
export const EXACT: Tolerance = { atol: 0, rtol: 0 };

/** A mismatch with the largest error seen, so reports can show it. */
export class MismatchError extends Error {
  override readonly name = 'MismatchError';
  constructor(
    message: string,
    readonly maxError: number,
  ) {
    super(message);
  }
}

const preview = (a: ArrayLike<number>) =>
  `[${Array.from(a)
    .slice(0, 12)
    .map((v) => Number(v.toPrecision(6)))
    .join(', ')}${a.length > 12 ? ', …' : ''}]`;

/**
 * Checks a backend's result: its shape, its float type (the input's) and every element.
 * @returns the largest absolute error
 */
export function expectTensor(
  actual: Tensor,
  expectedShape: readonly number[],
  expected: ArrayLike<number>,
  dtype: DType,
  tol: Tolerance,
): number {
  if (!actual || typeof actual !== 'object' || !Array.isArray(actual.shape)) {
    throw new MismatchError(`expected a tensor, got ${String(actual)}`, Number.POSITIVE_INFINITY);
  }
  if (actual.shape.length !== expectedShape.length || actual.shape.some((d, i) => d !== expectedShape[i])) {
    throw new MismatchError(
      `shape [${actual.shape.join(', ')}], expected [${expectedShape.join(', ')}]`,
      Number.POSITIVE_INFINITY,
    );
  }
  if (
    !(actual.data instanceof Float32Array || actual.data instanceof Float64Array) ||
    dtypeOf(actual.data) !== dtype
  ) {
    throw new MismatchError(
      `output data is ${actual.data?.constructor?.name}, expected ${dtype === 'float64' ? 'Float64Array' : 'Float32Array'} (output dtype = input dtype)`,
      Number.POSITIVE_INFINITY,
    );
  }
  return expectClose(actual.data, expected, tol);
}

/** Element-wise comparison; returns the largest absolute error or throws a {@link MismatchError}. */
export function expectClose(
  actual: FloatArray | ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
): number {
  if (actual.length !== expected.length) {
    throw new MismatchError(
      `${actual.length} elements, expected ${expected.length}`,
      Number.POSITIVE_INFINITY,
    );
  }
  let maxError = 0;
  let worst = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e);
    if (!(err <= tol.atol + tol.rtol * Math.abs(e))) {
      if (worst < 0 || !(err <= maxError)) worst = i;
    }
    if (err > maxError || Number.isNaN(err)) maxError = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
  }
  if (worst >= 0) {
    throw new MismatchError(
      `element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (max error ${maxError.toExponential(2)}, tolerance ${tol.atol.toExponential(1)} + ${tol.rtol.toExponential(1)}·|expected|); got ${preview(actual)}, expected ${preview(expected)}`,
      maxError,
    );
  }
  return maxError;
}

/** Deterministic values in [-1, 1) (mulberry32) so every run sees the same inputs: core's generator. */
export { seeded } from '@tconv/core';
