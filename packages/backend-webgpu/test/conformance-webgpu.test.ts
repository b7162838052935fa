import { expect } from 'vitest';
import { describeBrowserConformance } from './browser-conformance';

describeBrowserConformance('conformance-webgpu', 'webgpu', { dtypes: ['float32'] }, (info) => {
  expect(info.length).toBeGreaterThan(0);
});
