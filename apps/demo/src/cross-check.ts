import type { ConformanceCase } from '@tconv/conformance';
import { cases as allCases, runConformance } from '@tconv/conformance';
import type { DemoBackend } from './backends';
import type { Paint, TableRow } from './table';
import { formatNumber, renderTable } from './table';

/** What one backend did on one case. */
export interface CellResult {
  readonly status: 'pass' | 'fail' | 'skip';
  /** The largest error the kit reported, when it reports one. */
  readonly maxError?: number;
  readonly message?: string;
}

/** One conformance case across every backend. */
export interface CaseRow {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly tags: readonly string[];
  /** Keyed by backend name. */
  readonly results: Record<string, CellResult>;
}

/** A backend's totals. */
export interface BackendSummary {
  readonly backend: string;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Wall time of its whole run, in milliseconds. */
  readonly milliseconds: number;
}

/** The whole cross-check: every case on every backend. */
export interface CrossCheck {
  readonly backends: readonly string[];
  readonly rows: readonly CaseRow[];
  readonly summaries: readonly BackendSummary[];
  /** `true` when no backend failed any case. */
  readonly ok: boolean;
}

/** Called after each case, for a progress display. */
export type Progress = (backend: string, done: number, total: number, caseId: string) => void;

/** The fields a result may carry beyond the contract's; read only when present. */
interface ResultExtras {
  readonly skipped?: unknown;
  readonly maxError?: unknown;
}

function cellOf(result: { ok: boolean; message?: string } & ResultExtras): CellResult {
  const maxError =
    typeof result.maxError === 'number' && Number.isFinite(result.maxError) ? result.maxError : undefined;
  const status = result.skipped === true ? 'skip' : result.ok ? 'pass' : 'fail';
  return {
    status,
    ...(maxError === undefined ? {} : { maxError }),
    ...(result.message === undefined ? {} : { message: result.message }),
  };
}

/**
 * Runs every conformance case on every backend. Each case is its own `runConformance` call (with
 * a filter selecting it), which keeps the kit's reporting and skipping rules and gives a
 * progress step per case.
 * @param backends - the backends, in column order
 * @param options - `filter` selects cases; `onProgress` is called after each case
 */
export async function crossCheck(
  backends: readonly DemoBackend[],
  options: { filter?: (c: ConformanceCase) => boolean; onProgress?: Progress } = {},
): Promise<CrossCheck> {
  const selected = allCases.filter((c) => options.filter?.(c) ?? true);
  const rows: CaseRow[] = selected.map((c) => ({
    id: c.id,
    title: c.title,
    source: c.source,
    tags: [...c.tags],
    results: {},
  }));
  const summaries: BackendSummary[] = [];
  for (const { name, backend } of backends) {
    const start = performance.now();
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (let i = 0; i < selected.length; i++) {
      const theCase = selected[i]!;
      const report = await runConformance(backend, { filter: (c) => c === theCase });
      const results = report.results.filter((r) => r.id === theCase.id);
      // A case the kit did not report at all counts as failed: silence must not look green.
      const cell: CellResult =
        results.length === 0
          ? { status: 'fail', message: 'the conformance kit reported no result for this case' }
          : results.map(cellOf).reduce(mergeCells);
      (rows[i]!.results as Record<string, CellResult>)[name] = cell;
      if (cell.status === 'pass') passed++;
      else if (cell.status === 'fail') failed++;
      else skipped++;
      options.onProgress?.(name, i + 1, selected.length, theCase.id);
    }
    summaries.push({ backend: name, passed, failed, skipped, milliseconds: performance.now() - start });
  }
  return {
    backends: backends.map((b) => b.name),
    rows,
    summaries,
    ok: summaries.every((s) => s.failed === 0),
  };
}

/** Several results for one case: any failure wins, then any pass; the largest error is kept. */
function mergeCells(a: CellResult, b: CellResult): CellResult {
  const rank = { fail: 2, pass: 1, skip: 0 } as const;
  const worse = rank[b.status] > rank[a.status] ? b : a;
  const maxError =
    a.maxError === undefined
      ? b.maxError
      : b.maxError === undefined
        ? a.maxError
        : Math.max(a.maxError, b.maxError);
  return {
    status: worse.status,
    ...(maxError === undefined ? {} : { maxError }),
    ...(worse.message === undefined ? {} : { message: worse.message }),
  };
}

function cellText(cell: CellResult | undefined, paint: Paint): string {
  if (cell === undefined) return paint.dim('-');
  const error = cell.maxError === undefined ? '-' : formatNumber(cell.maxError);
  if (cell.status === 'pass') return `${paint.green('pass')} ${paint.dim(error)}`;
  if (cell.status === 'fail') return `${paint.red('FAIL')} ${error}`;
  return paint.yellow('skip');
}

/**
 * The results as a table: one row per case, grouped by source document (in the kit's order),
 * one column per backend; each cell is pass / FAIL / skip with the largest error (`-` when the
 * kit does not report one).
 */
export function crossCheckTable(check: CrossCheck, paint: Paint): string[] {
  const groups = new Map<string, CaseRow[]>();
  for (const row of check.rows) {
    const list = groups.get(row.source);
    if (list) list.push(row);
    else groups.set(row.source, [row]);
  }
  const rows: TableRow[] = [];
  for (const [source, list] of groups) {
    rows.push({ group: source });
    for (const row of list)
      rows.push([row.id, ...check.backends.map((b) => cellText(row.results[b], paint))]);
  }
  return renderTable(['case', ...check.backends], rows);
}

/** The failures, one block per failing case and backend, with the kit's message. */
export function failureLines(check: CrossCheck, paint: Paint, maxMessage = 300): string[] {
  const out: string[] = [];
  for (const row of check.rows) {
    for (const backend of check.backends) {
      const cell = row.results[backend];
      if (cell?.status !== 'fail') continue;
      const message = (cell.message ?? '(no message)').replace(/\s+/g, ' ');
      const short = message.length > maxMessage ? `${message.slice(0, maxMessage - 1)}…` : message;
      out.push(`${paint.red('FAIL')} ${backend} ${row.id}: ${short}`);
    }
  }
  return out;
}

/** One line per backend and a verdict, e.g. `cpu 92/92 passed (0.4 s)`. */
export function summaryLine(check: CrossCheck, paint: Paint): string {
  // "every backend passed" over no backend (only webgpu asked for, in Node) would be vacuous
  if (check.backends.length === 0)
    return paint.red('FAILED: no requested backend is available here, nothing was checked');
  const parts = check.summaries.map((s) => {
    const total = s.passed + s.failed;
    const text = `${s.backend} ${s.passed}/${total} passed${s.skipped > 0 ? `, ${s.skipped} skipped` : ''}`;
    const time = paint.dim(` (${(s.milliseconds / 1000).toFixed(1)} s)`);
    return (s.failed === 0 ? paint.green(text) : paint.red(`${text}, ${s.failed} FAILED`)) + time;
  });
  const failing = check.summaries.filter((s) => s.failed > 0).map((s) => s.backend);
  const verdict =
    failing.length === 0
      ? paint.green(
          check.summaries.some((s) => s.skipped > 0)
            ? `every backend passed every case within its declared capabilities (${check.rows.length} cases)`
            : `every backend passed all ${check.rows.length} cases`,
        )
      : paint.red(`FAILED: ${failing.join(', ')}`);
  return `${parts.join(' · ')} — ${verdict}`;
}
