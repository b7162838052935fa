import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Where a usable Chromium is, or `undefined`. `CHROME_PATH` (or `TCONV_CHROMIUM`) wins when set. */
function findChromium(): string | undefined {
  const fromEnv = process.env.CHROME_PATH ?? process.env.TCONV_CHROMIUM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CANDIDATES.find((p) => existsSync(p));
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Installs Debian's `chromium` with apt. Several test processes may ask at once (turbo runs the
 * suites in parallel), and dpkg takes one at a time, so a lock directory serialises them.
 */
function aptInstallChromium(): void {
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
 * The path of a Chromium to drive. Looks at `CHROME_PATH`, then Debian's usual paths; when none is
 * found on Debian as root, installs the `chromium` package; elsewhere throws, saying what to install.
 * Browser tests call this and fail (never skip) when it throws.
 */
export function ensureChromium(): string {
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

/** Options of {@link launchChromium}. */
export interface ChromiumOptions {
  /** Enable WebGPU on SwiftShader (a CPU implementation of the GPU). */
  readonly webgpu?: boolean;
}

/** Flags that keep Chromium off the network this machine does not have. */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-webgpu-adapter=swiftshader',
];

/**
 * Launches headless Chromium through playwright-core (never playwright's own browser download),
 * with a fresh temporary profile.
 */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const executablePath = ensureChromium();
  const args = [...QUIET_FLAGS, ...(options.webgpu ? WEBGPU_FLAGS : ['--disable-gpu'])];
  return chromium.launch({ executablePath, headless: true, args });
}
