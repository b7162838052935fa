// Node only (process.cpuUsage): the pause between engines' turns in an interleaved run.

/** A process is quiet once it uses under this many ms of CPU in one {@link QUIET_WINDOW_MS} window. */
export const QUIET_CPU_MS = 2;
/** The window the CPU use is read over, ms. */
export const QUIET_WINDOW_MS = 10;
/** The longest wait for quiet, ms (a process that never goes quiet costs each turn this much). */
export const SETTLE_MAX_MS = 250;

/**
 * Resolves once this process (every thread of it) has been quiet for one window: used between
 * engines' turns, because some engines' threads go on spinning after a call (onnxruntime-node's
 * intra-op pool: a whole core for ~40–50 ms, measured on a 2-core AMD EPYC), and on a 2-core machine
 * that took a core from the next engine — two threads of tconv-wasm measured 1.0× one thread right
 * after onnxruntime-node 2t, 1.3–1.7× otherwise.
 * @param cpuUsage - the process's CPU time so far, µs (injectable for tests)
 */
export async function untilQuiet(
  cpuUsage: () => { user: number; system: number } = () => process.cpuUsage(),
): Promise<void> {
  const start = performance.now();
  for (;;) {
    const before = cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const after = cpuUsage();
    const used = (after.user - before.user + after.system - before.system) / 1000;
    if (used < QUIET_CPU_MS || performance.now() - start > SETTLE_MAX_MS) return;
  }
}
