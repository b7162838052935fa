import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import { checkInt32Geometry, describeValue, LimitError } from '@tconv/core';
import type { DeviceLimits } from './device';

/**
 * Kernel index arithmetic is i32. Every position, extent and padding a kernel forms from a
 * geometry stays below this bound (2^30, leaving a factor two for intermediate sums), checked before
 * anything is allocated.
 */
export const MAX_INDEX = 2 ** 30;

/**
 * Rejects a geometry whose index arithmetic could overflow i32 in the kernels: the full extent
 * of each axis with its paddings and stride, and the element counts of input, weight and output.
 */
export function checkIndexRange(g: ConvTransposeGeometry | ConvGeometry): void {
  checkInt32Geometry(g, 'webgpu');
  for (let a = 0; a < g.rank; a++) {
    const s = g.stride[a]!;
    const d = g.dilation[a]!;
    const kd = d * (g.kernelSize[a]! - 1) + 1;
    const span =
      g.inputSize[a]! * s + kd + Math.abs(g.padBegin[a]!) + Math.abs(g.padEnd[a]!) + g.outputSize[a]! * s + s;
    if (span >= MAX_INDEX) {
      throw new LimitError(
        'LIMIT_EXCEEDED',
        `stride[${a}]`,
        `on axis ${a} the positions the WebGPU kernels compute reach ${span} (input ${g.inputSize[a]}, stride ${s}, dilated kernel ${kd}, padding ${g.padBegin[a]}/${g.padEnd[a]}, output ${g.outputSize[a]}), more than the i32 index limit ${MAX_INDEX}`,
      );
    }
  }
  for (const [shape, name] of [
    [g.inputShape, 'input'],
    [g.weightShape, 'weight'],
    [g.outputShape, 'output'],
  ] as const) {
    const n = shape.reduce((p, v) => p * v, 1);
    if (n >= MAX_INDEX) {
      throw new LimitError(
        'LIMIT_EXCEEDED',
        name,
        `${name} ${describeValue(shape)} has ${n} elements, more than the WebGPU backend's index limit ${MAX_INDEX}`,
      );
    }
  }
}

/**
 * Rejects a buffer the device cannot bind: more bytes than `maxStorageBufferBindingSize` or
 * `maxBufferSize` (a `LimitError` naming the tensor, before anything is allocated).
 */
export function checkBufferSize(limits: DeviceLimits, elements: number, name: string): void {
  const bytes = elements * 4;
  const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (bytes > max) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      name,
      `${name} needs a GPU buffer of ${bytes} bytes (${elements} float32), more than this device allows (maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize}, maxBufferSize ${limits.maxBufferSize})`,
    );
  }
}

/** Largest table of stride-phase first taps (one i32 per residue of every axis). */
export const MAX_TABLE_ENTRIES = 2 ** 22;

/** Rejects strides so large that the first-tap table would not be small. */
export function checkTable(g: ConvTransposeGeometry): void {
  const entries = g.stride.reduce((p, s) => p + s, 0);
  if (entries > MAX_TABLE_ENTRIES) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      'stride',
      `strides ${describeValue(g.stride)} need a stride-phase table of ${entries} entries, more than the WebGPU backend's limit ${MAX_TABLE_ENTRIES}`,
    );
  }
}
