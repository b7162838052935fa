import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { relaxedSimdSupported } from '@tconv/backend-wasm';
import {
  allEngines,
  callsOf,
  FIRST_CALL_SPECS,
  markdownReport,
  runBench,
  svgChart,
  TINY,
  timeFirstCalls,
} from '../src/index';

const engines = await allEngines(true);
afterAll(() => Promise.all(engines.map((e) => e.dispose?.())));

describe('bench smoke run: the tiny workload through every engine', () => {
  it('times every engine that agrees with the reference and flags the wrong one', async () => {
    const result = await runBench({
      workloads: [TINY],
      engines,
      quick: true,
      firstCall: { specs: FIRST_CALL_SPECS, mode: 'a fresh backend in this process', run: timeFirstCalls },
    });
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
        expect(r.coldMs).toBeGreaterThan(0);
        expect(r.gflops).toBeGreaterThan(0);
      }
    }
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result)).rows).toHaveLength(engines.length);
    expect(markdownReport(result)).toMatch(/\| tiny-k3s2 \|/);
    expect(markdownReport(result)).toMatch(/wrong 1t: disagrees/);
    // 2 threads ÷ 1 for the engines that ran both: steady / right after other engines
    expect(markdownReport(result)).toMatch(
      /\| tiny-k3s2 \| [\d.]+ \| [\d.]+× \/ [\d.]+× \/ [\d.]+× \| [\d.]+× \/ [\d.]+× \/ [\d.]+× \|/,
    );
    // the engines with 1 and 2 threads were also timed back to back
    for (const r of result.rows.filter((x) => x.engine === 'tconv-wasm' || x.engine === 'onnxruntime-node')) {
      expect(r.loopMs).toBeGreaterThan(0);
    }
    expect(svgChart(result)).toMatch(/^<svg/);

    // the machine and the features the run used, in the JSON and the Markdown header
    const json = JSON.parse(JSON.stringify(result));
    const model = readFileSync('/proc/cpuinfo', 'utf8')
      .match(/^model name\s*:\s*(.*)$/m)?.[1]
      ?.trim();
    if (model) expect(json.machine.cpus.trim()).toBe(model);
    expect(Array.isArray(json.machine.cpuFlags)).toBe(true);
    expect(json.features.wasmSimd).toBe(true);
    expect(json.features.wasmRelaxedSimd).toBe(relaxedSimdSupported());
    for (const threads of [1, 2]) {
      expect(json.features.engines[`tconv-wasm ${threads}t`]).toEqual({
        threads,
        simd: true,
        relaxedSimd: relaxedSimdSupported(),
      });
    }
    expect(json.features.engines['onnxruntime-node 2t']).toEqual({ threads: 2 });
    const md = markdownReport(result);
    const build = relaxedSimdSupported() ? 'relaxed-SIMD' : 'exact-SIMD';
    expect(md.split('\n')[0]).toContain(`${json.machine.cores} cores`);
    expect(md.split('\n')[0]).toContain(`tconv-wasm 2t: ${build} build on 2 threads`);
    expect(md.split('\n')[0]).toContain(`relaxed SIMD ${relaxedSimdSupported() ? 'yes' : 'no'}`);

    // the first-call section: one fresh backend per tconv engine, its calls timed
    const first = json.firstCall.rows;
    expect(first.map((r: { engine: string; threads: number }) => `${r.engine} ${r.threads}t`)).toEqual([
      'tconv-cpu 1t',
      'tconv-wasm 1t',
      'tconv-wasm 2t',
    ]);
    for (const [i, r] of first.entries()) {
      expect({ engine: r.engine, note: r.note }).toEqual({ engine: r.engine, note: undefined });
      expect(r.calls).toBe(callsOf(FIRST_CALL_SPECS[i]!));
      expect(r.firstMs).toBeGreaterThan(0);
      expect(r.steadyMs).toBeGreaterThan(0);
      expect(r.firstRatio).toBeCloseTo(r.firstMs / r.steadyMs, 10);
      expect(r.createMs).toBeGreaterThanOrEqual(0);
    }
    expect(first[1].relaxedSimd).toBe(relaxedSimdSupported());
    expect(md).toMatch(/First call of a fresh backend \(a fresh backend in this process\)/);
    expect(md).toMatch(/\| tiny-k3s2 \| [\d.]+ \/ [\d.]+ \([\d.]+×; 2nd [\d.]+×\) \|/);
  }, 120_000);
});
