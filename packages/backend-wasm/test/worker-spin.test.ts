// A worker spins for its next task after a call that split (src/threads.ts, WORKER_SPIN_MS, the
// option workerSpinMs), and only that long: the process's CPU time while the caller sleeps after a
// split call stays within the spin (an unbounded spin would burn the whole sleep; workerSpinMs: 0
// none), calls after a spin are still right, and a bad workerSpinMs is an OptionError naming it.
import { afterAll, describe, expect, it } from 'vitest';
import { OptionError, tensor } from '@tconv/core';
import { createWasmBackend } from '@tconv/backend-wasm';
import { randomData } from '@tconv/testing';
import { WORKER_IDLE_MS, WORKER_SPIN_MS } from '../src/threads';

const two = await createWasmBackend({ threads: 2, warmUp: false, calibrate: false });
const still = await createWasmBackend({ threads: 2, warmUp: false, calibrate: false, workerSpinMs: 0 });
afterAll(() => Promise.all([two.dispose(), still.dispose()]));

/** The process's CPU ms over a sleep of most of WORKER_IDLE_MS right after a split call, least of 3. */
async function cpuAfterCall(b: typeof two): Promise<number> {
  for (let i = 0; i < 3; i++) await b.convTranspose(x, w, o);
  const used: number[] = [];
  for (let i = 0; i < 3; i++) {
    await b.convTranspose(x, w, o);
    const before = cpuMs();
    await sleep(WORKER_IDLE_MS * 0.8);
    used.push(cpuMs() - before);
  }
  return Math.min(...used);
}

// a split call of a few ms: 64 → 32 channels, 48 × 48, k3 s1 (42 MFLOP, over the 20 MFLOP threshold)
const x = tensor(randomData(64 * 48 * 48, 1) as Float32Array, [1, 64, 48, 48]);
const w = tensor(randomData(64 * 32 * 9, 2) as Float32Array, [64, 32, 3, 3]);
const o = { padding: 1 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

describe("a worker's spin after a split call", () => {
  it('is bounded: over a sleep of most of WORKER_IDLE_MS the process uses at most the spin (and a margin)', async () => {
    // the worker spins WORKER_SPIN_MS, then sleeps in Atomics.wait (no CPU); the margin is the
    // calling thread's timers and the runtime's own threads
    expect(await cpuAfterCall(two)).toBeLessThanOrEqual(WORKER_SPIN_MS + 8);
  });

  it('is none with workerSpinMs: 0', async () => {
    expect(await cpuAfterCall(still)).toBeLessThanOrEqual(3);
  });

  it('workerSpinMs must be a number from 0 to WORKER_IDLE_MS: an OptionError naming it', async () => {
    for (const bad of [-1, WORKER_IDLE_MS + 1, Number.NaN, '5', null]) {
      const e = await createWasmBackend({ threads: 2, workerSpinMs: bad as number }).catch(
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).parameter).toBe('workerSpinMs');
      expect((e as Error).message).toMatch(/workerSpinMs must be a number from 0 to 100/);
    }
  });

  it('leaves calls right: a call during the spin and one after it equal the first', async () => {
    const first = await two.convTranspose(x, w, o);
    const during = await two.convTranspose(x, w, o);
    await sleep(WORKER_SPIN_MS * 3);
    const after = await two.convTranspose(x, w, o);
    expect(during.data).toEqual(first.data);
    expect(after.data).toEqual(first.data);
  });
});
