import { fileURLToPath } from 'node:url';

const src = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

/**
 * Every workspace package resolved to its TypeScript source, so a test run needs no prior build
 * (the tRPC layout). More specific subpaths come first: vite matches aliases in order.
 */
export const workspaceAliases = [
  { find: /^@tconv\/conformance\/vitest$/, replacement: src('./packages/conformance/src/vitest.ts') },
  { find: /^@tconv\/conformance$/, replacement: src('./packages/conformance/src/index.ts') },
  { find: /^@tconv\/core$/, replacement: src('./packages/core/src/index.ts') },
  { find: /^@tconv\/backend-cpu$/, replacement: src('./packages/backend-cpu/src/index.ts') },
  { find: /^@tconv\/backend-sparse$/, replacement: src('./packages/backend-sparse/src/index.ts') },
  { find: /^@tconv\/backend-wasm$/, replacement: src('./packages/backend-wasm/src/index.ts') },
  { find: /^@tconv\/browser-testing$/, replacement: src('./packages/browser-testing/src/index.ts') },
  { find: /^@tconv\/testing$/, replacement: src('./packages/testing/src/index.ts') },
  { find: /^@tconv\/peers\/browser$/, replacement: src('./packages/peers/src/browser.ts') },
  { find: /^@tconv\/peers$/, replacement: src('./packages/peers/src/index.ts') },
  { find: /^@tconv\/backend-webgpu$/, replacement: src('./packages/backend-webgpu/src/index.ts') },
  { find: /^@tconv\/conformance\/examples$/, replacement: src('./packages/conformance/src/examples.ts') },
  { find: /^@tconv\/backend-cpu\/internal$/, replacement: src('./packages/backend-cpu/src/internal.ts') },
  { find: /^@tconv\/backend-wasm\/internal$/, replacement: src('./packages/backend-wasm/src/internal.ts') },
];
