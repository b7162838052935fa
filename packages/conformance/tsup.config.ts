import { defineConfig } from 'tsup';

// One build, both formats, with code splitting: the cases (and the fixture data they inline,
// ~300 kB) live once per format in a shared chunk that index, vitest, examples and the CLI
// import, not once per entry; one declaration pass serves both formats. The CLI is ESM only
// (`bin/` imports dist/cli.js): package.json's `files` leaves dist/cli.cjs out of the tarball.
// No source maps: the output is unminified ES2022, readable as it is, and maps with
// sourcesContent would double the package.
export default defineConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/examples.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: ['src/index.ts', 'src/vitest.ts', 'src/examples.ts'] },
  tsconfig: 'tsconfig.build.json',
  sourcemap: false,
  clean: true,
  target: 'es2022',
  splitting: true,
  // the kit's vitest entry uses the user's vitest, never a bundled copy
  external: ['vitest'],
});
