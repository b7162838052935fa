import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cases } from '@tconv/conformance';
import { allEngines } from './engines';
import type { Matrix } from './matrix';
import { runMatrix } from './matrix';
import { markdownReport } from './report-markdown';
import { svgMatrix } from './report-svg';
import { countByEngineAndGroup } from './summary';

const HELP = `tconv interop — the conformance kit on TensorFlow.js, ONNX Runtime and tconv's own backends

  --engine a,b     only engines whose name contains one of the strings
  --filter s       only cases whose id contains s
  --out <dir>      where to write matrix.json / matrix.md / matrix.svg (default apps/interop/results)
  --render         only rewrite matrix.md and matrix.svg from the matrix.json in --out (no run)
  --help           this text
`;

function arg(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const engineFilter = arg(argv, '--engine')?.split(',').filter(Boolean);
  const caseFilter = arg(argv, '--filter');
  const out = resolve(arg(argv, '--out') ?? join(import.meta.dirname, '..', 'results'));
  const sources = new Map(cases.map((c) => [c.id, c.source]));
  if (argv.includes('--render')) {
    const matrix = JSON.parse(readFileSync(join(out, 'matrix.json'), 'utf8')) as Matrix;
    writeFileSync(join(out, 'matrix.md'), markdownReport(matrix, sources));
    writeFileSync(join(out, 'matrix.svg'), svgMatrix(matrix));
    process.stdout.write(`rewrote ${join(out, 'matrix.md')} and matrix.svg from matrix.json\n`);
    return 0;
  }
  const engines = allEngines().filter(
    (e) => !engineFilter || engineFilter.some((f) => e.info.name.includes(f)),
  );
  const selected = cases.filter((c) => !caseFilter || c.id.includes(caseFilter));
  let last = '';
  const matrix = await runMatrix(engines, {
    cases: selected,
    onProgress(engine, done, total) {
      if (engine !== last) process.stdout.write(`${last ? '\n' : ''}${engine.padEnd(18)} `);
      last = engine;
      if (done % 10 === 0 || done === total) process.stdout.write(`${done}/${total} `);
    },
  });
  await Promise.all(engines.map((e) => e.dispose?.()));
  process.stdout.write('\n\n');
  for (const [name, groups] of countByEngineAndGroup(matrix)) {
    const t = groups.get('')!;
    process.stdout.write(
      `${name.padEnd(18)} ${t.pass} pass, ${t.fail} fail, ${t['cannot-express']} cannot express\n`,
    );
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(join(out, 'matrix.md'), markdownReport(matrix, sources));
  writeFileSync(join(out, 'matrix.svg'), svgMatrix(matrix));
  process.stdout.write(`\nwrote ${join(out, 'matrix.json')}, matrix.md, matrix.svg\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`interop: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
