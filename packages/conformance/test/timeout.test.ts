import { OptionError } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { describe, expect, it } from 'vitest';
import { cases, runConformance } from '../src/index';
import { DEFAULT_CASE_TIMEOUT_MS } from '../src/run';

const two = cases.filter((c) => c.id === 'd2l/basic' || c.id === 'd2l/stride-2');

describe('runConformance: timeoutMs', () => {
  it('fails each case whose promise never settles after timeoutMs, and carries on', async () => {
    const hanging = { ...cpuBackend, name: 'hanging', convTranspose: () => new Promise<never>(() => {}) };
    const started = Date.now();
    const report = await runConformance(hanging, { cases: two, timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(report).toMatchObject({ passed: 0, failed: 2 });
    for (const r of report.results)
      expect(r.message).toMatch(/TimeoutError: case d2l\/.* did not settle within 50 ms/);
  });

  it('leaves a case that settles in time alone, and defaults to 30 s', async () => {
    expect(DEFAULT_CASE_TIMEOUT_MS).toBe(30_000);
    const slow = {
      ...cpuBackend,
      name: 'slow',
      convTranspose: async (...args: Parameters<typeof cpuBackend.convTranspose>) => {
        await new Promise((r) => setTimeout(r, 20));
        return cpuBackend.convTranspose(...args);
      },
    };
    const report = await runConformance(slow, { cases: two, timeoutMs: 2_000 });
    expect(report).toMatchObject({ passed: 2, failed: 0 });
  });

  it('rejects a meaningless timeoutMs', async () => {
    await expect(runConformance(cpuBackend, { cases: two, timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(runConformance(cpuBackend, { cases: two, timeoutMs: Number.NaN })).rejects.toThrow(
      /timeoutMs/,
    );
  });

  it('reports the code of a TconvError a backend throws (found by brand, not instanceof)', async () => {
    const limited = {
      ...cpuBackend,
      name: 'limited',
      convTranspose: () => {
        throw new OptionError('INVALID_OPTION', 'stride', 'stride is not welcome here');
      },
    };
    const report = await runConformance(limited, { cases: two });
    expect(report.results.map((r) => r.code)).toEqual(['INVALID_OPTION', 'INVALID_OPTION']);
  });
});
