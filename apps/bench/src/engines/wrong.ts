import { cpuBackend } from '@tconv/backend-cpu';
import type { Engine } from '../engine';

/** A deliberately wrong engine (results scaled by 1.001) to show the correctness gate works. */
export const wrongEngine: Engine = {
  name: 'wrong',
  threads: 1,
  supports: () => true,
  async prepare(w, x, weight) {
    const call = () =>
      cpuBackend.convTranspose(x, weight, w.options).data.map((v) => v * 1.001) as Float32Array;
    return {
      async run() {
        call();
      },
      async output() {
        return call();
      },
    };
  },
};
