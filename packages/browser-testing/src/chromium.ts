import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { ensureChromium } from '../bin/ensure-chromium.mjs';

/**
 * The path of a Chromium to drive. Looks at `CHROME_PATH`, then Debian's usual paths; when none is
 * found on Debian as root, installs the `chromium` package; elsewhere throws, saying what to install.
 * Browser tests call this (through {@link launchChromium}) and fail, never skip, when it throws. The
 * root test command runs `bin/ensure-chromium.mjs` first, so no test waits on an install.
 */
export { ensureChromium };

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
