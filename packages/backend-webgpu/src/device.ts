/// <reference types="@webgpu/types" />
import { UnsupportedError } from '@tconv/core';

/**
 * A lost GPU device (destroyed, driver reset, tab in the background too long…): every pending and
 * later call of a backend on it rejects with this error instead of hanging.
 */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
  /** `'destroyed'` when `device.destroy()` (or the backend's `dispose()`) was called, else `'unknown'`. */
  readonly reason: string;

  /**
   * @param reason - the `GPUDeviceLostInfo.reason`
   * @param detail - the `GPUDeviceLostInfo.message`
   */
  constructor(reason: string, detail: string) {
    super(
      `the WebGPU device was lost (reason: ${reason}${detail ? `, ${detail}` : ''}); create a new backend with a new device`,
    );
    this.reason = reason;
  }
}

/** Limits the kernels respect, read from the device. */
export interface DeviceLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
}

/** A device and whether this package created it (then `dispose()` destroys it). */
export interface AcquiredDevice {
  readonly device: GPUDevice;
  readonly owned: boolean;
  /** The adapter's description (vendor, architecture, device), when known. */
  readonly adapter: string;
}

/**
 * `options.device`, else an adapter and device from `navigator.gpu` with the adapter's largest
 * storage-buffer and buffer limits. Rejects with {@link UnsupportedError} naming what is missing.
 */
export async function acquireDevice(device: GPUDevice | undefined): Promise<AcquiredDevice> {
  if (device !== undefined) {
    if (device === null || typeof device !== 'object' || typeof device.createBuffer !== 'function') {
      throw new UnsupportedError(
        'UNSUPPORTED',
        'options.device',
        'options.device must be a GPUDevice (from adapter.requestDevice())',
      );
    }
    return { device, owned: false, adapter: describeAdapterInfo(device.adapterInfo) };
  }
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    throw new UnsupportedError(
      'UNSUPPORTED',
      'navigator.gpu',
      'WebGPU is not available: navigator.gpu is undefined (use a browser with WebGPU, or pass createWebGpuBackend({ device }) a GPUDevice, e.g. from the `webgpu` package in Node)',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new UnsupportedError(
      'UNSUPPORTED',
      'navigator.gpu.requestAdapter()',
      'WebGPU is present but navigator.gpu.requestAdapter() returned no adapter (no usable GPU, or WebGPU disabled)',
    );
  }
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('shader-f16')) requiredFeatures.push('shader-f16');
  const got = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
    },
  });
  return { device: got, owned: true, adapter: describeAdapterInfo(adapter.info) };
}

function describeAdapterInfo(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
  return parts.length > 0 ? parts.join(' / ') : 'unknown adapter';
}

/** The limits the kernels need, from a device. */
export function deviceLimits(device: GPUDevice): DeviceLimits {
  const l = device.limits;
  return {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
  };
}
