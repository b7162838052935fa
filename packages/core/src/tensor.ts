import { describe, LimitError, ShapeError } from './errors';
import { MAX_TENSOR_ELEMENTS } from './limits';

/** The float arrays tconv computes on. */
export type FloatArray = Float32Array | Float64Array;

/** The float types tconv computes on. */
export type DType = 'float32' | 'float64';

/** A dense, row-major tensor: `data[i]` is the element whose multi-index flattens to `i`. */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
}

/** `true` for a `Float32Array` or `Float64Array`. */
export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/** The dtype name of a float array. */
export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * Checks a shape (non-negative safe integers, at most {@link MAX_TENSOR_ELEMENTS} elements) and
 * returns its element count.
 * @param shape - the shape to check
 * @param parameter - the name used in error messages
 */
export function shapeSize(shape: readonly number[], parameter = 'shape'): number {
  if (!Array.isArray(shape)) {
    throw new ShapeError(
      'INVALID_SHAPE',
      parameter,
      `${parameter} must be an array of integers, but got ${describe(shape)}`,
    );
  }
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(
        'INVALID_SHAPE',
        `${parameter}[${i}]`,
        `${parameter}[${i}] must be a non-negative integer, but got ${describe(d)} (in ${parameter} ${describe(shape)})`,
      );
    }
    size *= d;
  }
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      parameter,
      `${parameter} ${describe(shape)} has ${size} elements, more than the limit of ${MAX_TENSOR_ELEMENTS}`,
    );
  }
  return size;
}

/**
 * Makes a tensor. A `Float32Array` or `Float64Array` is used as it is (not copied); any other
 * array-like of numbers becomes a new `Float32Array`.
 * @param data - the elements, row-major
 * @param shape - the dimensions; their product must equal the data length
 * @throws {@link ShapeError} when the shape is invalid or does not match the data length
 * @example
 * ```ts
 * const x = tensor([0, 1, 2, 3], [1, 1, 2, 2]); // Float32Array data
 * ```
 */
export function tensor(data: FloatArray | ArrayLike<number>, shape: readonly number[]): Tensor {
  const size = shapeSize(shape, 'shape');
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new ShapeError(
      'INVALID_DATA',
      'data',
      `data must be a Float32Array, Float64Array or array of numbers, but got ${describe(data)}`,
    );
  }
  if (data.length !== size) {
    throw new ShapeError(
      'INVALID_DATA',
      'data',
      `data has ${data.length} elements but shape ${describe(shape)} needs ${size} (the product of its dimensions)`,
    );
  }
  const array = isFloatArray(data) ? data : Float32Array.from(data);
  return { shape: Object.freeze([...shape]), data: array };
}

/**
 * Checks that a value is a tensor whose data length matches its shape; returns its element count.
 * @param t - the value to check
 * @param parameter - the argument name used in error messages (`"input"`, `"weight"`)
 */
export function checkTensor(t: Tensor, parameter: string): number {
  if (t === null || typeof t !== 'object') {
    throw new ShapeError(
      'INVALID_DATA',
      parameter,
      `${parameter} must be a tensor { shape, data }, but got ${describe(t)}`,
    );
  }
  if (!isFloatArray(t.data)) {
    throw new ShapeError(
      'INVALID_DATA',
      `${parameter}.data`,
      `${parameter}.data must be a Float32Array or Float64Array, but got ${describe(t.data)} (use tensor() to convert)`,
    );
  }
  const size = shapeSize(t.shape, `${parameter}.shape`);
  if (t.data.length !== size) {
    throw new ShapeError(
      'INVALID_DATA',
      `${parameter}.data`,
      `${parameter}.data has ${t.data.length} elements but ${parameter}.shape ${describe(t.shape)} needs ${size}`,
    );
  }
  return size;
}
