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
