// Regression tests for the adversarial findings of issue #16 that concern this backend: each
// failed (crash, hang, wrong or stale result, silent acceptance) before its fix.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tconv/core';
import { LimitError, OptionError, resolveConvTranspose, TconvError, tensor } from '@tconv/core';
import { cpuBackend, referenceConv, referenceConvTranspose } from '@tconv/backend-cpu';
import { createWasmBackend, MAX_THREADS, wasmBackend, wasmBytes } from '@tconv/backend-wasm';
import { randomData } from '@tconv/testing';
import { COLS_ELEMENTS, createWorkerPool, layoutChecksum, planForward } from '../src/internal';
import { fakeKernels } from './fake-module';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const random = (shape: number[], seed: number) => tensor(randomData(size(shape), seed), shape);
const d2l = () => [tensor([0, 1, 2, 3], [1, 1, 2, 2]), tensor([0, 1, 2, 3], [1, 1, 2, 2])] as const;
const D2L = [0, 0, 1, 0, 4, 6, 4, 12, 9];
const one = await createWasmBackend();
const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
afterAll(() => Promise.all([one.dispose(), two.dispose()]));

/** The largest absolute difference between two arrays of one length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('createWasmBackend options are strict (#16 item 11)', () => {
  it('rejects an unknown key, naming it', async () => {
    const e = await rejection(createWasmBackend({ thread: 2 } as object));
    expect(e).toBeInstanceOf(OptionError);
    expect((e as OptionError).parameter).toBe('thread');
    expect(e.message).toMatch(/no option "thread"/);
  });
  it('bounds threads: 1e6, 0, 1.5 and MAX_THREADS + 1 are errors before any worker starts', async () => {
    for (const threads of [1e6, 0, 1.5, MAX_THREADS + 1, Number.NaN]) {
      const e = await rejection(createWasmBackend({ threads }));
      expect(e).toBeInstanceOf(OptionError);
      expect(e.message).toMatch(new RegExp(`threads must be an integer from 1 to ${MAX_THREADS}`));
    }
  });
  it('rejects threadThreshold -1, NaN and Infinity', async () => {
    for (const threadThreshold of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = await rejection(createWasmBackend({ threadThreshold }));
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).parameter).toBe('threadThreshold');
    }
  });
  it('module errors say which of module / sharedModule', async () => {
    let e = await rejection(createWasmBackend({ module: new Uint8Array([1, 2, 3]) }));
    expect(e).toBeInstanceOf(OptionError);
    expect((e as OptionError).parameter).toBe('module');
    expect(e.message).toMatch(/^module could not be loaded/);
    e = await rejection(createWasmBackend({ threads: 2, sharedModule: new Uint8Array([0, 97, 115]) }));
    expect((e as OptionError).parameter).toBe('sharedModule');
    // the threads' build where the one-thread build is expected
    e = await rejection(createWasmBackend({ module: wasmBytes(true) }));
    expect(e.message).toMatch(/^module could not be instantiated/);
    e = await rejection(createWasmBackend({ module: 42 as unknown as Uint8Array }));
    expect(e.message).toMatch(/module must be the module's bytes, a URL, a Response or a WebAssembly.Module/);
  });
  it('kernels built for another parameter layout are refused, not run on corrupted parameters', async () => {
    const e = await rejection(createWasmBackend({ module: fakeKernels(layoutChecksum() ^ 1, false) }));
    expect(e).toBeInstanceOf(OptionError);
    expect(e.message).toMatch(/built for parameter layout/);
  });
});

describe('module sources (#17)', () => {
  const file = new URL('../build/tconv.wasm', import.meta.url);
  const sharedFile = new URL('../build/tconv-shared.wasm', import.meta.url);
  it('bytes, an ArrayBuffer, a Response, a compiled module and a file: URL (read from disk under Node)', async () => {
    const bytes = readFileSync(file);
    const copy = new Uint8Array(bytes);
    for (const module of [copy, copy.buffer, new Response(copy), new WebAssembly.Module(copy), file]) {
      const backend = await createWasmBackend({ module });
      expect(Array.from((await backend.convTranspose(...d2l())).data)).toEqual(D2L);
      await backend.dispose();
    }
  });
  it('sharedModule from a file: URL with two threads', async () => {
    const backend = await createWasmBackend({ threads: 2, threadThreshold: 0, sharedModule: sharedFile });
    expect(Array.from((await backend.convTranspose(...d2l())).data)).toEqual(D2L);
    await backend.dispose();
  });
});

/** A `Worker` stand-in that is ready at once and fails (an error event) when asked to compute. */
class FailingWorker {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  postMessage(m: { module?: unknown }): void {
    setTimeout(() => {
      if (m.module) this.onmessage?.({ data: { ready: true } });
      else this.onerror?.({ message: 'simulated crash', preventDefault() {} });
    }, 1);
  }
  terminate(): void {}
}

