import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import type { GpuContext, Region } from './context';
import { run, scratch, upload } from './context';
import type { KernelSpec } from './kernel-spec';
import { chooseConvTile, convTiled } from './kernels/conv-tiled';
import { convDirect, convTransposeDirect, setBias } from './kernels/direct';
import { convTransposeLong1d, takesLong1d } from './kernels/long-1d';
import { chooseTile, convTransposeTiled } from './kernels/phase-tiled';
import {
  biasGradientPartial,
  sumParts,
  WEIGHT_GRADIENT_MAX_PARTS,
  WEIGHT_GRADIENT_THREADS,
  weightCorrelation,
  weightGradientPartial,
  weightGradientParts,
} from './kernels/weight-gradient';
import { checkBufferSize, checkIndexRange, checkTable } from './limits';
import { product } from './params';

/**
 * The operations on GPU buffers, shared by the `Tensor` methods and the GPU-resident API: each
 * checks the limits, records its kernels and resolves with a pooled output region once the work
 * is submitted. The caller owns the output (gives it back to the pool when done).
 */

/**
 * The transposed-convolution kernels: `'direct'` gathers one output per invocation (the plain
 * exact path), `'tiled'` is the stride-phase implicit GEMM with register tiles. Both compute every
 * geometry; they differ in speed.
 */
export type ConvTransposeKernelName = 'direct' | 'tiled' | 'long1d';

/**
 * The kernel a transposed convolution takes by shape: the long-kernel path for iSTFT-like 1D
 * layers, else the tiled stride-phase GEMM with its tile chosen by shape ({@link chooseTile});
 * `force` picks one (tests check each against the definition).
 */
export function convTransposeKernel(g: ConvTransposeGeometry, force?: ConvTransposeKernelName): KernelSpec {
  if (force === 'direct') return convTransposeDirect(g);
  if (force !== 'tiled' && takesLong1d(g)) return convTransposeLong1d(g);
  return convTransposeTiled(g, chooseTile(g));
}

/**
 * The kernel a convolution takes: the register-tiled implicit GEMM ({@link chooseConvTile});
 * with `force` `'direct'`, the direct gather (tests check both against the definition).
 */
export function convKernel(g: ConvGeometry, force?: ConvTransposeKernelName): KernelSpec {
  return force === 'direct' ? convDirect(g) : convTiled(g, chooseConvTile(g));
}

/** Checks what every operation on a geometry must respect before anything is allocated. */
export function checkGeometry(ctx: GpuContext, g: ConvTransposeGeometry | ConvGeometry): void {
  checkIndexRange(g);
  if (g.kind === 'convTranspose') checkTable(g);
  checkBufferSize(ctx.limits, product(g.inputShape), 'input');
  checkBufferSize(ctx.limits, product(g.weightShape), 'weight');
  checkBufferSize(ctx.limits, product(g.outputShape), 'output');
}

/** Runs a forward kernel (transposed convolution or convolution) into a new pooled region. */
export async function forward(
  ctx: GpuContext,
  g: ConvTransposeGeometry | ConvGeometry,
  x: Region,
  w: Region,
  bias: Float32Array | null,
): Promise<Region> {
  checkGeometry(ctx, g);
  const spec = g.kind === 'convTranspose' ? convTransposeKernel(g, ctx.kernel) : convKernel(g, ctx.kernel);
  setBias(spec, bias !== null);
  let output: Region | undefined;
  let biasRegion: Region | undefined;
  try {
    await run(ctx, [spec], () => {
      biasRegion = upload(ctx, bias ?? new Float32Array(1));
      output = scratch(ctx, product(g.outputShape));
      return [{ spec, operands: [x, w, biasRegion], output }];
    });
  } catch (e) {
    if (output) ctx.pool.release(output.buffer);
    throw e;
  } finally {
    if (biasRegion) ctx.pool.release(biasRegion.buffer);
  }
  return output!;
}

/**
 * The weight gradient of a geometry into a new pooled region: `a` is the operand the correlation
 * reads at its own positions (the input of a transposed convolution, the output gradient of a
 * convolution), `b` the other; see {@link weightCorrelation}.
 */
export async function weightGradient(
  ctx: GpuContext,
  g: ConvTransposeGeometry | ConvGeometry,
  input: Region,
  gradOutput: Region,
): Promise<Region> {
  checkGeometry(ctx, g);
  const c = weightCorrelation(g);
  const [a, b] = g.kind === 'convTranspose' ? [input, gradOutput] : [gradOutput, input];
  const weights = product(g.weightShape);
  const parts = weightGradientParts(c);
  checkBufferSize(ctx.limits, weights * parts, 'weight gradient partial sums');
  const partial = weightGradientPartial(c, parts);
  const specs = parts > 1 ? [partial, sumParts(weights, parts)] : [partial];
  let output: Region | undefined;
  let partRegion: Region | undefined;
  try {
    await run(ctx, specs, () => {
      output = scratch(ctx, weights);
      if (parts === 1) return [{ spec: partial, operands: [a, b], output }];
      partRegion = scratch(ctx, weights * parts);
      return [
        { spec: partial, operands: [a, b], output: partRegion },
        { spec: specs[1]!, operands: [partRegion], output },
      ];
    });
  } catch (e) {
    if (output) ctx.pool.release(output.buffer);
    throw e;
  } finally {
    if (partRegion) ctx.pool.release(partRegion.buffer);
  }
  return output!;
}

/** The bias gradient (the output gradient summed over batch and positions, per channel) on the GPU. */
export async function biasGradientGpu(
  ctx: GpuContext,
  g: ConvTransposeGeometry | ConvGeometry,
  gradOutput: Region,
): Promise<Region> {
  const plane = product(g.outputSize);
  const rows = g.batch * plane;
  const parts = Math.max(
    1,
    Math.min(Math.ceil(WEIGHT_GRADIENT_THREADS / g.outChannels), rows, WEIGHT_GRADIENT_MAX_PARTS),
  );
  const partial = biasGradientPartial(g.batch, g.outChannels, plane, parts);
  const specs = parts > 1 ? [partial, sumParts(g.outChannels, parts)] : [partial];
  let output: Region | undefined;
  let partRegion: Region | undefined;
  try {
    await run(ctx, specs, () => {
      output = scratch(ctx, g.outChannels);
      if (parts === 1) return [{ spec: partial, operands: [gradOutput], output }];
      partRegion = scratch(ctx, g.outChannels * parts);
      return [
        { spec: partial, operands: [gradOutput], output: partRegion },
        { spec: specs[1]!, operands: [partRegion], output },
      ];
    });
  } catch (e) {
    if (output) ctx.pool.release(output.buffer);
    throw e;
  } finally {
    if (partRegion) ctx.pool.release(partRegion.buffer);
  }
  return output!;
}
