import { defineConfig } from 'tsup';
import { cliBuild } from '../../tsup.shared';

export default defineConfig({
  ...cliBuild,
  // tfjs-core's gradients exist only as ESM modules; bundled, they register into tfjs' global registry
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