describe('workers (#16 items 2, 3, 11)', () => {
  it('a worker whose module traps at instantiation rejects createWasmBackend; the host survives', async () => {
    const module = fakeKernels(layoutChecksum(), true, 'trap-after-first');
    const e = await rejection(createWasmBackend({ threads: 3, sharedModule: module }));
    expect(e.message).toMatch(/wasm worker could not instantiate the kernels/);
    // and the pool alone, with a module that traps everywhere
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16384, shared: true });
    const pool = createWorkerPool(fakeKernels(layoutChecksum(), true, 'trap'), memory, 2, 'node');
    await expect(pool).rejects.toThrow(/could not instantiate/);
  });

  it('resolves only when every worker is ready: the first call on 8 threads is right', async () => {
    const eight = await createWasmBackend({ threads: 8, threadThreshold: 0 });
    const x = random([1, 16, 9, 9], 1);
    const w = random([16, 16, 3, 3], 2);
    const [y8, y1] = await Promise.all([
      eight.convTranspose(x, w, { stride: 2 }),
      one.convTranspose(x, w, { stride: 2 }),
    ]);
    expect(Array.from(y8.data)).toEqual(Array.from(y1.data));
    await eight.dispose();
  });

  it('a worker failing during a call rejects that call and every later one with the reason', async () => {
    const g = globalThis as { Worker?: unknown };
    g.Worker = FailingWorker;
    try {
      const backend = await createWasmBackend({ threads: 2, threadThreshold: 0, workerHost: 'web' });
      const x = random([1, 8, 6, 6], 3);
      const w = random([8, 8, 3, 3], 4);
      const first = expect(backend.convTranspose(x, w)).rejects.toThrow(
        /wasm backend failed: worker 1 failed: simulated crash/,
      );
      const queued = expect(backend.conv(x, w)).rejects.toThrow(/worker 1 failed/);
      await first;
      await queued;
      await expect(backend.convTranspose(x, w)).rejects.toThrow(/worker 1 failed/);
      await backend.dispose();
    } finally {
      delete g.Worker;
    }
  });

  it('dispose() rejects the call in flight, the queue behind it and every later call', async () => {
    const backend = await createWasmBackend({ threads: 2, threadThreshold: 0 });
    const x = random([1, 32, 16, 16], 5);
    const w = random([32, 32, 4, 4], 6);
    const inFlight = expect(backend.convTranspose(x, w, { stride: 2 })).rejects.toThrow(/backend disposed/);
    const queued = expect(
      backend.convTransposeBackward(random([1, 32, 34, 34], 7), x, w, { stride: 2 }),
    ).rejects.toThrow(/backend disposed/);
    await backend.dispose();
    await inFlight;
    await queued;
    await expect(backend.conv(x, w)).rejects.toThrow(/backend disposed/);
  });

  it('dispose() of a one-thread backend: later calls reject', async () => {
    const backend = await createWasmBackend();
    await backend.dispose();
    await expect(backend.convTranspose(...d2l())).rejects.toThrow(/backend disposed/);
  });

  it('wasmBackend.dispose() releases its instance; the next call instantiates a fresh one', async () => {
    expect(Array.from((await wasmBackend.convTranspose(...d2l())).data)).toEqual(D2L);
    await wasmBackend.dispose();
    expect(Array.from((await wasmBackend.convTranspose(...d2l())).data)).toEqual(D2L);
  });
});

