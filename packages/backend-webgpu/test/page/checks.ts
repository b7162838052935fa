// Checks shared by the property pages: one problem's forward passes and gradients on the WebGPU
// backend against the CPU definition, each element within the worst-case float32 rounding bound
// of its own sum (γ·Σ|a·b|, γ = (terms + 2)·2^-24, Σ|a·b| from the same operation on |values|).
import { cpuBackend, referenceConv, referenceConvTranspose } from '@tconv/backend-cpu';
import type { ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { resolveConv, resolveConvTranspose, seeded, tensor } from '@tconv/core';
import type { ReferenceOp } from '@tconv/testing';
import { expectWithinRounding, unitRoundoff } from '@tconv/testing';
import type { WebGpuBackend } from '../../src';

const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);

/** Throws unless every `actual[i]` is within `(terms + 2)·u·magnitude[i]` of `exact[i]`. */
export function expectBound(
  what: string,
  actual: Tensor,
  exact: Tensor,
  magnitude: Tensor,
  terms: number,
): void {
  if (actual.shape.join() !== exact.shape.join()) {
    throw new Error(`${what}: shape [${actual.shape}], expected [${exact.shape}]`);
  }
  if (!(actual.data instanceof Float32Array)) throw new Error(`${what}: not float32`);
  const gamma = (terms + 2) * unitRoundoff('float32');
  for (let i = 0; i < exact.data.length; i++) {
    const err = Math.abs(actual.data[i]! - exact.data[i]!);
    if (!(err <= gamma * magnitude.data[i]!)) {
      throw new Error(
        `${what}[${i}] = ${actual.data[i]}, expected ${exact.data[i]} (error ${err.toExponential(2)} > bound ${(gamma * magnitude.data[i]!).toExponential(2)})`,
      );
    }
  }
}

const f64 = (t: Tensor, abs = false): Tensor =>
  tensor(abs ? Float64Array.from(t.data, Math.abs) : Float64Array.from(t.data), t.shape);
const absBias = <O extends ConvOptions>(o: O): O =>
  o.bias ? { ...o, bias: Float64Array.from(o.bias as ArrayLike<number>, Math.abs) } : o;
const f64Bias = <O extends ConvOptions>(o: O): O =>
  o.bias ? { ...o, bias: Float64Array.from(o.bias as ArrayLike<number>) } : o;

/** The WebGPU transposed convolution of random data against the definition. */
export async function checkConvTranspose(
  gpu: WebGpuBackend,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvTransposeOptions,
  seed: number,
): Promise<void> {
  const g = resolveConvTranspose(inputShape, weightShape, options);
  const x = tensor(seeded(prod(inputShape), seed) as Float32Array, inputShape);
  const w = tensor(seeded(prod(weightShape), seed + 1) as Float32Array, weightShape);
  const y = await gpu.convTranspose(x, w, options);
  const terms = g.inChannelsPerGroup * prod(g.kernelSize) + 1;
  expectWithinRounding(y, x, w, options, referenceConvTranspose, terms);
}

/** The WebGPU convolution of random data against the definition. */
export async function checkConv(
  gpu: WebGpuBackend,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvOptions,
  seed: number,
): Promise<void> {
  const g = resolveConv(inputShape, weightShape, options);
  const x = tensor(seeded(prod(inputShape), seed) as Float32Array, inputShape);
  const w = tensor(seeded(prod(weightShape), seed + 1) as Float32Array, weightShape);
  const y = await gpu.conv(x, w, options);
  const terms = g.inChannelsPerGroup * prod(g.kernelSize) + 1;
  expectWithinRounding(y, x, w, options, referenceConv as ReferenceOp, terms);
}

/**
 * Both gradients of a transposed convolution (`op` 'convTranspose') or convolution ('conv') on
 * WebGPU against the CPU backend's in float64, bounds from the CPU gradients of |values|.
 */
export async function checkGradients(
  gpu: WebGpuBackend,
  op: 'convTranspose' | 'conv',
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvTransposeOptions,
  seed: number,
): Promise<void> {
  const g =
    op === 'convTranspose'
      ? resolveConvTranspose(inputShape, weightShape, options)
      : resolveConv(inputShape, weightShape, options);
  const x = tensor(seeded(prod(inputShape), seed) as Float32Array, inputShape);
  const w = tensor(seeded(prod(weightShape), seed + 1) as Float32Array, weightShape);
  const gy = tensor(seeded(prod(g.outputShape), seed + 2) as Float32Array, g.outputShape);
  const run = (b: typeof cpuBackend, a: Tensor, bx: Tensor, bw: Tensor, o: ConvTransposeOptions) =>
    op === 'convTranspose' ? b.convTransposeBackward(a, bx, bw, o) : b.convBackward(a, bx, bw, o);
  const got =
    op === 'convTranspose'
      ? await gpu.convTransposeBackward(gy, x, w, options)
      : await gpu.convBackward(gy, x, w, options);
  const exact = run(cpuBackend, f64(gy), f64(x), f64(w), f64Bias(options));
  const magnitude = run(cpuBackend, f64(gy, true), f64(x, true), f64(w, true), absBias(options));
  const reduction = g.batch * prod(g.kind === 'convTranspose' ? g.inputSize : g.outputSize);
  // an input receives Cout/groups channels × every tap, in both directions
  const adjointTerms = g.outChannelsPerGroup * prod(g.kernelSize);
  expectBound('input gradient', got.input, exact.input, magnitude.input, adjointTerms);
  expectBound('weight gradient', got.weight, exact.weight, magnitude.weight, reduction);
  expectBound('bias gradient', got.bias, exact.bias, magnitude.bias, g.batch * prod(g.outputSize));
}

/** A readable description of a problem, for failure reports. */
export function describeProblem(
  op: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvTransposeOptions | ConvOptions,
): string {
  const { bias, ...rest } = options;
  return `${op} input [${inputShape}] weight [${weightShape}] ${JSON.stringify(rest)}${bias ? ' +bias' : ''}`;
}

/** Runs a check, turning a throw into a failed result. */
export async function attempt(
  id: string,
  body: () => Promise<void>,
): Promise<{ id: string; ok: boolean; message?: string }> {
  try {
    await body();
    return { id, ok: true };
  } catch (e) {
    return { id, ok: false, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
