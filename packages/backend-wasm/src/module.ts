// Where the compiled kernels come from, and the one check that what was passed really is them.
// The public types here are structural so that the package's .d.ts compiles under @types/node
// alone (no DOM lib, which is where `BufferSource`, `Response` and `WebAssembly` live).
import { describeValue, OptionError } from '@tconv/core';
import type { KernelExports } from './layout';
import {
  WASM_BASE64,
  WASM_RELAXED_BASE64,
  WASM_RELAXED_SHARED_BASE64,
  WASM_SHARED_BASE64,
} from './wasm-bytes';

/** A fetch `Response` (or anything with its `arrayBuffer()`): the body is the module's bytes. */
export interface WasmResponse {
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * A compiled `WebAssembly.Module`. Typed as `object` so these declarations need no DOM lib; at
 * run time it must be a real `WebAssembly.Module`.
 */
export type WasmModuleObject = object;

/** A `WebAssembly.Memory`, typed structurally for the same reason. */
export interface WasmMemoryObject {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/**
 * Where compiled kernels come from: their bytes (an `ArrayBuffer` or a view), a `URL` (fetched;
 * `file:` URLs are read from disk under Node), a fetch `Response`, or a compiled `WebAssembly.Module`.
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | URL | WasmResponse | WasmModuleObject;

/** Which option a module came from, for error messages. */
export type ModuleOption = 'module' | 'sharedModule';

/**
 * The kernels shipped with the package, decoded from the embedded base64: build/tconv.wasm (own
 * memory), or with `shared` build/tconv-shared.wasm (an imported shared memory, for threads); with
 * `relaxed` the relaxed-SIMD builds (tconv-relaxed.wasm, tconv-relaxed-shared.wasm).
 */
export function wasmBytes(shared = false, relaxed = false): Uint8Array {
  const text = atob(
    relaxed
      ? shared
        ? WASM_RELAXED_SHARED_BASE64
        : WASM_RELAXED_BASE64
      : shared
        ? WASM_SHARED_BASE64
        : WASM_BASE64,
  );
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

let relaxed: boolean | null = null;

/**
 * Whether this runtime runs relaxed SIMD (`f32x4.relaxed_madd`): `WebAssembly.validate` accepts the
 * relaxed build (Chrome ≥ 114, Node ≥ 22; Node 20 with `--experimental-wasm-relaxed-simd`).
 */
export function relaxedSimdSupported(): boolean {
  relaxed ??= WebAssembly.validate(wasmBytes(false, true) as Uint8Array<ArrayBuffer>);
  return relaxed;
}

/** Reads a `file:` URL under Node; the specifier is in a variable so bundlers leave it alone. */
async function readFileUrl(url: URL): Promise<Uint8Array> {
  const fsModule = 'node:fs/promises';
  const fs = (await import(/* webpackIgnore: true */ /* @vite-ignore */ fsModule)) as {
    readFile(path: URL): Promise<Uint8Array>;
  };
  return fs.readFile(url);
}

const isNode = (): boolean =>
  !!(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;

async function bytesOf(source: WasmSource, option: ModuleOption): Promise<ArrayBuffer | ArrayBufferView> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  if (source instanceof URL) {
    if (source.protocol === 'file:' && isNode()) return readFileUrl(source);
    const response = await fetch(source);
    if (!response.ok) throw new Error(`fetching ${source.href} gave HTTP ${response.status}`);
    return response.arrayBuffer();
  }
  if (typeof (source as Partial<WasmResponse>).arrayBuffer === 'function') {
    return (source as WasmResponse).arrayBuffer();
  }
  throw new OptionError(
    'INVALID_OPTION',
    option,
    `${option} must be the module's bytes, a URL, a Response or a WebAssembly.Module, but got ${describeValue(source)}`,
  );
}

/**
 * The embedded builds, compiled once per realm and shared by every backend: a compiled module
 * holds V8's optimized code of its functions, so a second backend's calling thread starts on the
 * code the first one's warm-up (warm-up.ts) or calls optimized, and `createWasmBackend` skips the
 * compile (a new pool's workers still start cold: the warm-up runs their split probes).
 */
const embedded = new Map<string, Promise<WebAssembly.Module>>();

/** Compiled modules whose functions a warm-up has already brought to optimized code. */
const warmed = new WeakSet<WasmModuleObject>();

/** Whether a warm-up already ran on `module` (compiled once, its optimized code is kept). */
export function isWarm(module: WasmModuleObject): boolean {
  return warmed.has(module);
}

/** Records that a warm-up ran on `module`. */
export function markWarm(module: WasmModuleObject): void {
  warmed.add(module);
}

/**
 * Compiles the kernels: from the embedded bytes by default (`shared` for the threads' build,
 * `relaxedSimd` for the relaxed-SIMD builds; compiled once per realm), or
 * from the given source (a URL to `tconv.wasm` or `tconv-shared.wasm`, its bytes, a `Response`,
 * or an already compiled module). A source that cannot be read or compiled is an `OptionError`
 * naming `option`.
 */
export async function compileWasm(
  source?: WasmSource,
  shared = false,
  option: ModuleOption = shared ? 'sharedModule' : 'module',
  relaxedSimd = false,
): Promise<WasmModuleObject> {
  if (source === undefined) {
    const key = `${shared ? 'shared' : 'own'}-${relaxedSimd ? 'relaxed' : 'exact'}`;
    let compiled = embedded.get(key);
    if (!compiled) {
      compiled = WebAssembly.compile(wasmBytes(shared, relaxedSimd) as Uint8Array<ArrayBuffer>);
      embedded.set(key, compiled);
      compiled.catch(() => embedded.delete(key));
    }
    return compiled;
  }
  if (source instanceof WebAssembly.Module) return source;
  try {
    return await WebAssembly.compile((await bytesOf(source, option)) as BufferSource);
  } catch (e) {
    if (e instanceof OptionError) throw e;
    throw new OptionError(
      'INVALID_OPTION',
      option,
      `${option} could not be loaded as tconv's WebAssembly kernels: ${(e as Error).message ?? e}`,
    );
  }
}

/** The functions every build of the kernels exports. */
const REQUIRED_EXPORTS = [
  'heapBase',
  'convTranspose',
  'convTransposePhases',
  'convTransposeThin',
  'conv',
  'weightGradient',
  'layoutVersion',
  'nonFinite',
  'biasGradient',
] as const;

/**
 * Instantiates compiled kernels (on `memory` when they import a shared one) and checks that they
 * are tconv's, of this version; otherwise an `OptionError` naming `option`.
 */
export async function instantiateKernels(
  module: WasmModuleObject,
  option: ModuleOption,
  memory: WebAssembly.Memory | null,
  layoutVersion: number,
): Promise<{ exports: KernelExports; memory: WebAssembly.Memory }> {
  let exports: Record<string, unknown>;
  try {
    const imports: WebAssembly.Imports = memory ? { env: { memory } } : {};
    exports = (await WebAssembly.instantiate(module as WebAssembly.Module, imports)).exports;
  } catch (e) {
    throw new OptionError(
      'INVALID_OPTION',
      option,
      `${option} could not be instantiated${memory ? ' on a shared memory (is it build/tconv-shared.wasm?)' : ' (is it build/tconv.wasm?)'}: ${(e as Error).message ?? e}`,
    );
  }
  const missing = REQUIRED_EXPORTS.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    throw new OptionError(
      'INVALID_OPTION',
      option,
      `${option} is not tconv's WebAssembly kernels: it does not export ${missing.join(', ')}`,
    );
  }
  const version = (exports.layoutVersion as () => number)();
  if (version !== layoutVersion) {
    throw new OptionError(
      'INVALID_OPTION',
      option,
      `${option} was built for parameter layout ${version}, but this package writes layout ${layoutVersion}: use the build/*.wasm of the same version`,
    );
  }
  const own = memory ?? (exports.memory as WebAssembly.Memory);
  return { exports: exports as unknown as KernelExports, memory: own };
}
