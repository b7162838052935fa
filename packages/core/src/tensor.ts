import { DTypeError, describe, LimitError, ShapeError } from './errors';
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
 * Checks the data argument of {@link tensor}: an array-like whose length is a safe integer within
 * {@link MAX_TENSOR_ELEMENTS} and whose elements are all numbers, before anything is allocated
 * (a `{ length: 2 ** 27 }` must not become 512 MiB of NaN). BigInt arrays are a {@link DTypeError}.
 */
function checkData(data: unknown, size: number, shape: readonly number[]): ArrayLike<number> {
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw new ShapeError(
      'INVALID_DATA',
      'data',
      `data must be a Float32Array, Float64Array or array of numbers, but got ${describe(data)}`,
    );
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new DTypeError(
      'DTYPE_MISMATCH',
      'data',
      `data is a ${data.constructor.name}, but tensors hold float32 or float64 numbers; convert it (e.g. Float64Array.from(data, Number)) knowing that integers beyond 2^53 lose precision`,
    );
  }
  const length = (data as ArrayLike<number>).length;
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_TENSOR_ELEMENTS) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      'data',
      `data.length ${describe(length)} must be a non-negative integer of at most ${MAX_TENSOR_ELEMENTS} elements`,
    );
  }
  if (length !== size) {
    throw new ShapeError(
      'INVALID_DATA',
      'data',
      `data has ${length} elements but shape ${describe(shape)} needs ${size} (the product of its dimensions)`,
    );
  }
  // typed arrays other than the BigInt ones hold numbers by construction; anything else is checked
  if (!ArrayBuffer.isView(data)) {
    const items = data as ArrayLike<unknown>;
    for (let i = 0; i < length; i++) {
      if (typeof items[i] !== 'number') {
        throw new ShapeError(
          'INVALID_DATA',
          `data[${i}]`,
          `data[${i}] must be a number, but got ${describe(items[i])} (tensor() converts numbers only; parse strings first)`,
        );
      }
    }
  }
  return data as ArrayLike<number>;
}

/**
 * Makes a tensor. A `Float32Array` or `Float64Array` is used as it is (not copied); any other
 * array-like of numbers (a plain array, an integer typed array) becomes a new `Float32Array`.
 * Every element must be a number: strings, `undefined`, holes and BigInts are rejected naming the
 * index, before anything is allocated.
 * @param data - the elements, row-major
 * @param shape - the dimensions; their product must equal the data length
 * @throws {@link ShapeError} when the shape is invalid, does not match the data length or an
 * element is not a number; {@link LimitError} past {@link MAX_TENSOR_ELEMENTS};
 * {@link DTypeError} for a `BigInt64Array` / `BigUint64Array`
 * @example
 * ```ts
 * const x = tensor([0, 1, 2, 3], [1, 1, 2, 2]); // Float32Array data
 * tensor(['1', 'x'], [2]); // ShapeError: data[0] must be a number, but got "1" …
 * ```
 */
export function tensor(data: FloatArray | ArrayLike<number>, shape: readonly number[]): Tensor {
  const size = shapeSize(shape, 'shape');
  const checked = checkData(data, size, shape);
  const array = isFloatArray(checked) ? checked : Float32Array.from(checked);
  return { shape: Object.freeze([...shape]), data: array };
}

/**
 * Why a typed array no longer has the elements it was made with, when its buffer was detached
 * (transferred to a worker, or a WebAssembly memory that grew) or resized; `undefined` otherwise.
 * Node 20 has no `ArrayBuffer.prototype.detached`: a view cannot be constructed on a detached buffer.
 */
function bufferProblem(data: FloatArray): string | undefined {
  const buffer = data.buffer as ArrayBuffer & { resizable?: boolean };
  try {
    new Uint8Array(buffer, 0, 0);
  } catch {
    return 'its ArrayBuffer is detached (transferred, e.g. posted to a worker, or a WebAssembly memory that grew)';
  }
  if (buffer.resizable === true)
    return `its ArrayBuffer is resizable and now holds ${buffer.byteLength} bytes (shrunk after the tensor was made)`;
  return undefined;
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
    const problem = bufferProblem(t.data);
    throw new ShapeError(
      'INVALID_DATA',
      `${parameter}.data`,
      `${parameter}.data has ${t.data.length} elements but ${parameter}.shape ${describe(t.shape)} needs ${size}${problem ? `: ${problem}` : ''}`,
    );
  }
  return size;
}
