/**
 * Finds the backend a user names on the command line: the module resolved from the caller's
 * directory (not the kit's), and in it the export to use — the named one, or the first export in
 * the module's source order that is a Backend or a factory returning one. (A module namespace
 * lists its exports alphabetically, so the order is read from the file itself.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Backend } from '@tconv/core';
import { isTconvError } from '@tconv/core';

/** A backend found in a module, with where it came from. */
export interface LoadedBackend {
  readonly backend: Backend;
  /** The export used; `name()` when a factory made the backend. */
  readonly exportName: string;
  /** The file the module was loaded from. */
  readonly path: string;
  /** Whether a factory made it (the CLI then disposes of it at the end). */
  readonly made: boolean;
}

/** A module that cannot be found or loaded, or that exports no Backend: a command-line mistake. */
export class LoadError extends Error {
  override readonly name = 'LoadError';
}

/** Whether `value` has the shape of the contract's `Backend`. */
export function isBackend(value: unknown): value is Backend {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as Backend).name === 'string' &&
    typeof (value as Backend).convTranspose === 'function' &&
    typeof (value as Backend).conv === 'function'
  );
}

const isPathLike = (spec: string): boolean =>
  spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec);

/** The package name and subpath of a bare specifier: `@a/b/c` → [`@a/b`, `./c`]. */
function splitBare(spec: string): [name: string, subpath: string] {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n).join('/');
  return [parts.slice(0, n).join('/'), rest ? `./${rest}` : '.'];
}

/** The ESM target of a package `exports` entry (conditions node, import, default; never require). */
function pickTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const t = pickTarget(e);
      if (t) return t;
    }
    return undefined;
  }
  if (!entry || typeof entry !== 'object') return undefined;
  const conditions = entry as Record<string, unknown>;
  for (const c of ['node', 'import', 'default']) {
    if (c in conditions) {
      const t = pickTarget(conditions[c]);
      if (t) return t;
    }
  }
  return undefined;
}

/** Resolves a package specifier from `cwd`'s node_modules, preferring the package's ESM entry. */
function resolvePackage(spec: string, cwd: string): string {
  const require = createRequire(join(cwd, 'noop.js'));
  const [name, subpath] = splitBare(spec);
  let manifestPath: string | undefined;
  try {
    manifestPath = require.resolve(`${name}/package.json`);
  } catch {
    // exports may not list ./package.json: fall back to require's own resolution below
  }
  if (manifestPath) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      exports?: unknown;
      main?: string;
    };
    const exportsField = manifest.exports;
    let target: string | undefined;
    if (exportsField !== undefined) {
      const isMap =
        typeof exportsField === 'object' &&
        exportsField !== null &&
        !Array.isArray(exportsField) &&
        Object.keys(exportsField).some((k) => k.startsWith('.'));
      const entry = isMap
        ? (exportsField as Record<string, unknown>)[subpath]
        : subpath === '.'
          ? exportsField
          : undefined;
      target = pickTarget(entry);
    } else if (subpath === '.') target = manifest.main ?? 'index.js';
    if (target) return resolve(dirname(manifestPath), target);
  }
  try {
    return require.resolve(spec);
  } catch {
    throw new LoadError(`cannot find package ${spec} from ${cwd} (looked in node_modules from there up)`);
  }
}

/** The absolute file a module specifier names, resolved from `cwd`. */
export function resolveModule(spec: string, cwd: string = process.cwd()): string {
  if (spec.startsWith('file:')) {
    const path = fileURLToPath(spec);
    if (!existsSync(path)) throw new LoadError(`cannot find module ${spec}: no file at ${path}`);
    return path;
  }
  const path = resolve(cwd, spec);
  if (isPathLike(spec) || existsSync(path)) {
    if (!existsSync(path)) throw new LoadError(`cannot find module ${spec}: no file at ${path}`);
    return path;
  }
  return resolvePackage(spec, cwd);
}

const IDENT = '[A-Za-z_$][\\w$]*';
const DECLARATION = new RegExp(
  `\\bexport\\s+(?:declare\\s+)?(?:(?:async\\s+)?function\\s*\\*?\\s*|class\\s+|(?:const|let|var)\\s+)(${IDENT})`,
  'g',
);
const CLAUSE = /\bexport\s*\{([^}]*)\}/g;
const DEFAULT = /\bexport\s+default\b/g;

