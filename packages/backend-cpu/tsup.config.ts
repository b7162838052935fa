import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  // no source maps: the output is unminified ES2022, readable as published; maps with
  // sourcesContent would double the package for no user benefit
  sourcemap: false,
  clean: true,
  target: 'es2022',
});
