import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const bin = join(pkg, 'bin', 'tconv-conformance.mjs');
const cpuDist = join(pkg, '..', 'backend-cpu', 'dist', 'index.js');

// The CLI is tested as users run it: the built bin against a built backend module (turbo builds
// both before this package's tests).
beforeAll(() => {
  for (const file of [join(pkg, 'dist', 'cli.js'), cpuDist]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build the workspace first (turbo run build)`);
  }
});

const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('tconv-conformance', () => {
  it('passes a correct backend module, with a table and a summary, exit 0', () => {
    const r = run(cpuDist, '--filter', 'd2l');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/d2l\/basic\s+pass/);
    expect(r.stdout).toMatch(/backend cpu: \d+ passed, 0 failed, 0 skipped/);
  });

  it('fails a wrong backend with exit 1 and names the failing cases; --json prints the report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tconv-conformance-'));
    const wrong = join(dir, 'wrong.mjs');
    writeFileSync(
      wrong,
      `import { cpuBackend } from ${JSON.stringify(cpuDist)};
export const zeroBackend = { name: 'zeros', convTranspose: (x, w, o) => { const y = cpuBackend.convTranspose(x, w, o); y.data.fill(0); return y; }, conv: cpuBackend.conv };`,
    );
    const r = run(wrong, '--export', 'zeroBackend', '--filter', 'd2l', '--json');
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      backend: string;
      failed: number;
      results: { id: string; ok: boolean }[];
    };
    expect(report.backend).toBe('zeros');
    expect(report.failed).toBeGreaterThan(0);
    expect(report.results.find((x) => x.id === 'd2l/basic')?.ok).toBe(false);
  });

  it('documents itself', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const flag of ['--export', '--filter', '--json']) expect(r.stdout).toContain(flag);
  });
});
