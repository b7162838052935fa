// The Node side of the browser tests: bundles a page entry (test/page/*.ts, with the workspace
// packages resolved to their sources exactly as vitest resolves them), serves it from 127.0.0.1
// with COOP/COEP (SharedArrayBuffer, for the WebAssembly threads on Web Workers), opens it in
// headless Chromium with WebGPU on SwiftShader, and calls the functions the page exposes.
// Chromium comes from @tconv/browser-testing, which installs it on Debian or fails clearly:
// these tests never skip.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StaticServer } from '@tconv/browser-testing';
import { launchChromium, serveStatic } from '@tconv/browser-testing';
import { build } from 'esbuild';
import { workspaceAliases } from '../../../vitest.shared';

const here = dirname(fileURLToPath(import.meta.url));

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

/** esbuild aliases from vitest's (one source for where each workspace package's source is). */
function aliases(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { find, replacement } of workspaceAliases) {
    const name = find.source.replace(/^\^/, '').replace(/\$$/, '').replace(/\\\//g, '/');
    out[name] = replacement;
  }
  return out;
}

/** Bundles `test/page/<name>.ts` into a fresh directory with an index.html; returns the directory. */
export async function bundlePage(name: string): Promise<string> {
  return bundle(name, { entryPoints: [join(here, 'page', `${name}.ts`)] });
}

/**
 * Bundles a generated TypeScript page (e.g. from a README's blocks) like {@link bundlePage}; its
 * imports resolve as a file in test/page would.
 */
export async function bundleSource(name: string, source: string): Promise<string> {
  return bundle(name, { stdin: { contents: source, loader: 'ts', resolveDir: join(here, 'page') } });
}

async function bundle(name: string, entry: Parameters<typeof build>[0]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `tconv-webgpu-${name}-`));
  await build({
    ...entry,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'bundle.js'),
    alias: aliases(),
    logLevel: 'warning',
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>tconv webgpu tests</title><script type="module" src="bundle.js"></script>',
  );
  return dir;
}

/** A page with the test functions of one bundle. */
export interface TestPage {
  /** Calls `globalThis.tconvPage[fn](arg)` in the page and returns its (serialisable) result. */
  call<T>(fn: string, arg?: unknown): Promise<T>;
  /** Errors the page threw outside a call (for failure messages). */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/**
 * Opens a bundle in headless Chromium (WebGPU on SwiftShader) and waits until its functions are
 * registered. Throws — the test fails — when Chromium cannot be found, installed or launched.
 */
export async function openPage(dir: string): Promise<TestPage> {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await serveStatic(dir);
    browser = await launchChromium({ webgpu: true });
    const page: Page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { tconvPage?: unknown }).tconvPage !== undefined, null, {
      timeout: 30_000,
    });
    const s = server;
    const b = browser;
    return {
      call: <T>(fn: string, arg?: unknown) =>
        page.evaluate(
          ([f, a]) =>
            (globalThis as unknown as { tconvPage: Record<string, (x: unknown) => Promise<unknown>> })
              .tconvPage[f as string]!(a),
          [fn, arg] as const,
        ) as Promise<T>,
      pageErrors,
      close: async () => {
        await b.close();
        await s.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server?.close();
    throw e;
  }
}

/** One result a page reports per case or problem. */
export interface CaseResult {
  readonly id: string;
  readonly ok: boolean;
  readonly skipped?: boolean;
  readonly message?: string;
}

/** What a conformance page returns: a description of the backend and the kit's results. */
export interface BrowserReport {
  readonly info: string;
  readonly results: readonly CaseResult[];
}
