import type { FloatArray } from './tensor';

/**
 * Writes the bias over a channels-first output before a kernel adds into it: every element of
 * channel `c` (of every batch item) becomes `bias[c]`. What each backend does first when a call has
 * a bias, so kernels only accumulate.
 * @param out - `[batch, channels, ...plane]`, row-major
 * @param bias - one value per channel
 * @param batch - batch items
 * @param channels - channels per item
 * @param plane - elements per channel plane
 * @example
 * ```ts
 * const out = new Float32Array(2 * 3 * 4);
 * fillBias(out, Float32Array.of(1, 2, 3), 2, 3, 4); // out[0..3] = 1, out[4..7] = 2, …
 * ```
 */
export function fillBias(
  out: FloatArray,
  bias: FloatArray,
  batch: number,
  channels: number,
  plane: number,
): void {
  for (let n = 0; n < batch; n++)
    for (let c = 0; c < channels; c++)
      out.fill(bias[c]!, (n * channels + c) * plane, (n * channels + c + 1) * plane);
}
