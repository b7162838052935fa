import { describe, expect, it } from 'vitest';
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { cases, referenceBackend, runConformance } from '@tconv/conformance';

describe('the correct backends pass every case', () => {
  for (const backend of [referenceBackend, cpuBackend, sparseBackend]) {
    it(`${backend.name}`, async () => {
      const report = await runConformance(backend);
      const failures = report.results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`);
      expect(failures).toEqual([]);
      expect(report.passed).toBe(cases.length);
      expect(report.skipped).toBe(0);
    }, 120_000);
  }
});
