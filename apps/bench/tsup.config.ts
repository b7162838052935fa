import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  banner: { js: '#!/usr/bin/env node' },
  // tfjs-core's gradients exist only as ESM modules; bundled, they register into tfjs' global registry
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
