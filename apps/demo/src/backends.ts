import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { createWasmBackend } from '@tconv/backend-wasm';
import { createWebGpuBackend } from '@tconv/backend-webgpu';
import type { Backend, ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { isTconvError, prepareConv, prepareConvTranspose } from '@tconv/core';

/** The backends the demo knows, in the order of the table's columns. */
export const BACKEND_NAMES = ['cpu', 'sparse', 'wasm', 'wrong', 'webgpu'] as const;

/** One of {@link BACKEND_NAMES}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The real backends, run when no `--backend` is given. */
export const DEFAULT_BACKENDS: readonly BackendName[] = ['cpu', 'sparse', 'wasm', 'webgpu'];

/** The environment variable that adds the deliberately wrong backend when set to `1`. */
export const WRONG_BACKEND_ENV = 'TCONV_DEMO_WRONG_BACKEND';

/** One sentence per backend, for `--help` and the README. */
export const BACKEND_DESCRIPTIONS: Record<BackendName, string> = {
  cpu: '@tconv/backend-cpu cpuBackend (JavaScript)',
  sparse: '@tconv/backend-sparse sparseBackend (transposed sparse convolution matrix)',
  wasm: '@tconv/backend-wasm createWasmBackend() (WebAssembly SIMD, 1 thread)',
  wrong:
    'deliberately wrong: the cpu backend with every kernel flipped (true convolution instead of cross-correlation); it must fail',
  webgpu:
    '@tconv/backend-webgpu createWebGpuBackend() (WGSL compute shaders); only where WebGPU exists — in Node it is not available and the demo says so',
};

/**
 * A copy of the weight with every spatial axis reversed. Reversing all trailing axes of a
 * row-major block is the same as reversing the block's flat order, so each `[Cin, Cout]` block
 * is simply reversed.
 */
function flipKernel(weight: Tensor): Tensor {
  const block = weight.shape.slice(2).reduce((p, k) => p * k, 1);
  const data = weight.data.slice();
  for (let start = 0; start < data.length; start += block) {
    data.subarray(start, start + block).reverse();
  }
  return { shape: weight.shape, data };
}

/**
 * The classic mistake, as a backend: it validates like every backend (so error cases still
 * pass) and then computes with the kernel flipped, which only matches where kernels are
 * symmetric. The demo uses it to show that the cross-check catches a wrong backend.
 */
export const wrongBackend: Backend = {
  name: 'wrong',
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor | Promise<Tensor> {
    prepareConvTranspose(input, weight, options);
    return cpuBackend.convTranspose(input, flipKernel(weight), options);
  },
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor | Promise<Tensor> {
    prepareConv(input, weight, options);
    return cpuBackend.conv(input, flipKernel(weight), options);
  },
};

/** A backend as the demo lists it: its column name and the backend itself. */
export interface DemoBackend {
  readonly name: BackendName;
  readonly backend: Backend;
}

/** A requested backend this runtime lacks, with the reason its constructor gave. */
export interface UnavailableBackend {
  readonly name: BackendName;
  readonly reason: string;
}

/** What {@link loadBackends} found: the backends to cross-check and the ones left out. */
export interface LoadedBackends {
  readonly backends: DemoBackend[];
  readonly unavailable: UnavailableBackend[];
}

/**
 * Instantiates the named backends, in the order given (the WebAssembly module is compiled once).
 * A backend the runtime lacks (WebGPU in Node) is left out and returned in `unavailable`, so the
 * report says so in its own format (a line of text, or a field of the JSON: stdout stays pure JSON).
 * @param names - which backends, see {@link BACKEND_NAMES}
 */
export async function loadBackends(names: readonly BackendName[]): Promise<LoadedBackends> {
  const backends: DemoBackend[] = [];
  const unavailable: UnavailableBackend[] = [];
  for (const name of names) {
    switch (name) {
      case 'cpu':
        backends.push({ name, backend: cpuBackend });
        break;
      case 'sparse':
        backends.push({ name, backend: sparseBackend });
        break;
      case 'wasm':
        backends.push({ name, backend: await createWasmBackend() });
        break;
      case 'wrong':
        backends.push({ name, backend: wrongBackend });
        break;
      case 'webgpu':
        // WebGPU exists in browsers (and in Node only with a GPUDevice passed in): where it is
        // absent the backend rejects with an UnsupportedError, which the demo reports plainly
        try {
          backends.push({ name, backend: await createWebGpuBackend() });
        } catch (e) {
          if (!(isTconvError(e) && e.code === 'UNSUPPORTED')) throw e;
          unavailable.push({ name, reason: e.message });
        }
        break;
    }
  }
  return { backends, unavailable };
}

/** The sentence the text report prints for a backend left out. */
export function unavailableLine(u: UnavailableBackend): string {
  return `${u.name}: not available here, not cross-checked — ${u.reason}`;
}
