import { afterAll, describe, expect, it } from 'vitest';
import { allEngines, markdownReport, runBench, svgChart, TINY } from '../src/index';

const engines = await allEngines(true);
afterAll(() => Promise.all(engines.map((e) => e.dispose?.())));

describe('bench smoke run: the tiny workload through every engine', () => {
  it('times every engine that agrees with the reference and flags the wrong one', async () => {
    const result = await runBench({ workloads: [TINY], engines, quick: true });
    const names = result.rows.map((r) => `${r.engine} ${r.threads}t`);
    for (const name of [
      'tconv-cpu 1t',
      'tconv-sparse (prepared) 1t',
      'tconv-wasm 1t',
      'tconv-wasm 2t',
      'tfjs-cpu 1t',
      'tfjs-wasm 1t',
      'onnxruntime-node 1t',
      'onnxruntime-node 2t',
      'onnxruntime-web 1t',
      'wrong 1t',
    ]) {
      expect(names).toContain(name);
    }
    for (const r of result.rows) {
      expect(r.workload).toBe('tiny-k3s2');
      if (r.engine === 'wrong') {
        expect(r.ok).toBe(false);
        expect(r.gflops).toBeNull();
        expect(r.note).toMatch(/disagrees with the reference/);
      } else {
        expect({ engine: r.engine, ok: r.ok, note: r.note }).toEqual({
          engine: r.engine,
          ok: true,
          note: undefined,
        });
        expect(r.medianMs).toBeGreaterThan(0);
        expect(r.gflops).toBeGreaterThan(0);
      }
    }
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result)).rows).toHaveLength(engines.length);
    expect(markdownReport(result)).toMatch(/\| tiny-k3s2 \|/);
    expect(markdownReport(result)).toMatch(/wrong 1t: disagrees/);
    expect(svgChart(result)).toMatch(/^<svg/);
  }, 120_000);
});
