// Running planned jobs: one at a time per backend (a split call's operands and parameters live in
// the shared memory while its workers compute), each job's operands taken when the call is made.
// A call that finds the backend idle copies its operands into linear memory at once; a call that
// has to wait copies them aside first. So changing an input after the call never changes its
// result. After `dispose()` or a worker failure, pending and later calls reject with the reason.
import type { Job, KernelExports, Part } from './layout';
import type { WorkerPool, WorkerTicket } from './threads';
import { CALLER_WAIT_MS } from './threads';

/**
 * Waits (up to {@link CALLER_WAIT_MS} per worker) until every ticket's worker has finished
 * without an error, read from the shared control words (true); false if one failed or takes
 * longer, and the caller then waits for the replies, which carry any error. The replies of tickets
 * finished here are still received; their promises get a handler so a later failure of the pool
 * is not an unhandled rejection (it closes the dispatcher instead).
 */
function finishedNow(pool: WorkerPool, tickets: readonly WorkerTicket[]): boolean {
  if (!tickets.every((t, i) => pool.finishedWithin(i, t.id, CALLER_WAIT_MS))) return false;
  for (const t of tickets) t.done.catch(() => {});
  return true;
}

/** Adds the outputs of summing parts (input-channel splits, weight-gradient batch splits) into the result, in part order. */
function addSums(job: Job, heap: ArrayBufferLike): void {
  for (const task of job.tasks) {
    for (const { sum } of task) {
      if (!sum) continue;
      const into = new Float32Array(heap, sum.into, sum.length);
      const from = new Float32Array(heap, sum.from, sum.length);
      for (let i = 0; i < sum.length; i++) into[i]! += from[i]!;
    }
  }
}

/**
 * The output of a job whose parts each say which ranges of it they write (forward calls split by
 * output channels, groups or batch items), allocated to be filled range by range; else null.
 */
function earlyOutput(job: Job): Float32Array | null {
  if (job.outputs.length !== 1) return null;
  if (!job.tasks.every((task) => task.every((part) => part.writes && !part.sum))) return null;
  return new Float32Array(job.outputs[0]!.length);
}

/** Copies into `out` the ranges the parts `which(i)` (part i of every task) write. */
function copyWrites(out: Float32Array, job: Job, heap: ArrayBufferLike, which: (i: number) => boolean): void {
  const base = job.outputs[0]!.at;
  for (const task of job.tasks) {
    task.forEach((part, i) => {
      if (!which(i)) return;
      for (const [at, length] of part.writes!) out.set(new Float32Array(heap, at, length), (at - base) / 4);
    });
  }
}

/**
 * The job's outputs copied out of linear memory (or the worker's arrays for those it handed over),
 * allocated smallest first. The order is for the allocator: a backward's 8 MiB weight gradient
 * allocated after its input and bias gradients reused freed memory call after call, allocated
 * before the 1 KiB bias gradient it took fresh pages every call — dcgan-4to8's one-thread
 * backward copied its outputs in 1.2–1.7 ms against 5.9–7.1 (2-core AMD EPYC Zen 3 under KVM,
 * glibc, where a fresh page costs 2.6–5.4 µs).
 */
function copyOutputs(
  job: Job,
  heap: ArrayBufferLike,
  handed: readonly (Float32Array | null)[],
): Float32Array[] {
  const order = job.outputs.map((_, j) => j).sort((a, b) => job.outputs[a]!.length - job.outputs[b]!.length);
  const outputs: Float32Array[] = new Array(job.outputs.length);
  for (const j of order) {
    const { at, length } = job.outputs[j]!;
    // the constructor's copy, not slice(): slice zero-fills its new buffer before copying into it
    // (an 8 MiB weight gradient on the 2-core AMD EPYC Zen 3: 1.6–2.7 ms against 2.5–4.0 ms, and
    // up to 10 ms from shared memory)
    outputs[j] = handed[j] ?? new Float32Array(new Float32Array(heap, at, length));
  }
  return outputs;
}

/** Runs jobs on one instance of the kernels (and its workers) and serialises them. */
export interface Dispatcher {
  /**
   * Runs `job` (now, or after the jobs before it, with its inputs copied aside) and resolves to its
   * outputs, copied out of linear memory.
   */
  submit(job: Job): Promise<Float32Array[]>;
  /** Rejects every pending and later job with `reason` (the first reason given wins). */
  close(reason: Error): void;
  /** Why the dispatcher no longer runs jobs, if it does not. */
  readonly closed: Error | null;
}

/**
 * A dispatcher over `exports` (instantiated on `memory`) and the workers of `pool` (which run part
 * i of each task on worker i − 1; the calling thread runs part 0).
 */
