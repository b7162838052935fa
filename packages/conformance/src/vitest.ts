import { describe, expect, it } from 'vitest';
import type { Backend } from '@tconv/core';
import { cases, outsideCapabilities } from './run';
import type { ConformanceCase } from './types';

/**
 * Registers one vitest test per conformance case for a backend. Cases outside the backend's
 * declared `capabilities` are not registered (a suite should not carry skipped tests); one test
 * instead checks that such a backend declares its capabilities consistently.
 * @example
 * ```ts
 * import { describeConformance } from '@tconv/conformance/vitest';
 * describeConformance(myBackend);
 * ```
 */
export function describeConformance(
  backend: Backend,
  options: { filter?: (c: ConformanceCase) => boolean } = {},
): void {
  const selected = cases.filter((c) => !options.filter || options.filter(c));
  describe(`conformance: ${backend.name}`, () => {
    for (const c of selected) {
      if (outsideCapabilities(backend, c)) continue;
      it(`${c.id} — ${c.title}`, async () => {
        await expect(c.run(backend)).resolves.toBeUndefined();
      });
    }
    it('declares capabilities that leave at least one case to run', () => {
      expect(selected.some((c) => !outsideCapabilities(backend, c))).toBe(true);
    });
  });
}