/** The names an ES module's text exports, in the order they appear (best effort, no parser). */
export function exportOrder(source: string): string[] {
  const found: [index: number, name: string][] = [];
  for (const m of source.matchAll(DECLARATION)) found.push([m.index ?? 0, m[1] as string]);
  for (const m of source.matchAll(DEFAULT)) found.push([m.index ?? 0, 'default']);
  for (const m of source.matchAll(CLAUSE)) {
    let offset = 0;
    for (const item of (m[1] as string).split(',')) {
      const words = item
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .trim()
        .split(/\s+as\s+/);
      const name = (words[1] ?? words[0] ?? '').replace(/^type\s+/, '').trim();
      if (name) found.push([(m.index ?? 0) + offset++ / 1000, name]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  return [...new Set(found.map(([, name]) => name))];
}

/** Whether Node loads `path` as CommonJS: `.cjs`, or `.js` under a package.json without `"type": "module"`. */
function isCommonJs(path: string): boolean {
  if (/\.c[jt]s$/.test(path)) return true;
  if (!/\.[jt]s$/.test(path)) return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (dirname(dir) === dir) return true;
  }
}

const isClass = (f: unknown): boolean =>
  typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

/** Awaits `value`, failing after `ms` (a factory that never settles must not hang the CLI). */
async function settle<T>(value: T | Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.resolve(value),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const describeError = (e: unknown): string =>
  isTconvError(e)
    ? `${e.name} (${e.code}): ${e.message}`
    : e instanceof Error
      ? `${e.name}: ${e.message}`
      : String(e);

/**
 * Loads `spec` (from `cwd`) and returns the backend to test: the export `exportName`, else the
 * first export in source order that is a Backend or a function returning one (called without
 * arguments; a factory that throws or returns something else is passed over, and named in the
 * error if nothing qualifies).
 */
export async function loadBackend(
  spec: string,
  options: { exportName?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<LoadedBackend> {
  const path = resolveModule(spec, options.cwd);
  const timeoutMs = options.timeoutMs ?? 30_000;
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    throw new LoadError(`cannot load ${spec} (${path}): ${describeError(e)}`);
  }
  let order: string[];
  if (isCommonJs(path)) {
    // CommonJS: the exports object keeps assignment order, the ESM view sorts it
    const exported = createRequire(path)(path) as Record<string, unknown>;
    order = Object.keys(exported);
    namespace = { ...exported, ...namespace };
  } else {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // not readable as text: namespace order only
    }
    order = exportOrder(text).filter((n) => n in namespace);
  }
  const names = options.exportName
    ? [options.exportName]
    : [...order, ...Object.keys(namespace).filter((n) => !order.includes(n))];
  if (options.exportName && !(options.exportName in namespace))
    throw new LoadError(
      `${spec} (${path}) has no export ${options.exportName}; its exports: ${Object.keys(namespace).join(', ')}`,
    );
  const passedOver: string[] = [];
  for (const name of names) {
    const value = namespace[name];
    if (isBackend(value)) return { backend: value, exportName: name, path, made: false };
    if (typeof value !== 'function' || isClass(value)) continue;
    // factories: an explicitly named function, or createX()/one taking no arguments
    if (!options.exportName && !(/^create/i.test(value.name || name) || value.length === 0)) continue;
    try {
      const made = await settle((value as () => unknown)(), timeoutMs, `${name}()`);
      if (isBackend(made)) return { backend: made, exportName: `${name}()`, path, made: true };
      passedOver.push(`${name}() returned no Backend`);
    } catch (e) {
      passedOver.push(`${name}() threw ${describeError(e)}`);
    }
  }
  const why = passedOver.length ? ` (${passedOver.join('; ')})` : '';
  throw new LoadError(
    options.exportName
      ? `export ${options.exportName} of ${spec} (${path}) is not a Backend nor a function returning one${why}`
      : `${spec} (${path}) exports no Backend nor a function returning one${why}`,
  );
}
