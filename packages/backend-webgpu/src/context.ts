/// <reference types="@webgpu/types" />
import type { AcquiredDevice, DeviceLimits } from './device';
import { DeviceLostError, deviceLimits } from './device';
import type { KernelSpec } from './kernel-spec';
import type { ConvTransposeKernelName } from './ops';
import { dispatchPlan } from './params';
import type { BufferPool } from './pool';
import { createBufferPool } from './pool';

/** A buffer region a kernel binds: the buffer (pooled, maybe larger) and the bytes in use. */
export interface Region {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
}

/** Everything the backend keeps per device: pipelines, the pool, the lost state. */
export interface GpuContext {
  readonly device: GPUDevice;
  readonly owned: boolean;
  readonly adapter: string;
  readonly limits: DeviceLimits;
  /** Workgroups per grid axis a dispatch may use (the device limit, or lower for tests). */
  readonly maxWorkgroups: number;
  readonly pool: BufferPool;
  readonly pipelines: Map<string, Promise<GPUComputePipeline>>;
  /** Rejects when the device is lost; every wait races it. */
  readonly lost: Promise<never>;
  /** Set once the device is lost (then every call rejects with it). */
  lostError: DeviceLostError | null;
  disposed: boolean;
  /** Forces one transposed-convolution kernel for every call (tests); default chosen by shape. */
  readonly kernel: ConvTransposeKernelName | undefined;
}

export const STORAGE = 0x80 | 0x08 | 0x04; // STORAGE | COPY_DST | COPY_SRC
const UNIFORM = 0x40 | 0x08; // UNIFORM | COPY_DST
const READBACK = 0x01 | 0x08; // MAP_READ | COPY_DST

/** Creates the per-device state and starts watching `device.lost`. */
export function createContext(
  acquired: AcquiredDevice,
  maxWorkgroups?: number,
  kernel?: ConvTransposeKernelName,
): GpuContext {
  const { device } = acquired;
  const limits = deviceLimits(device);
  let ctx: GpuContext | undefined;
  const lost = device.lost.then((info) => {
    const error = new DeviceLostError(info.reason ?? 'unknown', info.message ?? '');
    if (ctx) ctx.lostError = error;
    throw error;
  });
  lost.catch(() => {}); // observed by every call through guard(); never an unhandled rejection
  ctx = {
    device,
    owned: acquired.owned,
    adapter: acquired.adapter,
    limits,
    maxWorkgroups: Math.min(maxWorkgroups ?? Infinity, limits.maxComputeWorkgroupsPerDimension),
    pool: createBufferPool(device),
    pipelines: new Map(),
    lost,
    lostError: null,
    disposed: false,
    kernel,
  };
  return ctx;
}

/** Throws when the backend can no longer run: the device is lost or the backend disposed. */
export function checkAlive(ctx: GpuContext): void {
  if (ctx.lostError) throw ctx.lostError;
  if (ctx.disposed) throw new Error('this WebGPU backend was disposed; create a new one');
}

/** Waits for `promise`, but rejects as soon as the device is lost (a lost device never hangs a call). */
export function guard<T>(ctx: GpuContext, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, ctx.lost]);
}

/** The compiled pipeline of a kernel, compiled once per key. */
export function pipeline(ctx: GpuContext, spec: KernelSpec): Promise<GPUComputePipeline> {
  let p = ctx.pipelines.get(spec.key);
  if (!p) {
    const module = ctx.device.createShaderModule({ code: spec.source(), label: spec.key });
    p = ctx.device.createComputePipelineAsync({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
      label: spec.key,
    });
    ctx.pipelines.set(spec.key, p);
    p.catch(() => ctx.pipelines.delete(spec.key));
  }
  return guard(ctx, p);
}

/** A pooled storage buffer holding `data` (written through the queue). */
export function upload(ctx: GpuContext, data: Float32Array | Int32Array): Region {
  const bytes = Math.max(data.byteLength, 4);
  const buffer = ctx.pool.acquire(bytes, STORAGE);
  if (data.byteLength > 0)
    ctx.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return { buffer, bytes: Math.ceil(bytes / 4) * 4 };
}

/** A pooled storage buffer for `elements` float32 values (contents undefined until written). */
export function scratch(ctx: GpuContext, elements: number): Region {
  const bytes = Math.max(elements * 4, 4);
  return { buffer: ctx.pool.acquire(bytes, STORAGE), bytes };
}

