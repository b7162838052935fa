#!/usr/bin/env node
// Checks the backend in a real browser (headless Chromium, which CI machines do not have: run it
// by hand after `apt-get install chromium`): bundles a page with esbuild, serves it twice — once
// cross-origin isolated (COOP/COEP headers, so SharedArrayBuffer exists) and once not — and
// prints what each page computed: the kernels loaded from a URL on one thread, and two threads on
// Web Workers (isolated) or the fall-back to one thread (not isolated), both against the definition.
//   node scripts/browser-check.mjs [path/to/chromium]     (after a build: it bundles dist/)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(pkg, 'package.json'));
const esbuild = require('esbuild');
const chromium = process.argv[2] ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'tconv-browser-'));
const entry = join(dir, 'entry.mjs');
writeFileSync(
  entry,
  `import { tensor } from '@tconv/core';
import { referenceConvTranspose } from '@tconv/backend-cpu';
import { createWasmBackend } from '@tconv/backend-wasm';
const out = [];
try {
  out.push('isolated=' + globalThis.crossOriginIsolated);
  const one = await createWasmBackend({ module: new URL('./tconv.wasm', location.href) });
  const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
  out.push('threads=' + two.threads);
  const x = tensor(Float32Array.from({ length: 2 * 16 * 12 * 12 }, (_, i) => Math.sin(i)), [2, 16, 12, 12]);
  const w = tensor(Float32Array.from({ length: 16 * 12 * 4 * 4 }, (_, i) => Math.cos(i)), [16, 12, 4, 4]);
  const o = { stride: 2, padding: 1 };
  const ref = referenceConvTranspose(x, w, o).data;
  for (const [name, b] of [['one thread', one], ['threads', two]]) {
    const y = (await b.convTranspose(x, w, o)).data;
    let err = 0;
    for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(y[i] - ref[i]));
    out.push(name + ' max error ' + err.toExponential(2));
  }
  await two.dispose();
} catch (e) {
  out.push('ERROR ' + e);
}
await fetch('/result', { method: 'POST', body: 'RESULT ' + out.join(' | ') });
`,
);
await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  outfile: join(dir, 'bundle.js'),
  nodePaths: [join(pkg, 'node_modules')],
  // the package as published: its built dist (run after a build)
  alias: { '@tconv/backend-wasm': join(pkg, 'dist', 'index.js') },
  logLevel: 'warning',
});
writeFileSync(
  join(dir, 'index.html'),
  '<!doctype html><body>running<script type="module" src="bundle.js"></script>',
);
writeFileSync(join(dir, 'tconv.wasm'), readFileSync(join(pkg, 'build', 'tconv.wasm')));

const types = { html: 'text/html', js: 'text/javascript', wasm: 'application/wasm' };
let failed = false;
for (const isolated of [true, false]) {
  // the page posts what it computed; Chromium runs until then (real time: workers do not advance
  // Chromium's virtual time, so --dump-dom could print the page before they finish)
  let report;
  const reported = new Promise((resolve) => {
    report = resolve;
  });
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        res.writeHead(204).end();
        report(body);
      });
      return;
    }
    const file = req.url === '/' ? 'index.html' : req.url.slice(1);
    const headers = { 'content-type': types[file.split('.').pop()] ?? 'text/plain' };
    if (isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    try {
      const body = readFileSync(join(dir, file));
      res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, resolve));
  const browser = spawn(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'tconv-chromium-'))}`,
      `http://localhost:${server.address().port}/`,
    ],
    { stdio: 'ignore' },
  );
  const result = await Promise.race([
    reported,
    new Promise((resolve) => setTimeout(() => resolve('no result within 60 s'), 60_000)),
  ]);
  browser.kill();
  server.close();
  console.log(`${isolated ? 'cross-origin isolated' : 'not isolated         '}: ${result}`);
  const errors = [...result.matchAll(/max error ([0-9.e+-]+)/g)].map((m) => Number(m[1]));
  const threadsOk = result.includes(`threads=${isolated ? 2 : 1}`);
  if (!threadsOk || errors.length !== 2 || errors.some((e) => !(e < 1e-5))) failed = true;
}
process.exitCode = failed ? 1 : 0;
