export type { WebGpuBackend, WebGpuBackendOptions } from './backend';
export { createWebGpuBackend } from './backend';
export type { DeviceLimits } from './device';
export { DeviceLostError } from './device';
export type { GpuGradients, GpuTensor, GpuTensors } from './gpu-tensor';
export { MAX_INDEX } from './limits';
