// Quick tuning measurement: fast path vs the definition-level reference, float32, one thread,
// on the project's benchmark workloads (@tconv/testing). The benchmark with every peer side by
// side is apps/bench. Run after a build:
//   node packages/backend-cpu/scripts/bench.mjs [workload-substring]
import { geometryFlops, resolveConvTranspose } from '@tconv/core';
import { WORKLOADS, workloadTensors } from '@tconv/testing';
import { cpuBackend, referenceConvTranspose } from '../dist/index.js';

const filter = process.argv[2];
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
for (const w of WORKLOADS) {
  if (filter && !w.name.includes(filter)) continue;
  const { input: x, weight } = workloadTensors(w);
  const flops = geometryFlops(resolveConvTranspose(w.input, w.weight, w.options));
  const fast = time(() => cpuBackend.convTranspose(x, weight, w.options));
  const ref = time(() => referenceConvTranspose(x, weight, w.options), 0);
  const gf = (ms) => (flops / ms / 1e6).toFixed(2);
  console.log(
    `${w.name.padEnd(18)} ${(flops / 1e6).toFixed(0).padStart(6)} ${gf(fast).padStart(14)} ${gf(ref).padStart(19)} ${(ref / fast).toFixed(1).padStart(10)}×`,
  );
}
