import { defineConfig, type Options } from 'tsup';

// One build per format, each with code splitting, so the cases (and the fixture data they inline,
// ~300 kB) live once per format in a shared chunk that index, vitest and the CLI import, not
// once per entry. No source maps: the output is unminified ES2022, readable as it is, and maps
// with sourcesContent would double the package.
const common: Options = {
  tsconfig: 'tsconfig.build.json',
  sourcemap: false,
  target: 'es2022',
  splitting: true,
  // the kit's vitest entry uses the user's vitest, never a bundled copy
  external: ['vitest'],
};

export default defineConfig([
  {
    ...common,
    entry: ['src/index.ts', 'src/vitest.ts', 'src/examples.ts', 'src/cli.ts'],
    format: ['esm'],
    dts: { entry: ['src/index.ts', 'src/vitest.ts', 'src/examples.ts'] },
    clean: true,
  },
  {
    ...common,
    entry: ['src/index.ts', 'src/vitest.ts', 'src/examples.ts'],
    format: ['cjs'],
    dts: { entry: ['src/index.ts', 'src/vitest.ts', 'src/examples.ts'] },
    clean: false,
  },
]);
