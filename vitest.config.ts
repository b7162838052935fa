import { defineConfig } from 'vitest/config';

// `pnpm vitest` runs every package's suite in one process tree; each package's own
// vitest.config.ts carries the source aliases.
export default defineConfig({
  test: { projects: ['packages/*', 'apps/*'] },
});
