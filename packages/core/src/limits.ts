import { LimitError } from './errors';
import type { GeometryBase } from './geometry';

/**
 * The limits of tconv, in one place: what a size, a stride, a dilation, a pad or an index derived
 * from them may be, so that every kernel computes with integers it can hold. Past a limit a call
 * is a {@link LimitError} before anything is planned or allocated — never a wrapped index, an
 * out-of-memory crash or a hang. Shape arithmetic itself is exact (BigInt where an intermediate
 * can pass 2^53); these checks bound what the kernels then index with.
 */

/**
 * The largest number of elements tconv lets a tensor, an output or an intermediate buffer have:
 * 2^27 (134,217,728), i.e. 512 MiB of float32 or 1 GiB of float64. Well under what a typed array
 * can hold, so a mistaken geometry is a clear {@link LimitError} rather than an out-of-memory crash.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 27;

/**
 * The largest index a JavaScript kernel computes with: 2^53 − 1 (`Number.MAX_SAFE_INTEGER`), the
 * last integer a double holds exactly. Every size, stride, dilation, pad and derived position of a
 * geometry the CPU and sparse backends accept lies within ±this.
 */
export const MAX_SAFE_INDEX = Number.MAX_SAFE_INTEGER;

/**
 * The largest index a 32-bit kernel computes with: 2^31 − 1. WebAssembly and WGSL kernels hold
 * geometry in `i32`; {@link checkInt32Geometry} proves a geometry fits before they run it.
 */
export const MAX_INT32 = 2 ** 31 - 1;

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * An exactly computed integer as a number. A result above 2^53 − 1 is a {@link LimitError} (a double
 * could not hold it exactly); a result below −(2^53 − 1) is returned rounded, which callers use only
 * to report an empty output.
 * @param value - the exact result
 * @param parameter - the argument the result depends on, for the error
 * @param formula - how it was computed, for the error
 */
export function exactInteger(value: bigint, parameter: string, formula: string): number {
  if (value > MAX_SAFE_BIG) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      parameter,
      `${formula} = ${value}, more than 2^53 − 1 (${Number.MAX_SAFE_INTEGER}): sizes must be exact safe integers`,
    );
  }
  return Number(value);
}

/**
 * Below this magnitude a double holds every integer quantity of the shape arithmetic and every sum
 * of up to eight of them exactly (8 · 2^49 = 2^52), so the checks compute in doubles and take the
 * exact BigInt path only for larger values. The BigInt path, with its per-axis error names, took
 * 15–20 µs of every call hot and up to 0.17 ms right after a kernel (2-core AMD EPYC Zen 3).
 */
export const EXACT_IN_DOUBLE = 2 ** 49;

/**
 * Whether every quantity {@link checkGeometryIndices} checks is at most `limit`, computed in
 * doubles: true only when all of them are also at most {@link EXACT_IN_DOUBLE} (so exact); false
 * sends the caller to the exact path, which names the parameter of a value over the limit.
 */
function withinInDoubles(
  g: GeometryBase & { readonly kind: 'conv' | 'convTranspose' },
  limit: number,
): boolean {
  const bound = Math.min(limit, EXACT_IN_DOUBLE);
  for (let a = 0; a < g.rank; a++) {
    const n = g.inputSize[a]!;
    const k = g.kernelSize[a]!;
    const s = g.stride[a]!;
    const d = g.dilation[a]!;
    const pb = Math.abs(g.padBegin[a]!);
    const pe = Math.abs(g.padEnd[a]!);
    const L = g.outputSize[a]!;
    // a product's double is exact when it is at most the bound, and over it when the product is
    const span = ((g.kind === 'conv' ? L : n) - 1) * s;
    const kernelSpan = (k - 1) * d;
    if (!(n <= bound && k <= bound && L <= bound && s <= bound && d <= bound && pb <= bound && pe <= bound))
      return false;
    if (!(span <= bound && kernelSpan <= bound && span + kernelSpan + pb <= bound)) return false;
    if (!(span + kernelSpan + pe + s <= bound)) return false;
  }
  // sizes are ≥ 1, so partial products only grow: a final double under 2^52 means every partial
  // product, and so the count, was exact
  const countBound = Math.min(limit, 2 ** 52);
  for (const shape of [g.inputShape, g.weightShape, g.outputShape]) {
    let count = 1;
    for (const v of shape) count *= v;
    if (!(count <= countBound)) return false;
  }
  return true;
}

/** The per-axis quantities a kernel indexes with, each with its name in errors. */
function axisQuantities(g: GeometryBase, kind: 'conv' | 'convTranspose', a: number): [string, bigint][] {
  const n = BigInt(g.inputSize[a]!);
  const k = BigInt(g.kernelSize[a]!);
  const s = BigInt(g.stride[a]!);
  const d = BigInt(g.dilation[a]!);
  const pb = BigInt(g.padBegin[a]!);
  const pe = BigInt(g.padEnd[a]!);
  const L = BigInt(g.outputSize[a]!);
  const abs = (v: bigint) => (v < 0n ? -v : v);
  // The scatter (transposed) or gather (convolution) span: the first position is −padBegin, the
  // last (n−1)·s + (k−1)·d − padBegin for a transposed convolution, (L−1)·s + (k−1)·d − padBegin
  // for a convolution; kernels form both ends and the products on the way.
  const reach = (kind === 'conv' ? L : n) - 1n;
  return [
    [`inputShape[${a + 2}]`, n],
    [`weightShape[${a + 2}]`, k],
    [`outputSize[${a}]`, L],
    [`stride[${a}]`, s],
    [`dilation[${a}]`, d],
    [`padBegin[${a}]`, abs(pb)],
    [`padEnd[${a}]`, abs(pe)],
    [`stride[${a}]`, reach * s],
    [`dilation[${a}]`, (k - 1n) * d],
    [`padBegin[${a}]`, reach * s + (k - 1n) * d + abs(pb)],
    [`padEnd[${a}]`, reach * s + (k - 1n) * d + abs(pe) + s],
  ];
}

