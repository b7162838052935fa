import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Backend } from '@tconv/core';
import { runConformance } from './run';
import type { ConformanceResult } from './types';

const HELP = `tconv-conformance <module> [--export name] [--filter text] [--json]

Runs the tconv conformance kit against a backend module and exits non-zero if any case fails.

  <module>         a path (./my-backend.js) or package name that exports a Backend
  --export name    the export to use; default: the first export that is a Backend, or a
                   function (like createWasmBackend) that returns one
  --filter text    run only cases whose id, title, source or tags contain text
  --json           print the report as JSON on stdout (progress still goes to stderr)
  --help           this text
`;

const isBackend = (v: unknown): v is Backend =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as Backend).name === 'string' &&
  typeof (v as Backend).convTranspose === 'function';

async function loadBackend(spec: string, exportName?: string): Promise<Backend> {
  const path = resolve(spec);
  const module = (await import(existsSync(path) ? pathToFileURL(path).href : spec)) as Record<
    string,
    unknown
  >;
  const candidates = exportName ? [module[exportName]] : [module.default, ...Object.values(module)];
  for (const c of candidates) {
    if (isBackend(c)) return c;
  }
  for (const c of candidates) {
    if (typeof c === 'function' && c.length === 0) {
      const made = await (c as () => unknown)();
      if (isBackend(made)) return made;
    }
  }
  throw new Error(`${spec} exports no Backend${exportName ? ` named ${exportName}` : ''}`);
}

function pad(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n);
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.length === 0) {
    process.stdout.write(HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const json = argv.includes('--json');
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const moduleSpec = argv.find(
    (a, i) => !a.startsWith('--') && !['--export', '--filter'].includes(argv[i - 1] ?? ''),
  );
  if (!moduleSpec) {
    process.stderr.write(HELP);
    return 2;
  }
  const text = value('--filter')?.toLowerCase();
  const backend = await loadBackend(moduleSpec, value('--export'));
  const report = await runConformance(backend, {
    filter: text
      ? (c) => [c.id, c.title, c.source, ...c.tags].some((s) => s.toLowerCase().includes(text))
      : undefined,
    onProgress: (r: ConformanceResult, done, total) => {
      if (process.stderr.isTTY)
        process.stderr.write(
          `\r${backend.name}: ${done}/${total} ${r.ok ? '' : r.skipped ? 'skip' : 'FAIL'} ${pad(r.id, 40)}`,
        );
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [`${pad('case', 48)} ${pad('result', 6)} ${pad('max error', 10)} message / source`];
    for (const r of report.results) {
      const status = r.skipped ? 'skip' : r.ok ? 'pass' : 'FAIL';
      const err = r.maxError === undefined ? '-' : r.maxError.toExponential(1);
      lines.push(`${pad(r.id, 48)} ${pad(status, 6)} ${pad(err, 10)} ${r.ok ? r.source : (r.message ?? '')}`);
    }
    lines.push(
      '',
      `backend ${report.backend}: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tconv-conformance: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
