import { createRequire } from 'node:module';
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { wasmBackend } from '@tconv/backend-wasm';
import type { Backend } from '@tconv/core';
import type { PeerInfo } from '@tconv/peers';
import { nodePeers } from '@tconv/peers';

const require = createRequire(import.meta.url);

/** One row of the matrix: a backend with what it is and where it runs. */
export interface MatrixEngine {
  readonly info: PeerInfo;
  readonly backend: Backend;
  /** `true` for tconv's own backends (the control rows). */
  readonly control: boolean;
  dispose?(): Promise<void> | void;
}

const tconvVersion = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;

/** tconv's cpu, sparse and wasm backends: the control rows, held to the same kit. */
export function controlEngines(): MatrixEngine[] {
  return [
    {
      info: { name: 'tconv-cpu', version: tconvVersion('@tconv/backend-cpu'), runtime: 'JavaScript (Node)' },
      backend: cpuBackend,
      control: true,
    },
    {
      info: {
        name: 'tconv-sparse',
        version: tconvVersion('@tconv/backend-sparse'),
        runtime: 'JavaScript (Node)',
      },
      backend: sparseBackend,
      control: true,
    },
    {
      info: {
        name: 'tconv-wasm',
        version: tconvVersion('@tconv/backend-wasm'),
        runtime: 'WebAssembly (Node), 1 thread',
      },
      backend: wasmBackend,
      control: true,
    },
  ];
}

/** The peers of `@tconv/peers` that run in Node: tfjs-cpu, tfjs-wasm, onnxruntime-node, onnxruntime-web. */
export function peerEngines(): MatrixEngine[] {
  return nodePeers().map((peer) => ({
    info: peer.info,
    backend: peer,
    control: false,
    dispose: () => peer.dispose(),
  }));
}

/** Every engine of the matrix: the controls first, then the peers. */
export function allEngines(): MatrixEngine[] {
  return [...controlEngines(), ...peerEngines()];
}
