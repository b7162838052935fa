/// <reference types="@webgpu/types" />
import type {
  Backend,
  ConvGeometry,
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  Gradients,
  Tensor,
} from '@tconv/core';
import {
  adjointGeometry,
  biasGradient,
  describeValue,
  OptionError,
  prepareConv,
  prepareConvBackward,
  prepareConvTranspose,
  prepareConvTransposeBackward,
  recomputeNonFinite,
} from '@tconv/core';
import type { GpuContext, Region } from './context';
import { checkAlive, createContext, read, upload } from './context';
import type { DeviceLimits } from './device';
import { acquireDevice } from './device';
import type { GpuTensors } from './gpu-tensor';
import { createGpuTensors } from './gpu-tensor';
import type { ConvTransposeKernelName } from './ops';
import { forward, weightGradient } from './ops';

const NAME = 'webgpu';
/** WebGPU has no float64; float32 in, float32 out, accumulated in float32. */
const CAPABILITIES = { dtypes: ['float32'] } as const;
/** What core's `prepare*` checks every call against (the one capability predicate). */
const DECLARED = { name: NAME, capabilities: CAPABILITIES };

/** Options of {@link createWebGpuBackend}. */
export interface WebGpuBackendOptions {
  /** A device to run on (e.g. one your app already uses); default one from `navigator.gpu`. */
  device?: GPUDevice;
  /**
   * Workgroups per dispatch axis, at most the device's `maxComputeWorkgroupsPerDimension` (its
   * default). Lower values split dispatches sooner; tests use it to exercise the splitting.
   */
  maxWorkgroupsPerDimension?: number;
  /**
   * The transposed-convolution kernel for every call instead of the one chosen by shape:
   * `'direct'` (one output per invocation), `'tiled'` (stride-phase GEMM with register tiles) or
   * `'long1d'` (long 1D kernels with few output channels; other shapes take `'tiled'`).
   * All compute the same; tests use it to check each against the definition.
   */
  kernel?: ConvTransposeKernelName;
}

/**
 * The WebGPU backend: the contract's `Tensor` methods (each uploads, computes, reads back) and a
 * GPU-resident API that keeps tensors in GPU buffers between calls (see {@link GpuTensors}).
 */
export interface WebGpuBackend extends Backend, GpuTensors {
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Promise<Tensor>;
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Promise<Tensor>;
  convTransposeBackward(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Promise<Gradients>;
  convBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvOptions): Promise<Gradients>;
  readonly capabilities: { readonly dtypes: readonly ['float32'] };
  /** The device the backend runs on. */
  readonly device: GPUDevice;
  /** The adapter's description (vendor / architecture / device), e.g. to label benchmark figures. */
  readonly adapter: string;
  /** The device limits the kernels respect. */
  readonly limits: DeviceLimits;
  /** Bytes of GPU memory lent to live results and idle in the pool. */
  memory(): { liveBytes: number; idleBytes: number };
  /**
   * Destroys every buffer (pooled and live `GpuTensor`s) and, when the backend created the device,
   * the device. Later calls reject.
   */
  dispose(): Promise<void>;
}

/** Uploads the operands of a call, runs `body` on them and gives every buffer back afterwards. */
async function withUploads<T>(
  ctx: GpuContext,
  arrays: readonly Float32Array[],
  body: (regions: Region[]) => Promise<T>,
): Promise<T> {
  checkAlive(ctx);
  const regions: Region[] = [];
  try {
    for (const a of arrays) regions.push(upload(ctx, a));
    return await body(regions);
  } finally {
    for (const r of regions) ctx.pool.release(r.buffer);
  }
}

/** Runs a forward geometry on tensors and reads the result back. */
function forwardTensors(
  ctx: GpuContext,
  g: ConvTransposeGeometry | ConvGeometry,
  input: Tensor,
  weight: Tensor,
  bias: Float32Array | null,
): Promise<Tensor> {
  return withUploads(ctx, [input.data as Float32Array, weight.data as Float32Array], async ([x, w]) => {
    const y = await forward(ctx, g, x!, w!, bias);
    try {
      const data = await read(ctx, y, y.bytes / 4);
      // core's float32 overflow rule: an element a product or partial sum overflowed is
      // recomputed by the definition in float64 and rounded once (a pass over the output)
      recomputeNonFinite(g, input.data, weight.data, bias, data);
      return { shape: [...g.outputShape], data };
    } finally {
      ctx.pool.release(y.buffer);
    }
  });
}

