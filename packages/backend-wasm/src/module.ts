import { WASM_BASE64, WASM_SHARED_BASE64 } from './wasm-bytes';

/** Where the compiled kernels come from: bytes, a URL or fetch Response (browsers), or a compiled module. */
export type WasmSource = BufferSource | URL | Response | WebAssembly.Module;

/**
 * The kernels shipped with the package, decoded from the embedded base64: build/tconv.wasm (own
 * memory), or with `shared` build/tconv-shared.wasm (an imported shared memory, for threads).
 */
export function wasmBytes(shared = false): Uint8Array<ArrayBuffer> {
  const text = atob(shared ? WASM_SHARED_BASE64 : WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Compiles the kernels: from the embedded bytes by default (`shared` for the threads' build), or
 * from the given source (a URL to `tconv.wasm` or `tconv-shared.wasm` served next to a web page,
 * its bytes, a `Response`, or an already compiled module).
 */
export async function compileWasm(source?: WasmSource, shared = false): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source === undefined) return WebAssembly.compile(wasmBytes(shared));
  if (source instanceof URL) return WebAssembly.compile(await (await fetch(source)).arrayBuffer());
  if (typeof Response !== 'undefined' && source instanceof Response)
    return WebAssembly.compile(await source.arrayBuffer());
  return WebAssembly.compile(source as BufferSource);
}
