#!/usr/bin/env node
// The one implementation of "find or install a Chromium" (src/chromium.ts imports it). It is plain
// JavaScript so the root test command can run it before anything is built: an apt install inside a
// test would block the event loop for minutes and trip the test's own timeout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Where a usable Chromium is, or `undefined`. `CHROME_PATH` (or `TCONV_CHROMIUM`) wins when set. */
export function findChromium() {
  const fromEnv = process.env.CHROME_PATH ?? process.env.TCONV_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CANDIDATES.find((p) => existsSync(p));
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Installs Debian's `chromium`; a lock directory serialises parallel callers (dpkg takes one at a time). */
function aptInstallChromium() {
  const lock = join(tmpdir(), 'tconv-chromium-install.lock');
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (another chromium install?)`);
      sleep(1000);
      if (findChromium()) return;
    }
  }
  try {
    if (findChromium()) return;
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['update', '-qq'],
      ['install', '-y', '-qq', 'chromium'],
    ]) {
      process.stderr.write(`browser-testing: apt-get ${args.join(' ')}\n`);
      const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
      if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed with status ${r.status}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

/**
 * The path of a Chromium to drive: `CHROME_PATH` if set, else Debian's usual paths; when none is
 * found on Debian as root, installs the `chromium` package; elsewhere throws, saying what to install.
 */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (existsSync('/etc/debian_version') && isRoot) {
    aptInstallChromium();
    const installed = findChromium();
    if (installed) return installed;
  }
  throw new Error(
    'No Chromium found. Install one (Debian: `apt-get install -y chromium`) or set CHROME_PATH to a Chrome/Chromium executable.',
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(`browser tests use ${ensureChromium()}\n`);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}