/** Both gradients of a forward geometry: input by the adjoint's forward kernel, weight by the reduction. */
function backwardTensors(
  ctx: GpuContext,
  g: ConvTransposeGeometry | ConvGeometry,
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
): Promise<Gradients> {
  const arrays = [gradOutput.data, input.data, weight.data] as Float32Array[];
  return withUploads(ctx, arrays, async ([gy, x, w]) => {
    const adjoint = g.kind === 'convTranspose' ? adjointGeometry(g) : adjointGeometry(g);
    const dx = await forward(ctx, adjoint, gy!, w!, null);
    let dw: Region | undefined;
    try {
      dw = await weightGradient(ctx, g, x!, gy!);
      const [dxData, dwData] = await Promise.all([read(ctx, dx, dx.bytes / 4), read(ctx, dw, dw.bytes / 4)]);
      recomputeNonFinite(adjoint, gradOutput.data, weight.data, null, dxData);
      return {
        input: { shape: [...g.inputShape], data: dxData },
        weight: { shape: [...g.weightShape], data: dwData },
        bias: { shape: [g.outChannels], data: biasGradient(g, gradOutput.data) },
      };
    } finally {
      ctx.pool.release(dx.buffer);
      if (dw) ctx.pool.release(dw.buffer);
    }
  });
}

/**
 * Creates the WebGPU backend on `options.device`, or on an adapter and device requested from
 * `navigator.gpu`. Every method returns a Promise; float32 only (declared in `capabilities`).
 * @throws (rejects) {@link UnsupportedError} naming what is missing when WebGPU is not available
 * @example
 * ```ts
 * const gpu = await createWebGpuBackend();
 * const y = await gpu.convTranspose(x, w, { stride: 2, padding: 1 });
 * await gpu.dispose();
 * ```
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  if (options.kernel !== undefined && !['direct', 'tiled', 'long1d'].includes(options.kernel)) {
    throw new OptionError(
      'INVALID_OPTION',
      'kernel',
      `kernel must be 'direct', 'tiled' or 'long1d', but got ${describeValue(options.kernel)}`,
    );
  }
  const wg = options.maxWorkgroupsPerDimension;
  if (wg !== undefined && !(Number.isSafeInteger(wg) && wg >= 1)) {
    throw new OptionError(
      'INVALID_OPTION',
      'maxWorkgroupsPerDimension',
      `maxWorkgroupsPerDimension must be a positive integer, but got ${describeValue(wg)}`,
    );
  }
  const acquired = await acquireDevice(options.device);
  const ctx = createContext(acquired, options.maxWorkgroupsPerDimension, options.kernel);
  const call = <T>(body: () => Promise<T>): Promise<T> => {
    try {
      checkAlive(ctx);
    } catch (e) {
      return Promise.reject(e);
    }
    return body();
  };
  return {
    name: NAME,
    capabilities: CAPABILITIES,
    device: ctx.device,
    adapter: ctx.adapter,
    limits: ctx.limits,
    convTranspose: (input, weight, opts) =>
      call(async () => {
        const { geometry: g, bias } = prepareConvTranspose(input, weight, opts, DECLARED);
        return forwardTensors(ctx, g, input, weight, bias as Float32Array | null);
      }),
    conv: (input, weight, opts) =>
      call(async () => {
        const { geometry: g, bias } = prepareConv(input, weight, opts, DECLARED);
        return forwardTensors(ctx, g, input, weight, bias as Float32Array | null);
      }),
    convTransposeBackward: (gradOutput, input, weight, opts) =>
      call(async () => {
        const { geometry: g } = prepareConvTransposeBackward(gradOutput, input, weight, opts, DECLARED);
        return backwardTensors(ctx, g, gradOutput, input, weight);
      }),
    convBackward: (gradOutput, input, weight, opts) =>
      call(async () => {
        const { geometry: g } = prepareConvBackward(gradOutput, input, weight, opts, DECLARED);
        return backwardTensors(ctx, g, gradOutput, input, weight);
      }),
    ...createGpuTensors(ctx, call),
    memory: () => ctx.pool.stats(),
    dispose: async () => {
      if (ctx.disposed) return;
      ctx.disposed = true;
      ctx.pool.destroyAll();
      if (ctx.owned) ctx.device.destroy();
    },
  };
}
