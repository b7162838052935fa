import type { Backend } from '@tconv/core';
import { capabilityGap, isTconvError } from '@tconv/core';
import { divergenceCases } from './cases/divergences';
import { documentCases } from './cases/documents';
import { dtypeCases } from './cases/dtypes';
import { errorCases } from './cases/errors';
import { fixtureCases } from './cases/fixtures';
import { gradientCases } from './cases/gradients';
import { overflowCases } from './cases/overflow';
import { propertyCases } from './cases/properties';
import { shapeCases } from './cases/shapes';
import { MismatchError } from './compare';
import type { ConformanceCase, ConformanceReport, ConformanceResult, KitCase } from './types';

/** Every case of the kit, in report order: documents, shapes, properties, fixtures, errors, dtypes, gradients. */
export const cases: readonly KitCase[] = [
  ...documentCases,
  ...shapeCases,
  ...propertyCases,
  ...fixtureCases,
  ...errorCases,
  ...dtypeCases,
  ...divergenceCases,
  ...gradientCases,
  ...overflowCases,
];

/** The same list as {@link cases}, under the name test suites conventionally export. */
export const all = cases;

/** Why a case is outside a backend's declared capabilities, or `undefined` when it applies. */
export function outsideCapabilities(backend: Backend, c: ConformanceCase): string | undefined {
  const needs = (c as Partial<KitCase>).needs;
  if (!needs) return undefined;
  const method = needs.methods?.find((m) => typeof backend[m] !== 'function');
  if (method) return `the backend has no ${method}`;
  // core's predicate, the one backends reject by: every rank the case needs first, then every float type
  const gap =
    needs.ranks.map((rank) => capabilityGap(backend.capabilities, { rank })).find(Boolean) ??
    needs.dtypes.map((dtype) => capabilityGap(backend.capabilities, { dtype })).find(Boolean);
  if (gap?.kind === 'rank')
    return `needs spatial rank ${gap.needed}; the backend declares ${gap.declared.join(', ')}`;
  if (gap?.kind === 'dtype') return `needs ${gap.needed}; the backend declares ${gap.declared.join(', ')}`;
  return undefined;
}

/** Options of {@link runConformance}. */
export interface RunOptions {
  /** Runs only the cases it accepts. */
  filter?: (c: ConformanceCase) => boolean;
  /** Called after each case, for progress displays. */
  onProgress?: (result: ConformanceResult, done: number, total: number) => void;
  /** The cases to run; default {@link cases}. */
  cases?: readonly ConformanceCase[];
  /**
   * Longest time one case may take, in milliseconds; default {@link DEFAULT_CASE_TIMEOUT_MS}
   * (30 s). A case whose promise has not settled by then fails ("timed out") and the run goes on,
   * so a backend whose promises never settle cannot hang the report. `0` or `Infinity`: no limit.
   * (A synchronous backend that never returns cannot be interrupted from the same thread.)
   */
  timeoutMs?: number;
}

/** The default per-case time limit of {@link runConformance} and the CLI, in milliseconds. */
export const DEFAULT_CASE_TIMEOUT_MS = 30_000;

/** Settles like `promise`, or rejects with a "timed out" error after `ms` (the timer is cleared either way). */
async function withTimeout<T>(promise: Promise<T>, ms: number, id: string): Promise<T> {
  if (!(ms > 0 && ms < Number.POSITIVE_INFINITY)) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // a referenced timer: it keeps the process alive until the verdict even when nothing else does
    timer = setTimeout(() => {
      const error = new Error(`case ${id} did not settle within ${ms} ms (timeoutMs ${ms})`);
      error.name = 'TimeoutError';
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs the cases on a backend and reports. Never throws for a failing or throwing backend: each
 * failure is a result with its message. Cases outside the backend's declared `capabilities` are
 * reported as skipped and counted apart, never as passed.
 * @example
 * ```ts
 * const report = await runConformance(myBackend);
 * console.log(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
 * ```
 */
export async function runConformance(backend: Backend, options: RunOptions = {}): Promise<ConformanceReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)
    throw new RangeError(
      `timeoutMs must be a non-negative number of milliseconds, but got ${String(timeoutMs)}`,
    );
  const selected = (options.cases ?? cases).filter((c) => !options.filter || options.filter(c));
  const results: ConformanceResult[] = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const c of selected) {
    let result: ConformanceResult;
    const outside = outsideCapabilities(backend, c);
    if (outside) {
      skipped++;
      result = { id: c.id, source: c.source, ok: false, skipped: true, message: `skipped: ${outside}` };
    } else {
      try {
        const measure = (c as Partial<KitCase>).measure;
        let maxError: number | undefined;
        // async wrappers so that a synchronous throw becomes a rejection the race sees
        if (measure) maxError = await withTimeout((async () => measure(backend))(), timeoutMs, c.id);
        else await withTimeout((async () => c.run(backend))(), timeoutMs, c.id);
        passed++;
        result = { id: c.id, source: c.source, ok: true, ...(maxError === undefined ? {} : { maxError }) };
      } catch (e) {
        failed++;
        const message =
          e instanceof Error ? `${e.name === 'MismatchError' ? '' : `${e.name}: `}${e.message}` : String(e);
        result = {
          id: c.id,
          source: c.source,
          ok: false,
          message,
          ...(e instanceof MismatchError && Number.isFinite(e.maxError) ? { maxError: e.maxError } : {}),
          // a brand check, not instanceof: the backend may use another copy of core than the kit
          ...(isTconvError(e) ? { code: e.code } : {}),
        };
      }
    }
    results.push(result);
    options.onProgress?.(result, results.length, selected.length);
  }
  return { backend: backend.name, passed, failed, skipped, results };
}
