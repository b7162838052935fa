#!/usr/bin/env node
// Installs the packages as a stranger would and uses them there: `pnpm pack` of every published
// package, the tarballs installed with npm into a fresh project outside the workspace (third-party
// dependencies from the npm registry; @tconv/* only from the tarballs), then
// - ESM (`import`) and CommonJS (`require`) programs that compute with every package, run the kit
//   and its CLI, and mix `require` and `import` of core in one process (isTconvError across the
//   two copies: the dual-package hazard); the kit's ./vitest entry under the user's own vitest;
// - TypeScript on the installed `.d.ts` with `skipLibCheck: false` and `@types/node` alone (no DOM
//   lib), under `moduleResolution` node16 (an ESM and a CommonJS file) and bundler, with
//   TypeScript 5.0 and 5.9;
// - an esbuild browser bundle (platform browser: no Node built-in may leak in), which then runs.
// Usage: node scripts/consumer-check.mjs [--keep]   (after a build; --keep leaves the project)
//
// Over 300 lines because the consumer programs are written out inline: a stranger's project in
// one readable place (pack, install, programs, TypeScript, bundle) rather than fixture files.
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const keep = process.argv.includes('--keep');

/** Third-party tools of the consumer project, pinned. */
const TOOLS = {
  typescript: '5.9.3',
  'typescript-5.0': 'npm:typescript@5.0.4',
  '@types/node': '20.19.43',
  esbuild: '0.25.12',
  // the kit's optional peer, for its ./vitest entry
  vitest: '4.1.12',
};

const published = [];
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const manifest = join(root, 'packages', name, 'package.json');
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  if (!pkg.private) published.push({ name: pkg.name, dir: join(root, 'packages', name) });
}

const work = mkdtempSync(join(tmpdir(), 'tconv-consumer-'));
const tarballs = join(work, 'tarballs');
const app = join(work, 'app');
mkdirSync(tarballs);
mkdirSync(app);

const log = (s) => console.log(`consumer-check: ${s} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
const failures = [];

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: app, encoding: 'utf8', timeout: 180_000, ...options });
  return {
    ok: r.status === 0,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim(),
  };
}
/** Like run, without blocking: several checks share the machine's cores. */
function runAsync(cmd, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd: app, ...options });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', (e) => {
      out += e.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ ok: code === 0, out: out.trim() });
    });
  });
}
/** Runs the jobs two at a time. */
async function pool(jobs, width = 2) {
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}
function expectOk(what, cmd, args, options) {
  const r = run(cmd, args, options);
  if (r.ok) log(`ok   ${what}`);
  else failures.push(`${what}:\n${r.out.split('\n').slice(0, 40).join('\n')}`);
  return r;
}

// 1. pack (pnpm rewrites workspace:* to the packed version)
const pnpm = ['npx', ['-y', 'pnpm@10.34.8']];
const files = {};
for (const p of published) {
  if (!existsSync(join(p.dir, 'dist'))) {
    console.error(`consumer-check: ${p.name} has no dist/: build first (turbo run build)`);
    process.exit(2);
  }
}
const packed = await pool(
  published.map(
    (p) => () => runAsync(pnpm[0], [...pnpm[1], 'pack', '--pack-destination', tarballs], { cwd: p.dir }),
  ),
  3,
);
published.forEach((p, i) => {
  const tgz = packed[i].ok
    ? packed[i].out
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.endsWith('.tgz'))
        .pop()
    : undefined;
  if (!tgz) {
    console.error(`consumer-check: pnpm pack failed in ${p.dir}:\n${packed[i].out}`);
    process.exit(1);
  }
  files[p.name] = `file:${resolve(tarballs, tgz.split('/').pop())}`;
});
log(`packed ${published.length} packages`);

// 2. a fresh npm project; overrides keep every @tconv/* edge on the tarballs (never the registry)
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify(
    {
      name: 'tconv-consumer',
      private: true,
      type: 'module',
      dependencies: files,
      devDependencies: TOOLS,
      overrides: Object.fromEntries(Object.keys(files).map((n) => [n, `$${n}`])),
    },
    null,
    2,
  )}\n`,
);
const install = run('npm', [
  'install',
  '--ignore-scripts',
  '--no-audit',
  '--no-fund',
  '--prefer-offline',
  '--loglevel=error',
]);
if (!install.ok) {
  console.error(`consumer-check: npm install failed:\n${install.out}`);
  process.exit(1);
}
for (const n of Object.keys(files)) {
  const version = JSON.parse(readFileSync(join(app, 'node_modules', n, 'package.json'), 'utf8'));
  if (!existsSync(join(app, 'node_modules', n, 'LICENSE')))
    failures.push(`${n}: the installed package has no LICENSE`);
  if (version.version === undefined) failures.push(`${n}: not installed from its tarball`);
}
log('installed the tarballs with npm');

