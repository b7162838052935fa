import { defineConfig } from 'tsup';
import { libraryBuild } from '../../tsup.shared';

// the ./internal subpath is an entry of its own (the kernels, for workspace packages)
export default defineConfig({ ...libraryBuild, entry: ['src/index.ts', 'src/internal.ts'] });