/** One kernel to record: its spec, its operands in binding order, and its output. */
export interface Step {
  readonly spec: KernelSpec;
  readonly operands: readonly Region[];
  readonly output: Region;
}

/**
 * Compiles the kernels (once per key), then — synchronously, so concurrent calls cannot mix their
 * error scopes — lets `build` take its buffers from the pool and records its steps into one
 * command buffer (a compute pass each, split into dispatches within `maxWorkgroups` per grid
 * axis), submits it, and gives the uniform and table buffers back to the pool (safe after submit:
 * the queue keeps order). Rejects with the first validation or out-of-memory error the device
 * reports. Resolves once the device has accepted the work, not when it is done.
 */
export async function run(
  ctx: GpuContext,
  specs: readonly KernelSpec[],
  build: () => readonly Step[],
): Promise<void> {
  const pipelines = await Promise.all(specs.map((s) => pipeline(ctx, s)));
  checkAlive(ctx);
  const { device } = ctx;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let pops: Promise<GPUError | null>[];
  try {
    record(ctx, build(), specs, pipelines);
  } finally {
    pops = [device.popErrorScope(), device.popErrorScope()];
  }
  const errors = await guard(ctx, Promise.all(pops));
  const error = errors.find((e) => e !== null);
  if (error) throw new Error(`WebGPU error: ${error.message}`);
}

function record(
  ctx: GpuContext,
  steps: readonly Step[],
  specs: readonly KernelSpec[],
  pipelines: readonly GPUComputePipeline[],
): void {
  const { device } = ctx;
  const transient: GPUBuffer[] = [];
  const encoder = device.createCommandEncoder();
  steps.forEach((step, i) => {
    const { spec } = step;
    if (spec !== specs[i] || spec.operands !== step.operands.length) {
      throw new Error(`internal: step ${i} (${spec.key}) does not match its kernel`);
    }
    const regions: Region[] = [...step.operands];
    if (spec.table) {
      const table = upload(ctx, spec.table);
      transient.push(table.buffer);
      regions.push(table);
    }
    regions.push(step.output);
    const layout = pipelines[i]!.getBindGroupLayout(0);
    const pass = encoder.beginComputePass({ label: spec.key });
    pass.setPipeline(pipelines[i]!);
    for (const part of dispatchPlan(spec.total, spec.workgroupSize, ctx.maxWorkgroups)) {
      const values = spec.params.values.slice();
      values[0] = part.base;
      values[1] = part.x * spec.workgroupSize;
      const uniform = ctx.pool.acquire(values.byteLength, UNIFORM);
      device.queue.writeBuffer(uniform, 0, values);
      transient.push(uniform);
      const entries: GPUBindGroupEntry[] = regions.map((r, b) => ({
        binding: b,
        resource: { buffer: r.buffer, size: r.bytes },
      }));
      entries.push({ binding: regions.length, resource: { buffer: uniform, size: values.byteLength } });
      pass.setBindGroup(0, device.createBindGroup({ layout, entries }));
      pass.dispatchWorkgroups(part.x, part.y);
    }
    pass.end();
  });
  device.queue.submit([encoder.finish()]);
  for (const b of transient) ctx.pool.release(b);
}

/** Copies `elements` float32 values of a region back to the CPU (rejects if the device is lost). */
export async function read(ctx: GpuContext, region: Region, elements: number): Promise<Float32Array> {
  checkAlive(ctx);
  const bytes = elements * 4;
  if (elements === 0) return new Float32Array(0);
  const staging = ctx.pool.acquire(bytes, READBACK);
  const encoder = ctx.device.createCommandEncoder();
  encoder.copyBufferToBuffer(region.buffer, 0, staging, 0, bytes);
  ctx.device.queue.submit([encoder.finish()]);
  try {
    await guard(ctx, staging.mapAsync(0x0001, 0, bytes)); // GPUMapMode.READ
  } catch (e) {
    throw await lostOr(ctx, e);
  }
  // the constructor's copy of the mapped range: a zero-filled array and set() wrote it twice
  const out = new Float32Array(new Float32Array(staging.getMappedRange(0, bytes)));
  staging.unmap();
  ctx.pool.release(staging);
  return out;
}

/**
 * A failed map on a destroyed device rejects before `device.lost` settles: wait for it briefly so
 * the caller gets the clear {@link DeviceLostError} rather than the map's abort.
 */
async function lostOr(ctx: GpuContext, error: unknown): Promise<unknown> {
  if (ctx.lostError) return ctx.lostError;
  await Promise.race([ctx.lost.catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
  return ctx.lostError ?? error;
}