const has = (n) => n in files;
const write = (rel, text) => {
  mkdirSync(dirname(join(app, rel)), { recursive: true });
  writeFileSync(join(app, rel), text);
};

// 3. programs, ESM and CommonJS
const d2l = `
const x = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
const k = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
const expected = '0,0,0,1,0,0,2,3,0,2,0,3,4,6,6,9';
const same = (t, what) => {
  if (Array.from(t.data).join(',') !== expected) throw new Error(what + ' gives ' + Array.from(t.data));
};`;
write(
  'esm.mjs',
  `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { tensor, isTconvError, convTransposeOutputSize } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend, convolutionMatrix } from '@tconv/backend-sparse';
import { wasmBackend } from '@tconv/backend-wasm';
import { runConformance, cases } from '@tconv/conformance';
${d2l}
same(cpuBackend.convTranspose(x, k, { stride: 2 }), 'cpu');
same(sparseBackend.convTranspose(x, k, { stride: 2 }), 'sparse');
same(await wasmBackend.convTranspose(x, k, { stride: 2 }), 'wasm');
assert.equal(convolutionMatrix([1, 1, 3, 3], k).nnz, 16);
const report = await runConformance(cpuBackend, { filter: (c) => c.tags.includes('d2l'), timeoutMs: 10000 });
assert.ok(report.passed > 0 && report.failed === 0, JSON.stringify(report.results.filter((r) => !r.ok)));
assert.ok(cases.length > 100);
// the dual-package hazard: the CommonJS copy of core throws errors the ESM copy must recognise
const cjsCore = createRequire(import.meta.url)('@tconv/core');
let thrown;
try { cjsCore.convTransposeOutputSize(4, 3, { stride: 0 }); } catch (e) { thrown = e; }
assert.ok(thrown && !(thrown instanceof (await import('@tconv/core')).TconvError), 'two copies expected');
assert.ok(isTconvError(thrown), 'isTconvError recognises the CommonJS copy');
assert.equal(thrown.code, 'INVALID_OPTION');
assert.throws(() => convTransposeOutputSize(4, 3, { stride: 0 }), (e) => cjsCore.isTconvError(e));
console.log('esm ok');
`,
);
write(
  'cjs.cjs',
  `const assert = require('node:assert/strict');
const { tensor, isTconvError } = require('@tconv/core');
const { cpuBackend } = require('@tconv/backend-cpu');
const { sparseBackend } = require('@tconv/backend-sparse');
const { wasmBackend } = require('@tconv/backend-wasm');
const { runConformance } = require('@tconv/conformance');
${d2l}
(async () => {
  same(cpuBackend.convTranspose(x, k, { stride: 2 }), 'cpu');
  same(sparseBackend.convTranspose(x, k, { stride: 2 }), 'sparse');
  same(await wasmBackend.convTranspose(x, k, { stride: 2 }), 'wasm');
  const report = await runConformance(sparseBackend, { filter: (c) => c.tags.includes('d2l') });
  assert.ok(report.passed > 0 && report.failed === 0);
  const esmCore = await import('@tconv/core');
  assert.throws(() => esmCore.tensor([1, 2], [3]), (e) => isTconvError(e) && e.code !== undefined);
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`,
);
expectOk('ESM program (import of every package, the kit, require+import of core)', process.execPath, [
  'esm.mjs',
]);
expectOk('CommonJS program (require of every package, the kit)', process.execPath, ['cjs.cjs']);
const cli = run(process.execPath, [
  join('node_modules', '@tconv', 'conformance', 'bin', 'tconv-conformance.mjs'),
  '@tconv/backend-cpu',
  '--filter',
  'd2l',
]);
if (cli.ok && /backend cpu: export cpuBackend of .*node_modules/.test(cli.out))
  log('ok   the CLI on an installed backend');
