import { expect } from 'vitest';
import { describeBrowserConformance } from './browser-conformance';

describeBrowserConformance('conformance-wasm', 'wasm', { dtypes: ['float32'] }, (info) => {
  // the threads really ran on Web Workers of a cross-origin isolated page
  expect(info).toBe('threads 2, crossOriginIsolated true');
});
