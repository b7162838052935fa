import type { ConvGeometry, FloatArray } from '@tconv/core';
import { fillBias, product, recomputeNonFinite } from '@tconv/core';
import { rowEnd, rowStart, tapTable } from './taps';

/**
 * The convolution (cross-correlation) on a resolved geometry: for each (output channel, input
 * channel of its group, tap), one strided multiply-add along whole output rows:
 * `out[o] += w · x[o*stride + k*dilation - padBegin]`, with the valid range of `o` computed once per
 * row instead of a bounds test per element. `out` must be zero-filled. float32 elements that come
 * out non-finite are recomputed by the definition in float64 (core's `recomputeNonFinite`).
 */
export function convImpl(
  g: ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
): void {
  const r = g.rank;
  const last = r - 1;
  const K = product(g.kernelSize);
  const outPlane = product(g.outputSize);
  const inPlane = product(g.inputSize);
  if (bias) fillBias(out, bias, g.batch, g.outChannels, outPlane);
  const table = tapTable(g.kernelSize, g.inputSize);
  const LL = g.outputSize[last]!;
  const lead = outPlane / LL;
  const nLast = g.inputSize[last]!;
  const sL = g.stride[last]!;
  const dL = g.dilation[last]!;
  const pL = g.padBegin[last]!;
  const cinG = g.inChannelsPerGroup;
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const outBase = (n * g.outChannels + co) * outPlane;
      const group = (co - (co % g.outChannelsPerGroup)) / g.outChannelsPerGroup;
      for (let cig = 0; cig < cinG; cig++) {
        const xBase = (n * g.inChannels + group * cinG + cig) * inPlane;
        const wBase = (co * cinG + cig) * K;
        for (let t = 0; t < K; t++) {
          const wv = w[wBase + t]!;
          const offL = table[t * r + last]! * dL - pL;
          const lo = rowStart(offL, sL);
          const hi = rowEnd(offL, sL, nLast, LL);
          if (lo >= hi) continue;
          for (let q = 0; q < lead; q++) {
            let inOff = 0;
            let rest = q;
            let inside = true;
            for (let a = r - 2; a >= 0; a--) {
              const size = g.outputSize[a]!;
              const idx = rest % size;
              rest = (rest - idx) / size;
              const pos = idx * g.stride[a]! + table[t * r + a]! * g.dilation[a]! - g.padBegin[a]!;
              if (pos < 0 || pos >= g.inputSize[a]!) {
                inside = false;
                break;
              }
              inOff += pos * table[K * r + a]!;
            }
            if (!inside) continue;
            let o = outBase + q * LL + lo;
            let xi = xBase + inOff + offL + lo * sL;
            for (let i = lo; i < hi; i++) {
              out[o]! += wv * x[xi]!;
              o++;
              xi += sL;
            }
          }
        }
      }
    }
  }
  recomputeNonFinite(g, x, w, bias, out);
}
