import { describe, expect, it } from 'vitest';
import { describeMachine, firstCallMarkdown, firstCallRow, STEADY_CALLS, vectorFlags } from '../src/index';

const base = { workload: 'w', engine: 'tconv-wasm', threads: 2 };

describe('first-call rows', () => {
  it('steady is the median of the last calls; the ratios are call 1 and call 2 over it', () => {
    const callMs = [40, 12, 30, 30, 11, 9, 10, 12, 8];
    const r = firstCallRow(base, { createMs: 5, callMs, threads: 2, relaxedSimd: true }, STEADY_CALLS);
    // the last five calls: 11, 9, 10, 12, 8 → median 10 (the calibration's 30s are not steady)
    expect(r.steadyMs).toBe(10);
    expect(r.firstRatio).toBe(4);
    expect(r.secondRatio).toBeCloseTo(1.2, 12);
    expect(r).toMatchObject({ createMs: 5, firstMs: 40, secondMs: 12, calls: 9, relaxedSimd: true });
    expect(r.note).toBeUndefined();
  });

  it('a backend that ran on fewer threads says so; a failure or too few calls is a note, no numbers', () => {
    const fewer = firstCallRow(
      base,
      { createMs: 1, callMs: [3, 2, 1, 1, 1, 1, 1], threads: 1 },
      STEADY_CALLS,
    );
    expect(fewer.note).toBe('ran on 1 thread(s)');
    const failed = firstCallRow(base, null, STEADY_CALLS, new Error('child exit 1: boom\nstack'));
    expect(failed).toMatchObject({
      firstMs: null,
      steadyMs: null,
      firstRatio: null,
      note: 'failed: child exit 1: boom',
    });
    const short = firstCallRow(base, { createMs: 1, callMs: [1, 2, 3], threads: 2 }, STEADY_CALLS);
    expect(short.note).toBe('only 3 calls');
    const md = firstCallMarkdown(
      [firstCallRow(base, { createMs: 7, callMs: [40, 12, 11, 9, 10, 12, 8], threads: 2 }, 5), failed],
      'm',
    );
    expect(md).toContain('| w | 40.0 / 10.0 (4.00×; 2nd 1.20×) |');
    expect(md.at(-1)).toBe('Creating the backend (median over the workloads): tconv-wasm 2t 7.00 ms.');
  });
});

describe('the machine record', () => {
  it('vector flags from /proc/cpuinfo: the ones that decide speed, in a fixed order', () => {
    const intel = 'processor\t: 0\nmodel name\t: Intel Xeon\nflags\t\t: fpu sse4_1 avx512f fma avx2 avx\n';
    expect(vectorFlags(intel)).toEqual(['sse4_1', 'avx', 'avx2', 'fma', 'avx512f']);
    expect(vectorFlags('Features\t: fp asimd evtstrm\n')).toEqual(['asimd']);
    expect(vectorFlags('')).toEqual([]);
  });

  it('the header line names the CPU, cores, flags, SIMD levels and each wasm engine’s build and threads', () => {
    const machine = {
      cpus: 'AMD EPYC',
      cores: 2,
      memoryGiB: 8,
      node: 'v20',
      platform: 'linux x64',
      cpuFlags: ['avx2', 'fma'],
    };
    const features = {
      wasmSimd: true,
      wasmRelaxedSimd: false,
      engines: {
        'tconv-cpu 1t': { threads: 1 },
        'tconv-wasm 1t': { threads: 1, simd: true, relaxedSimd: false },
        'tconv-wasm 2t': { threads: 2, simd: true, relaxedSimd: true },
      },
    };
    expect(describeMachine(machine, features)).toBe(
      'AMD EPYC, 2 cores (avx2, fma), Node v20 — WebAssembly SIMD yes, relaxed SIMD no — tconv-wasm 1t: exact-SIMD build on 1 thread; tconv-wasm 2t: relaxed-SIMD build on 2 threads',
    );
    expect(describeMachine({ ...machine, cpuFlags: [] }, undefined)).toBe('AMD EPYC, 2 cores, Node v20');
  });
});