export function createDispatcher(
  exports: KernelExports,
  memory: WebAssembly.Memory,
  pool: WorkerPool | null,
): Dispatcher {
  const waiting: { job: Job; resolve: (v: Float32Array[]) => void; reject: (e: unknown) => void }[] = [];
  let busy = false;
  let closed: Error | null = null;

  async function run(job: Job): Promise<Float32Array[]> {
    // the workers of this job: worker i runs part i + 1 of every task, in order
    const shares: Part[][] = [];
    for (const task of job.tasks) {
      task.forEach((part, i) => {
        if (i > 0) (shares[i - 1] ??= []).push(part);
      });
    }
    const threaded = pool !== null && shares.length > 0;
    // woken now, the workers wake up while the operands are copied
    if (threaded) pool.wake();
    const missing = job.end - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    const heap = memory.buffer;
    // the first `early` floats of each input (all by default) before the workers start
    for (const { at, data, early = data.length } of job.inputs) {
      if (early > 0)
        new Float32Array(heap, at, early).set(early === data.length ? data : data.subarray(0, early));
    }
    for (const task of job.tasks) {
      for (const part of task) new Int32Array(heap, part.at, part.words.length).set(part.words);
    }
    // per worker, the output it copies out itself (a part of its own writes all of it), or -1
    const handedOver = shares.map((parts) => parts.find((p) => p.copiesOut !== undefined)?.copiesOut ?? -1);
    const tickets = threaded
      ? shares.map((parts, i) => {
          const j = handedOver[i]!;
          return pool.run(i, parts, undefined, j >= 0 ? job.outputs[j] : undefined);
        })
      : [];
    // what only the calling thread's parts read is copied while the workers start on theirs
    for (const { at, data, early = data.length } of job.inputs) {
      if (early < data.length)
        new Float32Array(heap, at + 4 * early, data.length - early).set(data.subarray(early));
    }
    let failure: unknown = null;
    try {
      for (const task of job.tasks) exports[task[0]!.entry](task[0]!.at);
    } catch (e) {
      failure = e;
    }
    // a backward's bias gradient, from gradOutput in memory, while the workers finish their parts
    const bias = job.biasGradient;
    if (bias && failure === null)
      exports.biasGradient(bias.gy, bias.out, bias.batch, bias.channels, bias.spatial);
    // the calling thread copies out what its parts wrote while the workers finish theirs
    const early = threaded && failure === null ? earlyOutput(job) : null;
    if (early) copyWrites(early, job, heap, (i) => i === 0);
    // the outputs the workers copied out arrive with their replies: those are awaited
    const handed: (Float32Array | null)[] = job.outputs.map(() => null);
    const awaitReplies = threaded && handedOver.some((j) => j >= 0);
    if (tickets.length > 0 && !(failure === null && !awaitReplies && finishedNow(pool!, tickets))) {
      const results = await Promise.allSettled(tickets.map((t) => t.done));
      results.forEach((result, i) => {
        if (result.status === 'rejected') failure ??= result.reason;
        else if (handedOver[i]! >= 0) handed[handedOver[i]!] = result.value;
      });
    }
    if (failure) throw failure;
    addSums(job, memory.buffer);
    // a worker scans the checked range for non-finite values while the outputs are copied out
    const check = threaded && job.check ? pool.run(0, [], job.check) : null;
    if (early) copyWrites(early, job, heap, (i) => i > 0);
    const outputs = early ? [early] : copyOutputs(job, heap, handed);
    if (check && !pool!.finishedWithin(0, check.id, CALLER_WAIT_MS)) await check.done;
    else check?.done.catch(() => {});
    // unthreaded, the calling thread scans the checked range with the kernels' SIMD scan
    const nonFinite = check
      ? pool!.nonFinite(0)
      : job.check
        ? exports.nonFinite(job.check.at, job.check.length)
        : 1;
    if (nonFinite > 0) {
      job.finish?.(
        job.inputs.map(({ at, data }) => new Float32Array(memory.buffer, at, data.length)),
        outputs,
      );
    }
    return outputs;
  }

  function start(job: Job, resolve: (v: Float32Array[]) => void, reject: (e: unknown) => void): void {
    busy = true;
    run(job)
      // a job that finished after close() (its result not delivered yet) rejects like the rest
      .then((outputs) => (closed ? reject(closed) : resolve(outputs)), reject)
      .finally(() => {
        busy = false;
        const next = waiting.shift();
        if (!next) return;
        if (closed) next.reject(closed);
        else start(next.job, next.resolve, next.reject);
      });
  }

  return {
    submit(job) {
      return new Promise<Float32Array[]>((resolve, reject) => {
        if (closed) {
          reject(closed);
        } else if (!busy) {
          start(job, resolve, reject);
        } else {
          for (const input of job.inputs) input.data = input.data.slice();
          waiting.push({ job, resolve, reject });
        }
      });
    },
    close(reason) {
      if (closed) return;
      closed = reason;
      for (const next of waiting.splice(0)) next.reject(reason);
    },
    get closed() {
      return closed;
    },
  };
}
