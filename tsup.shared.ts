import type { Options } from 'tsup';

/**
 * The build every library package shares (the tsup counterpart of vitest.shared.ts): ESM + CJS +
 * `.d.ts` from `tsconfig.build.json` (a type error fails the build), ES2022, and no source maps —
 * the output is unminified ES2022, readable as published, and maps with sourcesContent would
 * double a package for no user benefit. A package adds its `entry` (and anything of its own).
 */
export const libraryBuild: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  tsconfig: 'tsconfig.build.json',
  sourcemap: false,
  clean: true,
  target: 'es2022',
};

/** The build of an app's command line: one ESM file with a shebang, source maps for its stack traces. */
export const cliBuild: Options = {
  entry: ['src/cli.ts'],
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  banner: { js: '#!/usr/bin/env node' },
};
