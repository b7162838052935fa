import type { DeclaredCapabilities } from './capabilities';
import { checkCapabilities } from './capabilities';
import { DTypeError, describe } from './errors';
import type { ConvGeometry, ConvTransposeGeometry } from './geometry';
import { resolveConv, resolveConvTranspose } from './geometry';
import { allocationFailed, checkSafeGeometry } from './limits';
import type { ConvOptions, ConvTransposeOptions } from './options';
import type { DType, FloatArray, Tensor } from './tensor';
import { checkTensor, dtypeOf, isFloatArray } from './tensor';

/** A validated call: the geometry, the common float type and the bias as an array of that type. */
export interface PreparedCall<G> {
  readonly geometry: G;
  readonly dtype: DType;
  /** One value per output channel, or `null` when there is no bias. */
  readonly bias: FloatArray | null;
}

function checkTypes(
  input: Tensor,
  weight: Tensor,
  bias: ConvOptions['bias'],
): { dtype: DType; bias: FloatArray | null } {
  const dtype = dtypeOf(input.data);
  if (dtypeOf(weight.data) !== dtype) {
    throw new DTypeError(
      'DTYPE_MISMATCH',
      'weight',
      `weight is ${dtypeOf(weight.data)} but input is ${dtype}: input, weight and bias must share one float type`,
    );
  }
  if (bias === undefined) return { dtype, bias: null };
  if (isFloatArray(bias)) {
    if (dtypeOf(bias) !== dtype) {
      throw new DTypeError(
        'DTYPE_MISMATCH',
        'bias',
        `bias is ${dtypeOf(bias)} but input is ${dtype}: input, weight and bias must share one float type`,
      );
    }
    return { dtype, bias };
  }
  for (let i = 0; i < bias.length; i++) {
    if (typeof bias[i] !== 'number') {
      throw new DTypeError(
        'DTYPE_MISMATCH',
        `bias[${i}]`,
        `bias[${i}] must be a number, but got ${describe(bias[i])}`,
      );
    }
  }
  return { dtype, bias: dtype === 'float64' ? Float64Array.from(bias) : Float32Array.from(bias) };
}

/**
 * Validates a whole transposed-convolution call (tensors, data lengths, float types, options) and
 * resolves its geometry, before anything is allocated. Backends call this first.
 * @param backend - the calling backend (its `name` and `capabilities`): a call outside what it
 *   declares is an `UnsupportedError` here, by the same predicate the conformance kit skips by
 */
export function prepareConvTranspose(
  input: Tensor,
  weight: Tensor,
  options: ConvTransposeOptions = {},
  backend?: DeclaredCapabilities,
): PreparedCall<ConvTransposeGeometry> {
  checkTensor(input, 'input');
  checkTensor(weight, 'weight');
  return prepared(resolveConvTranspose(input.shape, weight.shape, options), input, weight, options, backend);
}

/**
 * What every `prepare*` does after resolving: the index check every kernel needs, the float types
 * and bias, then what the backend's declared capabilities exclude.
 */
function prepared<G extends ConvTransposeGeometry | ConvGeometry>(
  geometry: G,
  input: Tensor,
  weight: Tensor,
  options: ConvOptions,
  backend: DeclaredCapabilities | undefined,
): PreparedCall<G> {
  checkSafeGeometry(geometry, 'tconv'); // every kernel indexes with exact doubles at least
  const call = { geometry, ...checkTypes(input, weight, options.bias) };
  if (backend) checkCapabilities(backend.name, backend.capabilities, geometry.rank, call.dtype);
  return call;
}

/**
 * Like {@link prepareConvTranspose} for an operator prepared before its input exists: validates the
 * weight and options against an input shape; the float type is the weight's.
 */
export function prepareConvTransposeFor(
  inputShape: readonly number[],
  weight: Tensor,
  options: ConvTransposeOptions = {},
  backend?: DeclaredCapabilities,
): PreparedCall<ConvTransposeGeometry> {
  checkTensor(weight, 'weight');
  const geometry = resolveConvTranspose(inputShape, weight.shape, options);
  return prepared(geometry, { shape: inputShape, data: weight.data }, weight, options, backend);
}

/** Validates a whole convolution call and resolves its geometry (and, given the backend, its capabilities); see {@link prepareConvTranspose}. */
export function prepareConv(
  input: Tensor,
  weight: Tensor,
  options: ConvOptions = {},
  backend?: DeclaredCapabilities,
): PreparedCall<ConvGeometry> {
  checkTensor(input, 'input');
  checkTensor(weight, 'weight');
  return prepared(resolveConv(input.shape, weight.shape, options), input, weight, options, backend);
}

/** Like {@link prepareConv} for an operator prepared before its input exists; see {@link prepareConvTransposeFor}. */
export function prepareConvFor(
  inputShape: readonly number[],
  weight: Tensor,
  options: ConvOptions = {},
  backend?: DeclaredCapabilities,
): PreparedCall<ConvGeometry> {
  checkTensor(weight, 'weight');
  const geometry = resolveConv(inputShape, weight.shape, options);
  return prepared(geometry, { shape: inputShape, data: weight.data }, weight, options, backend);
}

/**
 * A zeroed output array of the given type and length. An allocation the engine refuses is a
 * `LimitError` naming the output, not a raw `RangeError`.
 */
export function allocate(dtype: DType, length: number): FloatArray {
  try {
    return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  } catch (e) {
    return allocationFailed(e, length * (dtype === 'float64' ? 8 : 4), 'output');
  }
}
