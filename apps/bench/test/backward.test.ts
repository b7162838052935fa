import { afterAll, describe, expect, it } from 'vitest';
import { TINY } from '@tconv/testing';
import { gradientEngines, gradientMarkdown, runGradientBench } from '../src/backward';

const engines = await gradientEngines();
afterAll(() => Promise.all(engines.map((e) => e.dispose?.())));

describe('backward smoke run: the tiny workload through every gradient engine', () => {
  it('times forward and backward where the gradients agree with cpuBackend; tfjs-wasm has no filter gradient', async () => {
    const rows = await runGradientBench([TINY], engines);
    const by = new Map(rows.map((r) => [`${r.engine} ${r.threads}t`, r]));
    for (const name of [
      'tconv-cpu 1t',
      'tconv-sparse (prepared) 1t',
      'tconv-wasm 1t',
      'tconv-wasm 2t',
      'tfjs-cpu 1t',
    ]) {
      const r = by.get(name)!;
      expect({ name, ok: r.ok, note: r.note }).toEqual({ name, ok: true, note: undefined });
      expect(r.forwardMs).toBeGreaterThan(0);
      expect(r.backwardMs).toBeGreaterThan(0);
      expect(r.ratio).toBeCloseTo(r.backwardMs! / r.forwardMs!, 10);
    }
    // the engine timed on 1 and 2 threads: its two backwards again side by side
    for (const name of ['tconv-wasm 1t', 'tconv-wasm 2t']) {
      expect(by.get(name)!.pairMs).toBeGreaterThan(0);
      expect(by.get(name)!.loopMs).toBeGreaterThan(0);
    }
    expect(by.get('tconv-cpu 1t')!.pairMs).toBeUndefined();
    const wasm = by.get('tfjs-wasm 1t')!;
    expect(wasm.ok).toBe(false);
    expect(wasm.note).toMatch(/^n\/a: not registered on tfjs-wasm: Conv2DBackpropFilter/);
    const md = gradientMarkdown(rows, 'test machine');
    expect(md).toContain('| tiny-k3s2 | tconv-cpu 1t |');
    expect(md).toContain('test machine');
    expect(md).toMatch(
      /Backward on two threads ÷ one[^\n]*\n\n\| workload \| backward MFLOP \| tconv-wasm \|/,
    );
    expect(md).toMatch(/\| tiny-k3s2 \| [0-9.]+ \| [0-9.]+× \/ [0-9.]+× \|/);
  });

  it("an engine's 1- and 2-thread backwards timed side by side: a failure there is a note, both runs disposed", async () => {
    const cpu = engines[0]!;
    let last = 0;
    let disposed = 0;
    const form = (threads: number) => ({
      ...cpu,
      name: 'pair',
      threads,
      async prepare(...a: Parameters<typeof cpu.prepare>) {
        const run = await cpu.prepare(...a);
        const mark =
          <T>(f: () => Promise<T>, fails = false) =>
          () => {
            const after = last;
            last = threads;
            // the 2-thread form's backward fails only right after a call of the 1-thread form's:
            // in the pair timing, not in its own (its gate call comes first)
            if (fails && threads === 2 && after === 1) return Promise.reject(new Error('boom'));
            return f();
          };
        return {
          forward: mark(run.forward),
          backward: mark(run.backward, true),
          gradients: mark(run.gradients),
          dispose: () => void disposed++,
        };
      },
    });
    const rows = await runGradientBench([TINY], [form(1), form(2)]);
    expect(rows.map((r) => [r.threads, r.ok, r.note, r.pairMs])).toEqual([
      [1, true, 'pair timing failed: boom', undefined],
      [2, true, 'pair timing failed: boom', undefined],
    ]);
    expect(rows.every((r) => r.backwardMs! > 0)).toBe(true);
    expect(disposed).toBe(2);
  });

  it('flags an engine whose gradients disagree', async () => {
    const cpu = engines[0]!;
    const wrong = {
      ...cpu,
      name: 'wrong',
      async prepare(...a: Parameters<typeof cpu.prepare>) {
        const run = await cpu.prepare(...a);
        return {
          ...run,
          async gradients() {
            const d = await run.gradients();
            return { input: d.input, weight: d.weight.map((v) => v * 1.001) };
          },
        };
      },
    };
    const [row] = await runGradientBench([TINY], [wrong]);
    expect(row!.ok).toBe(false);
    expect(row!.note).toMatch(/disagrees with cpuBackend/);
    expect(row!.backwardMs).toBeNull();
  });
});
