// Quick tuning measurement: fast path vs the definition-level reference, float32, one thread.
// The project's benchmark with every peer side by side is apps/bench. Run after a build:
//   node packages/backend-cpu/scripts/bench.mjs [workload-substring]
import { geometryFlops, resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend, referenceConvTranspose } from '../dist/index.js';

const workloads = [
  ['dcgan-4to8', [1, 512, 4, 4], [512, 256, 4, 4], { stride: 2, padding: 1 }],
  ['dcgan-16to32', [1, 128, 16, 16], [128, 64, 4, 4], { stride: 2, padding: 1 }],
  ['dcgan-rgb-b8', [8, 64, 32, 32], [64, 3, 4, 4], { stride: 2, padding: 1 }],
  ['unet-up-k2s2', [1, 256, 32, 32], [256, 128, 2, 2], { stride: 2 }],
  ['fcn-up8', [1, 21, 16, 16], [21, 21, 16, 16], { stride: 8, padding: 4 }],
  ['k3s1-same', [1, 64, 64, 64], [64, 32, 3, 3], { stride: 1, padding: 1 }],
  ['k3s2-op1', [1, 64, 32, 32], [64, 64, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
  ['depthwise-k4s2', [1, 64, 32, 32], [64, 1, 4, 4], { stride: 2, padding: 1, groups: 64 }],
  ['dilated-k3d2', [1, 32, 32, 32], [32, 32, 3, 3], { stride: 1, padding: 2, dilation: 2 }],
  ['wavegan-1d', [1, 64, 4096], [64, 32, 25], { stride: 4, padding: 11, outputPadding: 1 }],
  ['vol-3d-k3s2', [1, 32, 16, 16, 16], [32, 16, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
];
const filter = process.argv[2];
const rand = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
const time = (fn, minMs = 300) => {
  fn();
  const times = [];
  const start = performance.now();
  while (times.length < 3 || (performance.now() - start < minMs && times.length < 50)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
};
console.log('workload            MFLOP   fast GFLOP/s   reference GFLOP/s   speed-up');
for (const [name, xs, ws, o] of workloads) {
  if (filter && !name.includes(filter)) continue;
  const x = tensor(rand(xs.reduce((a, b) => a * b)), xs);
  const w = tensor(rand(ws.reduce((a, b) => a * b)), ws);
  const flops = geometryFlops(resolveConvTranspose(xs, ws, o));
  const fast = time(() => cpuBackend.convTranspose(x, w, o));
  const ref = time(() => referenceConvTranspose(x, w, o), 0);
  const gf = (ms) => (flops / ms / 1e6).toFixed(2);
  console.log(
    `${name.padEnd(18)} ${(flops / 1e6).toFixed(0).padStart(6)} ${gf(fast).padStart(14)} ${gf(ref).padStart(19)} ${(ref / fast).toFixed(1).padStart(10)}×`,
  );
}
