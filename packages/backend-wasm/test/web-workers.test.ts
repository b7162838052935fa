import { resolveObjectURL } from 'node:buffer';
import { Worker as NodeWorker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '@tconv/core';
import { createWasmBackend } from '@tconv/backend-wasm';
import { backwardTensors, firstDifference, HANDED_OVER_BACKWARD, randomData } from '@tconv/testing';

/**
 * A stand-in for the browser's `Worker` on Node's worker_threads: it takes the blob: URL the pool
 * makes, runs that source with a `self` whose `postMessage`/`onmessage` are the web's, and buffers
 * messages until the source is read. So the Web Worker path runs here as it would in a page.
 */
/** Replies that carried an output a worker copied out (`out`), across every shim. */
let handedOver = 0;

class WebWorkerShim {
  onmessage: ((e: { data: unknown }) => void) | null = null;
  private worker: NodeWorker | null = null;
  private queue: unknown[] | null = [];
  constructor(url: string) {
    const blob = resolveObjectURL(url);
    if (!blob) throw new Error(`no blob behind ${url}`);
    void blob.text().then((source) => {
      const boot =
        "const { parentPort } = require('node:worker_threads');" +
        'const self = { postMessage: (m, transfer) => parentPort.postMessage(m, transfer), onmessage: null };' +
        "parentPort.on('message', (data) => self.onmessage({ data }));";
      this.worker = new NodeWorker(`${boot}\n${source}`, { eval: true });
      this.worker.on('message', (data) => {
        if (data && (data as { out?: unknown }).out instanceof Float32Array) handedOver++;
        this.onmessage?.({ data });
      });
      for (const m of this.queue!) this.worker.postMessage(m);
      this.queue = null;
    });
  }
  postMessage(m: unknown): void {
    if (this.queue) this.queue.push(m);
    else this.worker!.postMessage(m);
  }
  terminate(): Promise<number> | undefined {
    return this.worker?.terminate();
  }
}

const g = globalThis as { Worker?: unknown };
g.Worker = WebWorkerShim;
const one = await createWasmBackend();
const web = await createWasmBackend({ threads: 2, threadThreshold: 0, workerHost: 'web' });
afterAll(async () => {
  await web.dispose();
  delete g.Worker;
});

describe('threads on Web Workers (blob: URL, self.onmessage), shared memory', () => {
  it('splits calls across a web worker and gives what one thread gives', async () => {
    expect(web.threads).toBe(2);
    for (const [xs, ws, o] of [
      [[1, 16, 9, 7], [16, 12, 4, 4], { stride: 2, padding: 1 }],
      [[2, 8, 5, 5, 4], [8, 10, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
      [[1, 8, 33], [8, 16, 7], { stride: 3 }],
    ] as [number[], number[], object][]) {
      const x = tensor(
        randomData(
          xs.reduce((a, b) => a * b),
          3,
        ),
        xs,
      );
      const w = tensor(
        randomData(
          ws.reduce((a, b) => a * b),
          4,
        ),
        ws,
      );
      const y1 = await one.convTranspose(x, w, o);
      const y2 = await web.convTranspose(x, w, o);
      expect(Array.from(y2.data)).toEqual(Array.from(y1.data));
    }
  });

  it("a large weight gradient comes back in the worker's reply, its buffer transferred: what one thread gives", async () => {
    // side by side (32 FLOPs per weight), 2^18 weights: the worker copies the weight gradient out
    const o = HANDED_OVER_BACKWARD.options;
    const { input: x, weight: w, gradOutput: gy } = backwardTensors(HANDED_OVER_BACKWARD, 5);
    const a = await one.convTransposeBackward(gy, x, w, o);
    const before = handedOver;
    const b = await web.convTransposeBackward(gy, x, w, o);
    // one reply carried the weight gradient: the worker copied it, the calling thread did not
    expect(handedOver - before).toBe(1);
    expect(b.weight.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(firstDifference(b.weight.data, a.weight.data)).toBe(-1);
    expect(firstDifference(b.input.data, a.input.data)).toBe(-1);
  });
});
