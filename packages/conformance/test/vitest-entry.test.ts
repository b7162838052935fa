import { cpuBackend } from '@tconv/backend-cpu';
import { describeConformance } from '@tconv/conformance/vitest';

// The ./vitest entry as a third party uses it: one registered test per case.
describeConformance(cpuBackend);
describeConformance({
  ...cpuBackend,
  name: 'cpu (declared 1D/3D float64 only)',
  capabilities: { ranks: [1, 3], dtypes: ['float64'] },
});
