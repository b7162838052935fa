/**
 * `tconv-conformance <module>`: runs the kit against a backend module. Argument parsing lives in
 * `cli-args.ts`, finding the backend in `cli-load.ts`; this file runs, reports and exits.
 */
import { isTconvError } from '@tconv/core';
import { HELP, parseArgs, USAGE } from './cli-args';
import { type LoadedBackend, LoadError, loadBackend } from './cli-load';
import { cases, DEFAULT_CASE_TIMEOUT_MS, runConformance } from './run';
import type { ConformanceCase, ConformanceReport, ConformanceResult } from './types';

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

/** The case counter shown on stderr while the kit runs. */
function progressLine(backend: string, result: ConformanceResult, done: number, total: number): string {
  const status = result.skipped ? 'skip' : result.ok ? 'pass' : 'FAIL';
  return `\r\x1b[K[${done}/${total}] ${backend} ${status} ${pad(result.id, 48)}`;
}

function table(report: ConformanceReport, loaded: LoadedBackend): string {
  const lines = [
    `backend ${report.backend}: export ${loaded.exportName} of ${loaded.path}`,
    '',
    `${pad('case', 48)} ${pad('result', 6)} ${pad('max error', 10)} message / source`,
  ];
  for (const r of report.results) {
    const status = r.skipped ? 'skip' : r.ok ? 'pass' : 'FAIL';
    const err = r.maxError === undefined ? '-' : r.maxError.toExponential(1);
    lines.push(`${pad(r.id, 48)} ${pad(status, 6)} ${pad(err, 10)} ${r.ok ? r.source : (r.message ?? '')}`);
  }
  lines.push(
    '',
    `backend ${report.backend}: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
  );
  if (report.passed + report.failed === 0)
    lines.push(
      `no case ran: every selected case is outside the capabilities backend ${report.backend} declares`,
    );
  return `${lines.join('\n')}\n`;
}

const usageError = (message: string): number => {
  process.stderr.write(`tconv-conformance: ${message}\n${USAGE}\n(--help for more)\n`);
  return 2;
};

/** Runs the command line; resolves to the exit code. */
async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (parsed.kind === 'usage') return usageError(parsed.message);
  const { options } = parsed;
  const text = options.filter?.toLowerCase();
  const filter = text
    ? (c: ConformanceCase) => [c.id, c.title, c.source, ...c.tags].some((s) => s.toLowerCase().includes(text))
    : undefined;
  if (filter && !cases.some(filter)) return usageError(`--filter ${options.filter} matches no case`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  const loaded = await loadBackend(options.module, {
    timeoutMs,
    ...(options.exportName === undefined ? {} : { exportName: options.exportName }),
  });
  const { backend } = loaded;
  const progress = !options.json && process.stderr.isTTY === true;
  const report = await runConformance(backend, {
    timeoutMs,
    ...(filter ? { filter } : {}),
    ...(progress
      ? { onProgress: (r, done, total) => process.stderr.write(progressLine(backend.name, r, done, total)) }
      : {}),
  });
  if (progress) process.stderr.write('\r\x1b[K');
  if (options.json) {
    const out = { ...report, module: loaded.path, export: loaded.exportName };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(table(report, loaded));
  }
  if (loaded.made) {
    // a backend the CLI made is the CLI's to release (worker threads, devices)
    const dispose = (backend as { dispose?: () => unknown }).dispose;
    if (typeof dispose === 'function') {
      try {
        await Promise.race([dispose.call(backend), new Promise((r) => setTimeout(r, 5000).unref())]);
      } catch {
        // the verdict is already printed; a failing dispose does not change it
      }
    }
  }
  return report.failed > 0 || report.passed === 0 ? 1 : 0;
}

/** Exits once stdout and stderr are flushed, even if the backend module keeps the event loop alive. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main(process.argv.slice(2)).then(exit, (e: unknown) => {
  const message =
    e instanceof LoadError
      ? e.message
      : isTconvError(e)
        ? `${e.name} (${e.code}): ${e.message}`
        : e instanceof Error
          ? `${e.name}: ${e.message}`
          : String(e);
  process.stderr.write(`tconv-conformance: ${message}\n`);
  exit(2);
});
