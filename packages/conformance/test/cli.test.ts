import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { USAGE } from '../src/cli-args';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const bin = join(pkg, 'bin', 'tconv-conformance.mjs');
const cpuDist = join(pkg, '..', 'backend-cpu', 'dist', 'index.js');
const cpuUrl = JSON.stringify(pathToFileURL(cpuDist).href);

// The CLI is tested as users run it: the built bin against a built backend module (turbo builds
// both before this package's tests), from a directory of the user's that is not the kit's.
beforeAll(() => {
  for (const file of [join(pkg, 'dist', 'cli.js'), cpuDist]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build the workspace first (turbo run build)`);
  }
});

const dir = mkdtempSync(join(tmpdir(), 'tconv-conformance-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const run = (args: string[], options: { cwd?: string; nodeArgs?: string[] } = {}) =>
  spawnSync(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? dir,
    timeout: 60_000,
  });

// cpu's backend renamed, so the output shows which export was picked
const named = (name: string) =>
  `{ name: ${JSON.stringify(name)}, convTranspose: (x, w, o) => cpuBackend.convTranspose(x, w, o), conv: (x, w, o) => cpuBackend.conv(x, w, o) }`;

describe('tconv-conformance: running', () => {
  it('passes a correct backend module, with a table, the export it used and a summary, exit 0', () => {
    const r = run([cpuDist, '--filter', 'd2l']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`backend cpu: export cpuBackend of ${cpuDist}`);
    expect(r.stdout).toMatch(/d2l\/basic\s+pass/);
    expect(r.stdout).toMatch(/backend cpu: \d+ passed, 0 failed, \d+ skipped/);
    expect(r.stdout).not.toMatch(/\d{3}_[0-9a-f]{16}\.txt|contract\.md/); // sources cited by title and URL
    expect(r.stdout).toContain('https://d2l.ai/chapter_computer-vision/transposed-conv.html');
  });

  it('fails a wrong backend with exit 1 and names the failing cases; --json prints the report', () => {
    const wrong = write(
      'wrong.mjs',
      `import { cpuBackend } from ${cpuUrl};
export const zeroBackend = { name: 'zeros', convTranspose: (x, w, o) => { const y = cpuBackend.convTranspose(x, w, o); y.data.fill(0); return y; }, conv: cpuBackend.conv };`,
    );
    const r = run([wrong, '--export', 'zeroBackend', '--filter', 'd2l', '--json']);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      backend: string;
      failed: number;
      export: string;
      module: string;
      results: { id: string; ok: boolean }[];
    };
    expect(report).toMatchObject({ backend: 'zeros', export: 'zeroBackend', module: wrong });
    expect(report.failed).toBeGreaterThan(0);
    expect(report.results.find((x) => x.id === 'd2l/basic')?.ok).toBe(false);
  });

  it('exits 1 when no case ran because every selected case is outside the declared capabilities', () => {
    const rank7 = write(
      'rank7.mjs',
      `import { cpuBackend } from ${cpuUrl};
export const onlyRank7 = { ...${named('rank7')}, capabilities: { ranks: [7] } };`,
    );
    const r = run([rank7, '--filter', 'd2l']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/0 passed, 0 failed, [1-9]\d* skipped/);
    expect(r.stdout).toContain('no case ran');
  });

  it('fails a case whose promise never settles after --timeout, and exits although the module keeps the loop alive', () => {
    const hang = write(
      'hang.mjs',
      `import { cpuBackend } from ${cpuUrl};
setInterval(() => {}, 1000); // keeps the event loop alive forever
export const hanging = { ...${named('hanging')}, convTranspose: () => new Promise(() => {}) };`,
    );
    const started = Date.now();
    const r = run([hang, '--filter', 'd2l/basic', '--timeout', '300', '--json']);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as { failed: number; results: { ok: boolean; message: string }[] };
    expect(report.failed).toBe(report.results.length);
    expect(report.results[0]?.message).toMatch(/did not settle within 300 ms/);
  });
});

describe('tconv-conformance: choosing the export', () => {
  it('takes the first Backend in source order (not alphabetical) and names it', () => {
    const two = write(
      'two.mjs',
      `import { cpuBackend } from ${cpuUrl};
export const helper = 42;
export const zeta = ${named('zeta')};
export const alpha = ${named('alpha')};`,
    );
    const r = run([two, '--filter', 'd2l/basic']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`backend zeta: export zeta of ${two}`);
  });

  it('calls a factory (like createWasmBackend) when it comes first, and follows an export list', () => {
    const factory = write(
      'factory.mjs',
      `import { cpuBackend } from ${cpuUrl};
const later = ${named('later')};
async function createMyBackend(options = {}) { return ${named('made')}; }
export { createMyBackend, later };`,
    );
    const r = run([factory, '--filter', 'd2l/basic']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('backend made: export createMyBackend() of');
  });

  it('keeps the assignment order of a CommonJS module', () => {
    const cjs = write(
      'order.cjs',
      `const { cpuBackend } = require(${JSON.stringify(cpuDist.replace(/\.js$/, '.cjs'))});
exports.second = ${named('second')};
exports.first = ${named('first')};`,
    );
    const r = run([cjs, '--filter', 'd2l/basic']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('backend second: export second of');
  });

  it('says which export is missing or not a Backend', () => {
    const r = run([cpuDist, '--export', 'nope']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('has no export nope');
    const none = write('none.mjs', 'export const answer = 42;\n');
    const s = run([none]);
    expect(s.status).toBe(2);
    expect(s.stderr).toContain(`exports no Backend`);
  });
});

describe('tconv-conformance: paths', () => {
  it('resolves a relative module path from the current directory', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, 'rel.mjs'),
      `import { cpuBackend } from ${cpuUrl};\nexport const rel = ${named('rel')};\n`,
    );
    const r = run(['./rel.mjs', '--filter', 'd2l/basic'], { cwd: sub });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('backend rel');
  });

  it("shows a missing module's path as resolved from the current directory", () => {
    const r = run(['./does-not-exist.mjs']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(dir, 'does-not-exist.mjs'));
  });

  it("resolves a package name from the current directory's node_modules (its ESM entry)", () => {
    const root = join(dir, 'node_modules', 'my-backend');
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(
      join(root, 'package.json'),
      JSON.stringify({
        name: 'my-backend',
        type: 'module',
        exports: {
          '.': { import: './dist/esm.js', require: './dist/cjs.cjs' },
          './package.json': './package.json',
        },
      }),
    );
    writeFileSync(
      join(root, 'dist', 'esm.js'),
      `import { cpuBackend } from ${cpuUrl};\nexport const pkg = ${named('from-package')};\n`,
    );
    const r = run(['my-backend', '--filter', 'd2l/basic']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`backend from-package: export pkg of ${join(root, 'dist', 'esm.js')}`);
    const missing = run(['no-such-package']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(`cannot find package no-such-package from ${dir}`);
  });
});

describe('tconv-conformance: usage', () => {
  it.each([
    [['--bogus', cpuDist], 'unknown option --bogus'],
    [[cpuDist, '--filter'], '--filter needs a value'],
    [[cpuDist, '--export', '--json'], '--export needs a value'],
    [[cpuDist, '--timeout', 'soon'], '--timeout must be a positive number'],
    [[cpuDist, '--timeout', '0'], '--timeout must be a positive number'],
    [[cpuDist, cpuDist], 'one module expected'],
    [[], 'no backend module given'],
    [[cpuDist, '--filter', 'no-case-has-this-text'], '--filter no-case-has-this-text matches no case'],
  ])('%j is a usage error: exit 2 with the usage line', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(USAGE);
    expect(r.stdout).toBe('');
  });

  it('documents itself', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--export', '--filter', '--json', '--timeout', 'Exit codes'])
      expect(r.stdout).toContain(flag);
  });
});

describe('tconv-conformance: progress', () => {
  // stderr made to look like a terminal, as in an interactive shell
  const tty = write('tty.cjs', "Object.defineProperty(process.stderr, 'isTTY', { value: true });\n");

  it('counts cases on stderr when stderr is a terminal', () => {
    const r = run([cpuDist, '--filter', 'd2l'], { nodeArgs: ['--require', tty] });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/\[1\/\d+\] cpu pass d2l\//);
    expect(r.stdout).not.toContain('[1/');
  });

  it('stays quiet with --json, and when stderr is not a terminal', () => {
    const json = run([cpuDist, '--filter', 'd2l', '--json'], { nodeArgs: ['--require', tty] });
    expect(json.status).toBe(0);
    expect(json.stderr).toBe('');
    const piped = run([cpuDist, '--filter', 'd2l']);
    expect(piped.stderr).toBe('');
  });
});