describe('int32 geometry (#16 item 5)', () => {
  it('dilation 2^32 with a matching pad is a LimitError, not a wrapped index ([1010] for [1000])', async () => {
    const x = tensor([1], [1, 1, 1]);
    const w = tensor([1000, 10], [1, 1, 2]);
    const o = { dilation: 2 ** 32, padding: { begin: [2 ** 32], end: [0] } };
    expect(Array.from(cpuBackend.convTranspose(x, w, o).data)).toEqual([10]);
    for (const b of [one, two, wasmBackend]) {
      const e = await rejection(b.convTranspose(x, w, o));
      expect(e).toBeInstanceOf(LimitError);
      expect(e.message).toMatch(/dilation\[0\]|padBegin\[0\]/);
    }
  });
  it('stride 2^32 is a LimitError, not a raw RuntimeError (divide by zero)', async () => {
    const x = tensor([1, 2], [1, 1, 2]);
    const w = tensor([3], [1, 1, 1]);
    const o = { stride: 2 ** 32, padding: { begin: [2 ** 32], end: [0] } };
    const e = await rejection(one.convTranspose(x, w, o));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).parameter).toMatch(/stride\[0\]|padBegin\[0\]/);
    const c = await rejection(one.conv(tensor([1, 2, 3], [1, 1, 3]), w, { stride: 2 ** 32 }));
    expect(c).toBeInstanceOf(LimitError);
  });
});

describe('huge strides cost O(problem), not ∏stride (#16 item 1)', () => {
  it('stride 1e8 on a tiny problem: [2, 4, 6] at once, on every kernel and on threads', async () => {
    const x = tensor([2], [1, 1, 1]);
    const w = tensor([1, 2, 3], [1, 1, 3]);
    const forced = await Promise.all(
      (['gemm', 'phases', 'thin', 'lanes'] as const).map((kernel) => createWasmBackend({ kernel })),
    );
    for (const b of [one, two, ...forced]) {
      expect(Array.from((await b.convTranspose(x, w, { stride: 1e8 })).data)).toEqual([2, 4, 6]);
    }
    await Promise.all(forced.map((b) => b.dispose()));
    const x2 = tensor([1, 2], [1, 1, 2]);
    const y = await one.convTranspose(x2, w, { stride: 1e8, padding: { begin: [1e8 - 1], end: [0] } });
    // the definition (the CPU backend's phase plan is O(stride) until core's per-residue plan lands)
    const ref = referenceConvTranspose(x2, w, { stride: 1e8, padding: { begin: [1e8 - 1], end: [0] } });
    expect(Array.from(y.data)).toEqual(Array.from(ref.data));
    expect(
      Array.from(
        (await one.conv(tensor([1, 2, 3], [1, 1, 3]), tensor([5], [1, 1, 1]), { stride: 1e8 })).data,
      ),
    ).toEqual([5]);
  });
  it('a 3D stride of 400 and its gradients', async () => {
    const x = random([1, 2, 2, 1, 2], 8);
    const w = random([2, 3, 2, 2, 2], 9);
    const o = { stride: 400 };
    const y = await one.convTranspose(x, w, o);
    expect(y.shape).toEqual([1, 3, 402, 2, 402]);
    const ref = referenceConvTranspose(x, w, o);
    expect(maxDiff(y.data, ref.data)).toBeLessThan(1e-5);
    const gy = random(y.shape as number[], 10);
    const g = await one.convTransposeBackward(gy, x, w, o);
    // the input gradient is the convolution of gradOutput; the weight gradient is the linear map
    // V ↦ ⟨gradOutput, convTranspose(x, V)⟩, checked on a random V
    const dx = referenceConv(gy, w, o);
    expect(maxDiff(g.input.data, dx.data)).toBeLessThan(1e-4);
    const v = random(w.shape as number[], 11);
    const yv = referenceConvTranspose(x, v, o);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < v.data.length; i++) lhs += g.weight.data[i]! * v.data[i]!;
    for (let i = 0; i < yv.data.length; i++) rhs += gy.data[i]! * yv.data[i]!;
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-4);
  });
});

