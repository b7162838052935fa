// Registers one vitest test per conformance case for a kit run inside headless Chromium (as
// describeConformance does in Node): the page runs the whole kit once, each test checks its case.
import type { BackendCapabilities } from '@tconv/core';
import { cases, outsideCapabilities } from '@tconv/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserReport, TestPage } from './harness';
import { bundlePage, openPage } from './harness';

/**
 * @param entry - the page entry (`test/page/<entry>.ts`) exposing `conformance()`
 * @param name - the backend's name
 * @param capabilities - what the backend declares (cases outside are not registered)
 * @param checkInfo - asserts on the page's description of the backend (adapter, threads)
 */
export function describeBrowserConformance(
  entry: string,
  name: string,
  capabilities: BackendCapabilities,
  checkInfo: (info: string) => void,
): void {
  let page: TestPage | undefined;
  let report: Promise<BrowserReport> | undefined;
  const run = (): Promise<BrowserReport> => {
    if (!page) throw new Error('the page did not open');
    report ??= page.call<BrowserReport>('conformance');
    return report;
  };
  beforeAll(async () => {
    page = await openPage(await bundlePage(entry));
  }, 120_000);
  afterAll(async () => page?.close());

  describe(`conformance in Chromium: ${name}`, () => {
    // what the page's backend declares: every method of the contract and these capabilities
    const never = () => Promise.reject(new Error('not called: the kit runs in the page'));
    const declared = {
      name,
      capabilities,
      convTranspose: never,
      conv: never,
      convTransposeBackward: never,
      convBackward: never,
    };
    const selected = cases.filter((c) => !outsideCapabilities(declared, c));
    it('runs the whole kit in the page, every case reported once', async () => {
      const r = await run();
      checkInfo(r.info);
      expect(r.results.map((x) => x.id).sort()).toEqual(cases.map((c) => c.id).sort());
      expect(r.results.filter((x) => x.skipped).length).toBe(cases.length - selected.length);
      expect(selected.length).toBeGreaterThan(100);
    }, 170_000);
    for (const c of selected) {
      it(`${c.id} — ${c.title}`, async () => {
        const r = (await run()).results.find((x) => x.id === c.id);
        expect(r, `case ${c.id} reported`).toBeDefined();
        expect(r!.skipped ?? false).toBe(false);
        expect(r!.message ?? '').toBe('');
        expect(r!.ok).toBe(true);
      });
    }
  });
}