else failures.push(`the CLI on @tconv/backend-cpu:\n${cli.out.slice(0, 3000)}`);
write(
  'kit.test.mjs',
  `import { describeConformance } from '@tconv/conformance/vitest';
import { cpuBackend } from '@tconv/backend-cpu';
describeConformance(cpuBackend, { filter: (c) => c.tags.includes('d2l') });
`,
);
const vitest = run(
  process.execPath,
  [join(app, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'kit.test.mjs'],
  {
    env: { ...process.env, CI: '1', NO_COLOR: '1' },
  },
);
if (vitest.ok && /Tests\s+\d+ passed/.test(vitest.out))
  log("ok   the kit under the user's vitest (@tconv/conformance/vitest)");
else failures.push(`describeConformance under vitest:\n${vitest.out.slice(0, 3000)}`);
const npx = run('npx', ['--no-install', 'tconv-conformance', '--help']);
if (!npx.ok || !npx.out.includes('--timeout')) failures.push(`npx tconv-conformance --help:\n${npx.out}`);

// 4. TypeScript on the installed declarations
const tsUse = (
  cjs,
) => `import { tensor, isTconvError, resolveConvTranspose, type Backend, type Tensor, type ConvTransposeOptions } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { convolutionMatrix, prepareSparseConvTranspose, sparseBackend, type SparseMatrix, type SparseOperator } from '@tconv/backend-sparse';
import { createWasmBackend, wasmBackend } from '@tconv/backend-wasm';
import { runConformance, cases, type ConformanceReport, type ConformanceCase } from '@tconv/conformance';
${has('@tconv/backend-webgpu') ? "import { createWebGpuBackend } from '@tconv/backend-webgpu';\nexport const webgpu: (o?: Parameters<typeof createWebGpuBackend>[0]) => Promise<Backend> = createWebGpuBackend;" : ''}

const x: Tensor = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
const options: ConvTransposeOptions = { stride: 2, padding: 'same' };
const backends: Backend[] = [cpuBackend, sparseBackend, wasmBackend];
const y: Tensor = cpuBackend.convTranspose(x, x, options); // synchronous backends return a Tensor
const op: SparseOperator = prepareSparseConvTranspose([1, 1, 2, 2], x, options);
const m: SparseMatrix = convolutionMatrix([1, 1, 3, 3], x);
export const g = resolveConvTranspose([1, 1, 2, 2], [1, 1, 2, 2], options).outputSize;
export const made: Promise<Backend> = createWasmBackend({ threads: 1 });
export const first: ConformanceCase | undefined = cases[0];
export function describeError(e: unknown): string {
  return isTconvError(e) ? \`\${e.code} \${e.parameter}\` : 'other';
}
export const all: Promise<ConformanceReport[]> = Promise.all(backends.map((b) => runConformance(b, { timeoutMs: 1000 })));
export const sizes = [y.shape, op.apply(x).shape, m.rows];
${cjs ? '' : 'export const data = (await wasmBackend.convTranspose(x, x)).data;'}
`;
write('ts/esm/use.ts', tsUse(false));
write('ts/esm/package.json', '{ "type": "module" }\n');
write('ts/cjs/use.cts', tsUse(true));
write('ts/bundler/use.ts', tsUse(false));
const base = {
  strict: true,
  skipLibCheck: false,
  noEmit: true,
  target: 'ES2022',
  lib: ['ES2022'],
  types: ['node'],
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
};
const tsconfigs = {
  // an ESM file (under "type": "module") and a CommonJS one (.cts): both conditions of each package
  'node16 (ESM + CJS)': {
    include: ['ts/esm/use.ts', 'ts/cjs/use.cts'],
    compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' },
  },
  bundler: {
    include: ['ts/bundler/use.ts'],
    compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' },
  },
};
const tsJobs = [];
Object.entries(tsconfigs).forEach(([name, config], i) => {
  write(`tsconfig.${i}.json`, JSON.stringify(config, null, 2));
  for (const [ts, dir] of [
    ['TypeScript 5.9', 'typescript'],
    ['TypeScript 5.0', 'typescript-5.0'],
  ]) {
    const what = `${ts}, ${name}, skipLibCheck false, @types/node only`;
    tsJobs.push(async () => {
      const r = await runAsync(process.execPath, [
        join(app, 'node_modules', dir, 'bin', 'tsc'),
        '-p',
        `tsconfig.${i}.json`,
      ]);
      if (r.ok) log(`ok   ${what}`);
      else failures.push(`${what}:\n${r.out.split('\n').slice(0, 40).join('\n')}`);
    });
  }
});
await pool(tsJobs);

// 5. an esbuild browser bundle, then run it
write(
  'browser.mjs',
  `import { tensor } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { createWasmBackend } from '@tconv/backend-wasm';
import { runConformance } from '@tconv/conformance';
${has('@tconv/backend-webgpu') ? "import { createWebGpuBackend } from '@tconv/backend-webgpu';\nglobalThis.__webgpu = createWebGpuBackend;" : ''}
${d2l}
same(cpuBackend.convTranspose(x, k, { stride: 2 }), 'cpu');
same(sparseBackend.convTranspose(x, k, { stride: 2 }), 'sparse');
const wasm = await createWasmBackend();
same(await wasm.convTranspose(x, k, { stride: 2 }), 'wasm');
const report = await runConformance(wasm, { filter: (c) => c.tags.includes('d2l') });
if (report.failed || !report.passed) throw new Error('kit failed in the bundle');
console.log('bundle ok');
`,
);
const bundled = expectOk('esbuild browser bundle (platform browser, ESM)', process.execPath, [
  join(app, 'node_modules', 'esbuild', 'bin', 'esbuild'),
  'browser.mjs',
  '--bundle',
  '--platform=browser',
  '--format=esm',
  '--target=es2022',
  '--outfile=bundle/app.js',
  '--log-level=warning',
]);
if (bundled.ok) {
  const text = readFileSync(join(app, 'bundle', 'app.js'), 'utf8');
  const leaked = [
    ...text.matchAll(/\b(?:require|import)\(\s*["'](node:[\w/]+|worker_threads|fs|path|module)["']\s*\)/g),
  ].map((m) => m[1]);
  if (/from\s*["']node:/.test(text)) leaked.push('a static node: import');
  if (leaked.length) log(`note: the bundle keeps guarded Node imports: ${[...new Set(leaked)].join(', ')}`);
  expectOk('the browser bundle runs (under Node, as a module)', process.execPath, ['bundle/app.js']);
}

if (!keep) rmSync(work, { recursive: true, force: true });
else log(`kept ${work}`);
for (const f of failures) console.error(`FAIL ${f}\n`);
log(failures.length ? `${failures.length} failing` : 'all passed');
process.exitCode = failures.length ? 1 : 0;
