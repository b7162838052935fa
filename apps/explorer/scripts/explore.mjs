#!/usr/bin/env node
/**
 * `npm run explore` (from the repository root, after turbo has built the app): serves
 * apps/explorer/dist on 127.0.0.1 with cross-origin isolation and prints the URL;
 * `npm run explore -- --build` only reports where the static site was written.
 * Options: `--port <n>` (default 4173, the next free one if taken).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = process.argv.slice(2);
const unknown = args.filter((a, i) => !['--build', '--port'].includes(a) && args[i - 1] !== '--port');
if (unknown.length > 0 || args.includes('--help')) {
  console.error('usage: npm run explore [-- --build] [-- --port <n>]');
  process.exit(unknown.length > 0 ? 2 : 0);
}
if (!existsSync(join(dist, 'index.html'))) {
  console.error(`explorer: ${dist} has no index.html; build it first (npm run explore does)`);
  process.exit(1);
}
if (args.includes('--build')) {
  console.log(
    `explorer: static site written to ${relative(process.cwd(), dist) || '.'} (serve it from any static host)`,
  );
  process.exit(0);
}
const portArg = args[args.indexOf('--port') + 1];
const port = args.includes('--port') ? Number(portArg) : 4173;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`explorer: --port must be an integer from 0 to 65535, but got ${portArg}`);
  process.exit(2);
}
const server = await preview({
  root,
  logLevel: 'warn',
  preview: { host: '127.0.0.1', port, strictPort: false, open: false },
});
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
console.log(`tconv explorer: ${url}  (Ctrl+C to stop)`);
