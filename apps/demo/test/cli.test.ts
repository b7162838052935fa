import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cases } from '@tconv/conformance';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workedExample } from '@tconv/conformance/examples';
import { AIM_IMAGE } from '../src/pictures';

const { PNG } = pngjs;
const app = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(app, 'dist', 'cli.js');
const PACKAGES = ['core', 'backend-cpu', 'backend-sparse', 'backend-wasm', 'backend-webgpu', 'conformance'];
/** What the demo says in Node, where WebGPU does not exist (the UnsupportedError's reason follows). */
const NO_WEBGPU =
  'webgpu: not available here, not cross-checked — WebGPU is not available: navigator.gpu is undefined';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      // NO_COLOR and a pipe keep the output plain; TCONV_DEMO_WRONG_BACKEND only when a test sets it.
      {
        cwd: app,
        env: { ...process.env, NO_COLOR: '1', TCONV_DEMO_WRONG_BACKEND: '', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The table rows: case id → cells by backend, read from the plain-text table. */
function tableRows(stdout: string, backends: readonly string[]): Map<string, Record<string, string>> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('case ') && l.includes(`| ${backends[0]}`));
  expect(header, 'the conformance table header').toBeGreaterThanOrEqual(0);
  expect(
    lines[header]!.split('|').map((c) => c.trim()),
    'one column per backend, in order',
  ).toEqual(['case', ...backends]);
  const rows = new Map<string, Record<string, string>>();
  for (const line of lines.slice(header + 2)) {
    if (line.trim() === '') break;
    if (line.startsWith('-- ')) continue;
    const [id, ...cells] = line.split(' | ').map((c) => c.trim());
    rows.set(id!, Object.fromEntries(backends.map((b, i) => [b, cells[i] ?? ''])));
  }
  return rows;
}

function readPng(path: string): { width: number; height: number; pixel(x: number, y: number): number[] } {
  const png = PNG.sync.read(readFileSync(path));
  return {
    width: png.width,
    height: png.height,
    pixel: (x, y) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)),
  };
}

let out: string;
let real: Run;

beforeAll(async () => {
  const missing = PACKAGES.filter(
    (p) => !existsSync(join(app, 'node_modules', '@tconv', p, 'dist', 'index.js')),
  );
  if (missing.length > 0) {
    throw new Error(
      `the demo runs the built packages, but ${missing.map((p) => `@tconv/${p}`).join(', ')} has no dist: run \`turbo run build --filter=@tconv/demo...\` (or \`npx pnpm@10 turbo run build\`) at the repository root first`,
    );
  }
  // `npm test` here builds first; a direct `vitest run` rebuilds the CLI if its sources are newer.
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  if (built < newestSource(join(app, 'src'))) {
    execFileSync('npx', ['tsup', '--silent'], { cwd: app, stdio: 'inherit' });
  }
  out = mkdtempSync(join(tmpdir(), 'tconv-demo-'));
  real = await runCli(['--out', out]);
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('the built CLI on the real backends', () => {
  it('exits 0 and prints a table with every case passing on cpu, sparse and wasm', () => {
    expect(real.code, real.stderr).toBe(0);
    const rows = tableRows(real.stdout, ['cpu', 'sparse', 'wasm']);
    expect([...rows.keys()].sort()).toEqual(cases.map((c) => c.id).sort());
    for (const [id, cells] of rows) {
      for (const [backend, cell] of Object.entries(cells)) {
        expect(cell, `${id} on ${backend}`).toMatch(/^(pass( \S+)?|skip)$/);
      }
    }
    expect(real.stdout).not.toContain('FAIL');
    expect(real.stdout).toContain(
      `every backend passed every case within its declared capabilities (${cases.length} cases)`,
    );
  });

  it('says plainly that WebGPU is not cross-checked in Node, once, with the reason, and leaves out its column', () => {
    expect(real.stdout.split('\n').filter((l) => l.startsWith(NO_WEBGPU))).toHaveLength(1);
    expect(real.stdout).not.toMatch(/\| webgpu/);
  });

  it("prints the documents' examples side by side, W and the shape walkthrough, all checked", () => {
    const text = real.stdout;
    expect(text).toContain('GfG Example 1');
    expect(text).toMatch(/input\s+kernel\s+cpu ✓\s+sparse ✓\s+wasm ✓\s+document/);
    // The document's 4×9 W, as convolutionMatrix builds it, marked equal to the document.
    expect(text).toContain('W (4×9) ✓ = document');
    expect(text).toContain('0 0 0 0 1 2 0 3 4');
    expect(text).toMatch(/Wᵀ·y\s+cpu Z ✓\s+sparse Z ✓\s+wasm Z ✓/);
    expect(text).toContain('1×10×16×16 ✓');
    expect(text).not.toContain('✗');
  });

  it('writes the AIM pictures: 16×16 outputs at 16 screen pixels each, with black stripes where the stride leaves gaps', () => {
    const stripes = readPng(join(out, 'aim-k3-s4-op1.png'));
    const filled = readPng(join(out, 'aim-k4-s4.png'));
    const input = readPng(join(out, 'aim-input.png'));
    for (const png of [stripes, filled, input]) expect([png.width, png.height]).toEqual([256, 256]);
    let stripePixels = 0;
    let blackInFilled = 0;
    const wrong: string[] = [];
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const colour = [...AIM_IMAGE[Math.floor(y / 64)]![Math.floor(x / 64)]!, 255].join();
        // Output pixel (r, c) = (y/16, x/16); k3 s4 covers offsets 0..2 of each block of 4.
        const gap = Math.floor(y / 16) % 4 === 3 || Math.floor(x / 16) % 4 === 3;
        if (gap) stripePixels++;
        if (stripes.pixel(x, y).join() !== (gap ? '0,0,0,255' : colour)) wrong.push(`stripes (${x}, ${y})`);
        if (filled.pixel(x, y).join() !== colour) wrong.push(`filled (${x}, ${y})`);
        if (input.pixel(x, y).join() !== colour) wrong.push(`input (${x}, ${y})`);
        if (filled.pixel(x, y).join() === '0,0,0,255') blackInFilled++;
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(stripePixels).toBe(256 * 256 - 192 * 192);
    const blackInputs = AIM_IMAGE.flat().filter((c) => c.every((v) => v === 0)).length;
    expect(blackInputs).toBeGreaterThan(0);
    expect(blackInFilled).toBe(blackInputs * 64 * 64);
  });

  it("writes one d2l stride-2 picture per backend, grey levels of the document's result", () => {
    const D2L_STRIDE_OUTPUT = workedExample('d2l/stride-2').expected;
    const max = Math.max(...D2L_STRIDE_OUTPUT.flat());
    for (const name of ['document', 'cpu', 'sparse', 'wasm']) {
      const png = readPng(join(out, `d2l-stride2-${name}.png`));
      expect([png.width, png.height]).toEqual([256, 256]);
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          const grey = Math.round((D2L_STRIDE_OUTPUT[i]![j]! / max) * 255);
          for (const [dx, dy] of [
            [0, 0],
            [63, 63],
            [31, 17],
          ]) {
            expect(png.pixel(j * 64 + dx!, i * 64 + dy!), `${name} (${i}, ${j})`).toEqual([
              grey,
              grey,
              grey,
              255,
            ]);
          }
        }
      }
    }
  });
});

