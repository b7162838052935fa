/// <reference types="@webgpu/types" />
import type {
  ConvGeometry,
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  Tensor,
} from '@tconv/core';
import {
  adjointGeometry,
  checkTensor,
  DTypeError,
  dtypeOf,
  describeValue,
  resolveConv,
  resolveConvTranspose,
  ShapeError,
  UnsupportedError,
} from '@tconv/core';
import type { GpuContext, Region } from './context';
import { checkAlive, read, upload } from './context';
import { checkBufferSize } from './limits';
import { biasGradientGpu, forward, weightGradient } from './ops';
import { product } from './params';

/**
 * A float32 tensor that lives in a GPU buffer of one backend: the result of `upload` or of a
 * GPU-resident call, the input of the next call, read back once with `read`. Row-major
 * (`[N, C, ...spatial]`), like {@link Tensor}.
 */
export interface GpuTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  /**
   * The buffer holding the values from byte 0 (it may be larger: buffers are pooled). Usage
   * STORAGE | COPY_SRC | COPY_DST, so your own passes can read or fill it; do not destroy it —
   * {@link GpuTensors.release} it.
   */
  readonly buffer: GPUBuffer;
}

/**
 * The GPU-resident API: upload once, chain layers without leaving the GPU, read back once.
 * Calls resolve when the device has accepted the work (not when it is done), so a chain of layers
 * runs without a CPU round trip between them; `read` waits for the result.
 * @example
 * ```ts
 * const x = gpu.upload(input);
 * const h = await gpu.convTransposeGpu(x, gpu.upload(w1), { stride: 2, padding: 1 });
 * const y = await gpu.convTransposeGpu(h, gpu.upload(w2), { stride: 2, padding: 1 });
 * const out = await gpu.read(y); // a Tensor
 * gpu.release(h); gpu.release(y);
 * ```
 */
export interface GpuTensors {
  /** Copies a float32 tensor into a pooled GPU buffer. */
  upload(tensor: Tensor): GpuTensor;
  /** Copies a GPU tensor back (rejects if the device was lost). */
  read(tensor: GpuTensor): Promise<Tensor>;
  /** Gives a GPU tensor's buffer back to the pool; the tensor must not be used afterwards. */
  release(tensor: GpuTensor): void;
  /** Transposed convolution of GPU tensors into a new GPU tensor (same options as `convTranspose`). */
  convTransposeGpu(input: GpuTensor, weight: GpuTensor, options?: ConvTransposeOptions): Promise<GpuTensor>;
  /** Convolution of GPU tensors into a new GPU tensor (same options as `conv`). */
  convGpu(input: GpuTensor, weight: GpuTensor, options?: ConvOptions): Promise<GpuTensor>;
  /** Both gradients of `convTransposeGpu` (and the bias gradient) as new GPU tensors. */
  convTransposeBackwardGpu(
    gradOutput: GpuTensor,
    input: GpuTensor,
    weight: GpuTensor,
    options?: ConvTransposeOptions,
  ): Promise<GpuGradients>;
  /** Both gradients of `convGpu` (and the bias gradient) as new GPU tensors. */
  convBackwardGpu(
    gradOutput: GpuTensor,
    input: GpuTensor,
    weight: GpuTensor,
    options?: ConvOptions,
  ): Promise<GpuGradients>;
}

/** The gradients of a GPU-resident call, on the GPU: shapes as in core's `Gradients`. */
export interface GpuGradients {
  readonly input: GpuTensor;
  readonly weight: GpuTensor;
  readonly bias: GpuTensor;
}

function gpuBias(bias: ConvOptions['bias']): Float32Array | null {
  if (bias === undefined) return null;
  if (bias instanceof Float64Array) {
    throw new DTypeError(
      'DTYPE_MISMATCH',
      'bias',
      'bias is float64 but GPU tensors are float32: input, weight and bias must share one float type',
    );
  }
  for (let i = 0; i < bias.length; i++) {
    if (typeof bias[i] !== 'number') {
      throw new DTypeError(
        'DTYPE_MISMATCH',
        `bias[${i}]`,
        `bias[${i}] must be a number, but got ${describeValue(bias[i])}`,
      );
    }
  }
  return Float32Array.from(bias);
}

