import { defineConfig } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

// Two projects: the exact SIMD build (what Node 20 runs by default), and the relaxed-SIMD build
// (fused multiply-add), which Node 20 runs only with --experimental-wasm-relaxed-simd: the kernel,
// gradient, conformance and thread-split tests run on both.
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
export default defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'exact', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'relaxed-simd',
          include: [
            'test/wasm.test.ts',
            'test/gradients.test.ts',
            'test/conformance.test.ts',
            'test/relaxed-simd.test.ts',
            'test/calibration.test.ts',
            'test/thread-splits.test.ts',
          ],
          execArgv: [RELAXED_FLAG],
        },
      },
    ],
  },
});
