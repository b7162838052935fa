import { createWasmBackend } from '@tconv/backend-wasm';
import { describeConformance } from '@tconv/conformance/vitest';

// The whole kit, one test per case, on one thread and on two.
describeConformance(await createWasmBackend());
describeConformance(await createWasmBackend({ threads: 2, threadThreshold: 0 }));
