#!/usr/bin/env node
// Checks what `npm publish` would ship for every published workspace package (after a build):
// - packed and unpacked size within the budget below (a fixture inlined twice, a source map or a
//   stray file shows up here first);
// - no source maps, a LICENSE identical to the root's, complete metadata (license, author,
//   homepage, bugs, repository, keywords);
// - one `engines.node` range, the root's, in every workspace package.json, and no API in the
//   built code newer than that range (Promise.withResolvers and friends need Node 22).
// `--write` also rewrites the size table of the root README (between the package-sizes markers).
// Usage: node scripts/check-package-sizes.mjs [--write]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Budgets in bytes: [packed, unpacked]. About 1.5× today's sizes; raise them in the same commit that needs it, with the reason. */
export const BUDGETS = {
  '@tconv/core': [80_000, 300_000],
  '@tconv/backend-cpu': [60_000, 300_000],
  '@tconv/backend-sparse': [40_000, 200_000],
  // four .wasm builds (exact / relaxed SIMD × own / shared memory), also embedded as base64 in
  // both the ESM and the CJS build (bundlers need nothing special); each build grew from 22 to
  // 52 kB with the #14/#18 kernels (lanes, stride-phase weight and input gradients, dot-product
  // input gradient, SIMD scan): budget raised from 200/800 kB for that, with ~10 % headroom;
  // raised again from 330/1180 kB for the stride-phase split's fill and the bias-gradient kernel
  // (330.1 / 1160.7 kB with them), again with ~10 % headroom
  '@tconv/backend-wasm': [360_000, 1_280_000],
  '@tconv/backend-webgpu': [80_000, 400_000],
  // the fixture data (~300 kB of JSON numbers: forward and gradient fixtures) once per format,
  // in a shared chunk; inlined rather than read from disk so that the kit runs in browsers
  '@tconv/conformance': [450_000, 1_300_000],
};

/** APIs the built code must not use under the declared engines floor (value: first Node with it). */
const NEWER_APIS = {
  'Promise.withResolvers': '22.0',
  'Object.groupBy': '21.0',
  'Map.groupBy': '21.0',
  'Array.fromAsync': '22.0',
  'process.getBuiltinModule': '22.3',
  Float16Array: '24.0',
  'RegExp.escape': '24.0',
  'Error.isError': '24.0',
};

const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
const problems = [];
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const engines = rootManifest.engines?.node;
const license = readFileSync(join(root, 'LICENSE'), 'utf8');
if (!engines) problems.push('the root package.json declares no engines.node');

const rows = [];
for (const top of ['packages', 'apps']) {
  for (const name of readdirSync(join(root, top)).sort()) {
    const dir = join(root, top, name);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const pkg = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (pkg.engines?.node !== undefined && pkg.engines.node !== engines)
      problems.push(
        `${pkg.name}: engines.node ${pkg.engines.node}, but the root says ${engines} (one range everywhere)`,
      );
    if (pkg.private) continue;
    if (pkg.engines?.node !== engines) problems.push(`${pkg.name}: engines.node must be ${engines}`);
    for (const field of ['license', 'author', 'homepage', 'bugs', 'repository', 'keywords', 'description'])
      if (pkg[field] === undefined || (Array.isArray(pkg[field]) && pkg[field].length === 0))
        problems.push(`${pkg.name}: package.json has no ${field}`);
    if (pkg.license !== 'MIT') problems.push(`${pkg.name}: license ${pkg.license}, expected MIT`);
    if (!existsSync(join(dir, 'LICENSE'))) problems.push(`${pkg.name}: no LICENSE file`);
    else if (readFileSync(join(dir, 'LICENSE'), 'utf8') !== license)
      problems.push(`${pkg.name}: LICENSE differs from the root LICENSE`);
    if (!existsSync(join(dir, 'dist'))) {
      problems.push(`${pkg.name}: no dist/ (build first)`);
      continue;
    }
    const [info] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    const files = info.files.map((f) => f.path);
    if (!files.includes('LICENSE'))
      problems.push(`${pkg.name}: LICENSE is not in the tarball (add it to files)`);
    for (const f of files.filter((f) => f.endsWith('.map')))
      problems.push(
        `${pkg.name}: ships the source map ${f} (no maps with sourcesContent; state a reason to keep one)`,
      );
    for (const f of files.filter((f) => /\.(c|m)?js$/.test(f))) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const [api, since] of Object.entries(NEWER_APIS))
        if (text.includes(api))
          problems.push(`${pkg.name}: ${f} uses ${api} (Node ${since}), above engines ${engines}`);
    }
    const budget = BUDGETS[pkg.name];
    if (!budget) problems.push(`${pkg.name}: no size budget in scripts/check-package-sizes.mjs`);
    else {
      if (info.size > budget[0])
        problems.push(`${pkg.name}: packed ${kb(info.size)} > budget ${kb(budget[0])}`);
      if (info.unpackedSize > budget[1])
        problems.push(`${pkg.name}: unpacked ${kb(info.unpackedSize)} > budget ${kb(budget[1])}`);
    }
    rows.push({
      name: pkg.name,
      packed: info.size,
      unpacked: info.unpackedSize,
      files: files.length,
      budget,
    });
  }
}

const table = [
  '| package | packed | unpacked | files | budget (packed / unpacked) |',
  '|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| \`${r.name}\` | ${kb(r.packed)} | ${kb(r.unpacked)} | ${r.files} | ${r.budget ? `${kb(r.budget[0])} / ${kb(r.budget[1])}` : '—'} |`,
  ),
].join('\n');
console.log(table);

const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const START = '<!-- package-sizes:start -->';
const END = '<!-- package-sizes:end -->';
const a = readme.indexOf(START);
const b = readme.indexOf(END);
if (a < 0 || b < a) problems.push(`README.md has no ${START} … ${END} section`);
else if (process.argv.includes('--write')) {
  writeFileSync(readmePath, `${readme.slice(0, a + START.length)}\n${table}\n${readme.slice(b)}`);
  console.log('README.md: size table written');
} else {
  const listed = readme.slice(a, b);
  for (const r of rows)
    if (!listed.includes(`\`${r.name}\``)) problems.push(`README.md's size table lacks ${r.name}`);
}

for (const p of problems) console.error(`FAIL ${p}`);
console.log(
  `package check: ${rows.length} packages, ${problems.length ? `${problems.length} problems` : 'all within budget'}`,
);
process.exitCode = problems.length ? 1 : 0;
