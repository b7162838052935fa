import { WASM_BASE64 } from './wasm-bytes';

/** Where the compiled kernels come from: bytes, a URL or fetch Response (browsers), or a compiled module. */
export type WasmSource = BufferSource | URL | Response | WebAssembly.Module;

/** The kernels shipped with the package (build/tconv.wasm), decoded from the embedded base64. */
export function wasmBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Compiles the kernels: from the embedded bytes by default, or from the given source (a URL to
 * `tconv.wasm` served next to a web page, its bytes, a `Response`, or an already compiled module).
 */
export async function compileWasm(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source === undefined) return WebAssembly.compile(wasmBytes());
  if (source instanceof URL) return WebAssembly.compile(await (await fetch(source)).arrayBuffer());
  if (typeof Response !== 'undefined' && source instanceof Response)
    return WebAssembly.compile(await source.arrayBuffer());
  return WebAssembly.compile(source as BufferSource);
}
