import { OptionError } from './errors';
import type { ConvGeometry, ConvTransposeGeometry } from './geometry';
import type { ConvOptions, ConvTransposeOptions } from './options';

/**
 * The explicit options that resolve, with the geometry's own shapes, back to the geometry: stride,
 * dilation, groups, padding as `{ begin, end }` and (transposed) the output padding. What a test
 * or a gradient needs to run the operation {@link adjointGeometry} describes through a backend.
 * @throws {@link OptionError} when a pad is negative (a transposed convolution that extends its
 *   output with zeros): options cannot express it
 * @example
 * ```ts
 * const c = resolveConv([1, 1, 5], [1, 1, 3], { stride: 2, padding: 'same' });
 * geometryOptions(adjointGeometry(c));
 * // { stride: [2], dilation: [1], groups: 1, padding: { begin: [1], end: [1] }, outputPadding: [0] }
 * ```
 */
export function geometryOptions(g: ConvTransposeGeometry): ConvTransposeOptions;
export function geometryOptions(g: ConvGeometry): ConvOptions;
export function geometryOptions(g: ConvTransposeGeometry | ConvGeometry): ConvTransposeOptions | ConvOptions {
  for (const [name, pads] of [
    ['padBegin', g.padBegin],
    ['padEnd', g.padEnd],
  ] as const) {
    const a = pads.findIndex((p) => p < 0);
    if (a >= 0) {
      throw new OptionError(
        'INVALID_OPTION',
        `${name}[${a}]`,
        `${name}[${a}] is ${pads[a]}: a geometry that extends its output with zeros has no explicit padding option (pads must be ≥ 0)`,
      );
    }
  }
  const options: ConvOptions = {
    stride: [...g.stride],
    dilation: [...g.dilation],
    groups: g.groups,
    padding: { begin: [...g.padBegin], end: [...g.padEnd] },
  };
  return g.kind === 'convTranspose' ? { ...options, outputPadding: [...g.outputPadding] } : options;
}
