import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared';

// The published .d.ts names GPUDevice and GPUBuffer (a device passed in, `gpuTensor.buffer`).
// Referencing @webgpu/types from it would break every consumer without the DOM lib (those types
// need BufferSource, EventTarget, ImageBitmap…: a Node project with only @types/node and
// skipLibCheck false fails to compile). So the declarations open with empty global interfaces of
// those names: with @webgpu/types (or a lib that has WebGPU) in the consumer's program they merge
// with the full declarations, and a demanding user gets the real types — their own device and
// buffers, checked member by member; without them the names still resolve and the package compiles.
const webGpuNames = `declare global {
  /** WebGPU's GPUDevice: the full type comes from @webgpu/types when the program includes it. */
  interface GPUDevice {}
  /** WebGPU's GPUBuffer: the full type comes from @webgpu/types when the program includes it. */
  interface GPUBuffer {}
}`;

export default defineConfig({
  ...libraryBuild,
  entry: ['src/index.ts'],
  dts: { banner: webGpuNames },
});