/** The GPU-resident methods of a backend on `ctx`; `call` rejects once the backend is unusable. */
export function createGpuTensors(
  ctx: GpuContext,
  call: <T>(body: () => Promise<T>) => Promise<T>,
): GpuTensors {
  const live = new WeakMap<GpuTensor, Region>();
  const regionOf = (t: GpuTensor, name: string): Region => {
    const r = live.get(t);
    if (!r) {
      throw new ShapeError(
        'INVALID_DATA',
        name,
        `${name} is not a live GPU tensor of this backend (released, or from another backend)`,
      );
    }
    return r;
  };
  const wrap = (shape: readonly number[], region: Region): GpuTensor => {
    const t: GpuTensor = Object.freeze({
      shape: Object.freeze([...shape]),
      dtype: 'float32',
      buffer: region.buffer,
    });
    live.set(t, region);
    return t;
  };
  const backward = async (
    g: ConvTransposeGeometry | ConvGeometry,
    gradOutput: GpuTensor,
    input: GpuTensor,
    weight: GpuTensor,
  ): Promise<GpuGradients> => {
    if (gradOutput.shape.join() !== g.outputShape.join()) {
      throw new ShapeError(
        'INVALID_SHAPE',
        'gradOutput',
        `gradOutput must have the forward output's shape ${describeValue(g.outputShape)}, but got ${describeValue(gradOutput.shape)}`,
      );
    }
    const gy = regionOf(gradOutput, 'gradOutput');
    const x = regionOf(input, 'input');
    const w = regionOf(weight, 'weight');
    const adjoint = g.kind === 'convTranspose' ? adjointGeometry(g) : adjointGeometry(g);
    const made: Region[] = [];
    try {
      made.push(await forward(ctx, adjoint, gy, w, null));
      made.push(await weightGradient(ctx, g, x, gy));
      made.push(await biasGradientGpu(ctx, g, gy));
    } catch (e) {
      for (const r of made) ctx.pool.release(r.buffer);
      throw e;
    }
    return {
      input: wrap(g.inputShape, made[0]!),
      weight: wrap(g.weightShape, made[1]!),
      bias: wrap([g.outChannels], made[2]!),
    };
  };
  return {
    convTransposeBackwardGpu: (gradOutput, input, weight, options = {}) =>
      call(() =>
        backward(resolveConvTranspose(input.shape, weight.shape, options), gradOutput, input, weight),
      ),
    convBackwardGpu: (gradOutput, input, weight, options = {}) =>
      call(() => backward(resolveConv(input.shape, weight.shape, options), gradOutput, input, weight)),
    upload(tensor) {
      checkAlive(ctx);
      checkTensor(tensor, 'tensor');
      if (dtypeOf(tensor.data) !== 'float32') {
        throw new UnsupportedError(
          'UNSUPPORTED',
          'tensor.data',
          `backend webgpu supports float32, but the tensor is ${dtypeOf(tensor.data)}`,
        );
      }
      checkBufferSize(ctx.limits, tensor.data.length, 'tensor');
      return wrap(tensor.shape, upload(ctx, tensor.data as Float32Array));
    },
    read: (tensor) =>
      call(async () => {
        const r = regionOf(tensor, 'tensor');
        return { shape: [...tensor.shape], data: await read(ctx, r, product(tensor.shape)) };
      }),
    release(tensor) {
      const r = live.get(tensor);
      if (!r) return;
      live.delete(tensor);
      if (!ctx.disposed) ctx.pool.release(r.buffer);
    },
    convTransposeGpu: (input, weight, options = {}) =>
      call(async () => {
        const g = resolveConvTranspose(input.shape, weight.shape, options);
        const x = regionOf(input, 'input');
        const w = regionOf(weight, 'weight');
        return wrap(g.outputShape, await forward(ctx, g, x, w, gpuBias(options.bias)));
      }),
    convGpu: (input, weight, options = {}) =>
      call(async () => {
        const g = resolveConv(input.shape, weight.shape, options);
        const x = regionOf(input, 'input');
        const w = regionOf(weight, 'weight');
        return wrap(g.outputShape, await forward(ctx, g, x, w, gpuBias(options.bias)));
      }),
  };
}