describe('operands are taken when the call is made (#16 item 6)', () => {
  const xs = [1, 8, 5, 5];
  const ws = [8, 8, 3, 3];
  const expected = async (x: Tensor, w: Tensor) =>
    Array.from((await one.convTranspose(x, w, { stride: 2 })).data);

  it('filling the input with zeros right after the call does not change its result (1 and 2 threads, queued calls, wasmBackend)', async () => {
    const w = random(ws, 11);
    for (const b of [one, two, wasmBackend]) {
      const x1 = random(xs, 12);
      const x2 = random(xs, 13);
      const want1 = await expected(random(xs, 12), w);
      const want2 = await expected(random(xs, 13), w);
      const y1 = b.convTranspose(x1, w, { stride: 2 });
      const y2 = b.convTranspose(x2, w, { stride: 2 }); // queued behind y1
      x1.data.fill(0);
      x2.data.fill(0);
      expect(Array.from((await y1).data)).toEqual(want1);
      expect(Array.from((await y2).data)).toEqual(want2);
    }
  });

  it("a resizable buffer shrunk after the call: the call's data; shrunk before: a clear error, never stale data", async () => {
    const w = random(ws, 14);
    const want = await expected(random(xs, 15), w);
    const Resizable = ArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => ArrayBuffer & {
      resize(n: number): void;
    };
    const buffer = new Resizable(size(xs) * 4, { maxByteLength: size(xs) * 8 });
    const data = new Float32Array(buffer);
    data.set(random(xs, 15).data);
    const x = tensor(data, xs);
    const y = one.convTranspose(x, w, { stride: 2 });
    buffer.resize(0);
    expect(Array.from((await y).data)).toEqual(want);
    // a call after the shrink sees no data: an error, not the previous call's numbers
    const e = await rejection(one.convTranspose(x, w, { stride: 2 }));
    expect(e).toBeInstanceOf(TconvError);
  });
});

describe('bounded scratch (#16 item 10)', () => {
  it('a 1D kernel of 2^22 taps plans its column buffer within COLS_ELEMENTS (was one row of 2^24)', () => {
    const g = resolveConvTranspose([1, 1, 4], [1, 1, 2 ** 22]);
    const ctx = { heapBase: 0, threads: 1, threadThreshold: 0, kernel: 'gemm' as const };
    const job = planForward(g, new Float32Array(0), new Float32Array(0), null, ctx);
    // input, weight, output and the tap table (one word per tap and axis): the size of the problem
    const operands = (4 + 2 ** 22 + (2 ** 22 + 3) + 2 ** 22) * 4;
    expect(job.end).toBeLessThan(operands + COLS_ELEMENTS * 4 + 65536);
  });
  it('the tiled column buffer computes the definition (rows of Wᵀ·X over the capacity)', async () => {
    const gemm = await createWasmBackend({ kernel: 'gemm' });
    const x = random([1, 2, 40], 16);
    const w = random([2, 1, 2 ** 15], 17);
    const y = await gemm.convTranspose(x, w, { stride: 3 });
    const ref = cpuBackend.convTranspose(x, w, { stride: 3 });
    expect(maxDiff(y.data, ref.data)).toBeLessThan(1e-5);
    await gemm.dispose();
  });
});
