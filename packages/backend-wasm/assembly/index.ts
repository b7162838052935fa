// tconv's WebAssembly kernels (AssemblyScript, 128-bit SIMD). The JavaScript side resolves and
// validates every option (through @tconv/core), proves every size fits an i32, and lays the
// problem out in linear memory; these functions only compute. All buffers are f32, addressed by
// byte pointers; each kernel takes the address of its parameter block (src/param-layout.ts).

import { LAYOUT_VERSION } from './layout.generated';

export { convDot } from './conv-dot';
export { convPhases } from './conv-phases';
export { conv, convTranspose } from './direct';
export { convTransposePhases } from './phases';
export { convTransposeLanes } from './lanes';
export { biasGradient, nonFinite } from './output';
export { convTransposeThin } from './thin';
export { weightGradient } from './weight-gradient';
export { weightGradientPhases } from './weight-gradient-phases';

/** Start of the memory the JavaScript side may use. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** The checksum of the parameter layout these kernels were built for (src/param-layout.ts). */
export function layoutVersion(): i32 {
  return LAYOUT_VERSION;
}