describe('the deliberately wrong backend', () => {
  it('through TCONV_DEMO_WRONG_BACKEND=1: exit 1 and the wrong column fails while the real ones pass', async () => {
    const run = await runCli(['--no-pictures'], { TCONV_DEMO_WRONG_BACKEND: '1' });
    expect(run.code).toBe(1);
    const rows = tableRows(run.stdout, ['cpu', 'sparse', 'wasm', 'wrong']);
    const wrongFailures = [...rows.values()].filter((r) => r.wrong!.startsWith('FAIL')).length;
    expect(wrongFailures).toBeGreaterThan(0);
    for (const [id, cells] of rows) {
      for (const b of ['cpu', 'sparse', 'wasm']) expect(cells[b], `${id} on ${b}`).not.toMatch(/FAIL/);
    }
    expect(run.stdout).toMatch(/^FAIL wrong \S+: /m);
    expect(run.stdout).toContain('FAILED: wrong');
    // The summary line: "wrong 45/145 passed, 42 skipped, 100 FAILED" (skipped: gradient cases the
    // wrong backend, which has no gradient methods, does not declare).
    expect(run.stdout).toMatch(/wrong \d+\/\d+ passed(, \d+ skipped)?, [1-9]\d* FAILED/);
    expect(run.stdout).toMatch(/wrong ✗/);
  });

  it('through --with-wrong-backend, with --backend selecting columns', async () => {
    const run = await runCli(['--no-pictures', '--backend', 'cpu', '--with-wrong-backend']);
    expect(run.code).toBe(1);
    const rows = tableRows(run.stdout, ['cpu', 'wrong']);
    expect([...rows.values()].some((r) => r.wrong!.startsWith('FAIL'))).toBe(true);
    expect([...rows.values()].every((r) => !r.cpu!.startsWith('FAIL'))).toBe(true);
  });
});

describe('flags', () => {
  it('--json prints the full cross-check as JSON', async () => {
    const run = await runCli(['--json', '--no-pictures']);
    expect(run.code).toBe(0);
    // stdout is the JSON alone: the note that WebGPU is missing is a field of it
    const json = JSON.parse(run.stdout);
    expect(json.ok).toBe(true);
    expect(json.backends).toEqual(['cpu', 'sparse', 'wasm']);
    expect(json.unavailable).toEqual([
      { name: 'webgpu', reason: expect.stringContaining('navigator.gpu is undefined') },
    ]);
    expect(json.pictures).toBeNull();
    expect(json.cases.map((c: { id: string }) => c.id)).toEqual(cases.map((c) => c.id));
    for (const c of json.cases) {
      for (const b of json.backends) expect(['pass', 'skip']).toContain(c.results[b].status);
    }
    for (const s of json.summary) {
      expect(s.failed).toBe(0);
      expect(s.passed + s.skipped).toBe(cases.length);
    }
    expect(json.matrixView.w).toHaveLength(4);
    expect(json.matrixView.ok).toBe(true);
    expect(json.examples.length).toBeGreaterThan(0);
    expect(json.shapes.every((s: { coreOk: boolean }) => s.coreOk)).toBe(true);
  });

  it('--backend webgpu alone in Node: nothing to check, so exit 1 with the reason', async () => {
    const run = await runCli(['--backend', 'webgpu', '--no-pictures', '--json']);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json.ok).toBe(false);
    expect(json.backends).toEqual([]);
    expect(json.unavailable.map((u: { name: string }) => u.name)).toEqual(['webgpu']);
  });

  it('--help documents every flag, the environment variable and the pictures', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--out',
      '--no-pictures',
      '--json',
      '--backend',
      '--with-wrong-backend',
      '--filter',
      '--no-color',
      '--help',
      'TCONV_DEMO_WRONG_BACKEND',
      'aim-k3-s4-op1.png',
      'aim-k4-s4.png',
      'd2l-stride2-<backend>.png',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('a mistake on the command line exits 2 with a clear message', async () => {
    const unknown = await runCli(['--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
    const backend = await runCli(['--backend', 'gpu']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toContain('unknown backend "gpu"; the backends are cpu, sparse, wasm, wrong');
  });
});