/**
 * Proves that every size, stride, dilation, pad and derived index of a geometry lies within
 * `±limit`, or throws a {@link LimitError} naming the first that does not. Checked: the spatial
 * sizes, stride, dilation, |padBegin|, |padEnd|, the stride span `(positions−1)·stride`, the kernel
 * span `(k−1)·dilation`, the farthest position `(positions−1)·stride + (k−1)·dilation + |padBegin|`
 * (and with |padEnd| plus one stride, which phase and row arithmetic reach), and the element counts
 * of input, weight and output.
 * @param g - a resolved geometry (transposed convolution or convolution)
 * @param limit - the largest magnitude allowed
 * @param backend - who computes it, for the message
 * @param limitName - what the limit is, for the message (`"int32"`)
 */
export function checkGeometryIndices(
  g: GeometryBase & { readonly kind: 'conv' | 'convTranspose' },
  limit: number,
  backend: string,
  limitName: string,
): void {
  if (withinInDoubles(g, limit)) return;
  const max = BigInt(limit);
  for (let a = 0; a < g.rank; a++) {
    for (const [parameter, value] of axisQuantities(g, g.kind, a)) {
      if (value > max) {
        throw new LimitError(
          'LIMIT_EXCEEDED',
          parameter,
          `${parameter} ${describeAxis(g, a)} gives an index of ${value}, beyond what backend ${backend} computes with (${limitName}: at most ${limit}); use smaller values or another backend`,
        );
      }
    }
  }
  const count = (shape: readonly number[]) => shape.reduce((p, v) => p * BigInt(v), 1n);
  for (const [parameter, shape] of [
    ['input', g.inputShape],
    ['weight', g.weightShape],
    ['output', g.outputShape],
  ] as const) {
    if (count(shape) > max) {
      throw new LimitError(
        'LIMIT_EXCEEDED',
        parameter,
        `${parameter} of shape [${shape.join(', ')}] has ${count(shape)} elements, beyond what backend ${backend} indexes (${limitName}: at most ${limit})`,
      );
    }
  }
}

function describeAxis(g: GeometryBase, a: number): string {
  return `(axis ${a}: input ${g.inputSize[a]}, kernel ${g.kernelSize[a]}, output ${g.outputSize[a]}, stride ${g.stride[a]}, dilation ${g.dilation[a]}, pads ${g.padBegin[a]}/${g.padEnd[a]})`;
}

/**
 * For backends whose kernels hold geometry in 32-bit integers (WebAssembly, WGSL): every size,
 * stride, dilation, pad and derived index within ±(2^31 − 1), else a {@link LimitError} naming the
 * parameter. Call it on the resolved geometry before planning or writing any `Int32Array`.
 * @example
 * ```ts
 * const g = resolveConvTranspose([1, 1, 1], [1, 1, 2], { dilation: 2 ** 32, padding: 2 ** 32 });
 * checkInt32Geometry(g, 'wasm'); // LimitError: dilation[0] … beyond what backend wasm computes with (int32 …)
 * ```
 */
export function checkInt32Geometry(
  g: GeometryBase & { readonly kind: 'conv' | 'convTranspose' },
  backend: string,
): void {
  checkGeometryIndices(g, MAX_INT32, backend, 'int32');
}

/**
 * For JavaScript kernels (doubles): every derived index within ±(2^53 − 1). Core's
 * `prepareConvTranspose` / `prepareConv` call it, so every backend gets at least this.
 */
export function checkSafeGeometry(
  g: GeometryBase & { readonly kind: 'conv' | 'convTranspose' },
  backend: string,
): void {
  checkGeometryIndices(g, MAX_SAFE_INDEX, backend, 'safe integers');
}

/**
 * Turns a failed typed-array allocation (a `RangeError`: the engine could not reserve the memory,
 * or the length passes what a typed array holds) into a {@link LimitError} naming what was being
 * allocated; any other error is rethrown as it is.
 * @param error - what the allocation threw
 * @param bytes - how many bytes were asked for
 * @param what - what the buffer is for (`"output"`, `"cpu scratch"`)
 * @example
 * ```ts
 * try {
 *   buffer = new Float64Array(n);
 * } catch (e) {
 *   allocationFailed(e, 8 * n, 'output');
 * }
 * ```
 */
export function allocationFailed(error: unknown, bytes: number, what: string): never {
  if (error instanceof RangeError) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      what,
      `could not allocate ${bytes} bytes for the ${what} (${error.message}): this process has not that much memory to give; use smaller tensors or free memory`,
    );
  }
  throw error;
}
