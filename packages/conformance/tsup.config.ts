import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts', 'src/vitest.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    tsconfig: 'tsconfig.build.json',
    sourcemap: true,
    clean: true,
    target: 'es2022',
    // the kit's vitest entry uses the user's vitest, never a bundled copy
    external: ['vitest'],
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    tsconfig: 'tsconfig.build.json',
    sourcemap: true,
    clean: false,
    target: 'es2022',
  },
]);
