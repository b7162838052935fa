import type { ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { allocate, prepareConv, prepareConvTranspose, product } from '@tconv/core';

/**
 * Transposed convolution exactly as the documents define it (d2l 13.10.1 `trans_conv`, generalised
 * to N-D, batches, channels, groups, stride, dilation, padding): every input element scatters
 * `input × kernel` into the output, at `i*stride + k*dilation - padBegin`; what falls outside the
 * output is cropped. Accumulates in float64. Slow and plain on purpose: it is the ground truth the
 * fast paths are tested against.
 * @example
 * ```ts
 * referenceConvTranspose(tensor([0, 1, 2, 3], [1, 1, 2, 2]), tensor([0, 1, 2, 3], [1, 1, 2, 2])).data;
 * // [0, 0, 1, 0, 4, 6, 4, 12, 9]
 * ```
 */
export function referenceConvTranspose(
  input: Tensor,
  weight: Tensor,
  options: ConvTransposeOptions = {},
): Tensor {
  const { geometry: g, dtype, bias } = prepareConvTranspose(input, weight, options);
  const r = g.rank;
  const inPlane = product(g.inputSize);
  const outPlane = product(g.outputSize);
  const taps = product(g.kernelSize);
  const acc = new Float64Array(g.batch * g.outChannels * outPlane);
  const inIndex = new Array<number>(r).fill(0);
  const kIndex = new Array<number>(r).fill(0);
  for (let n = 0; n < g.batch; n++) {
    for (let ci = 0; ci < g.inChannels; ci++) {
      const group = Math.floor(ci / g.inChannelsPerGroup);
      for (let p = 0; p < inPlane; p++) {
        unflatten(p, g.inputSize, inIndex);
        const xv = input.data[(n * g.inChannels + ci) * inPlane + p]!;
        for (let cog = 0; cog < g.outChannelsPerGroup; cog++) {
          const co = group * g.outChannelsPerGroup + cog;
          for (let t = 0; t < taps; t++) {
            unflatten(t, g.kernelSize, kIndex);
            let o = 0;
            let inside = true;
            for (let a = 0; a < r; a++) {
              const pos = inIndex[a]! * g.stride[a]! + kIndex[a]! * g.dilation[a]! - g.padBegin[a]!;
              if (pos < 0 || pos >= g.outputSize[a]!) inside = false;
              o = o * g.outputSize[a]! + pos;
            }
            if (!inside) continue;
            const wv = weight.data[(ci * g.outChannelsPerGroup + cog) * taps + t]!;
            acc[(n * g.outChannels + co) * outPlane + o]! += xv * wv;
          }
        }
      }
    }
  }
  const out = allocate(dtype, acc.length);
  for (let i = 0; i < acc.length; i++) {
    const co = Math.floor(i / outPlane) % g.outChannels;
    out[i] = acc[i]! + (bias ? bias[co]! : 0);
  }
  return { shape: g.outputShape, data: out };
}

/**
 * Convolution (cross-correlation, as in every framework) by its definition: output position `o`
 * and tap `k` read input `o*stride + k*dilation - padBegin`, zero outside the input. Float64
 * accumulation; the ground truth for the fast path.
 */
export function referenceConv(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  const { geometry: g, dtype, bias } = prepareConv(input, weight, options);
  const r = g.rank;
  const inPlane = product(g.inputSize);
  const outPlane = product(g.outputSize);
  const taps = product(g.kernelSize);
  const out = allocate(dtype, g.batch * g.outChannels * outPlane);
  const oIndex = new Array<number>(r).fill(0);
  const kIndex = new Array<number>(r).fill(0);
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const group = Math.floor(co / g.outChannelsPerGroup);
      for (let p = 0; p < outPlane; p++) {
        unflatten(p, g.outputSize, oIndex);
        let sum = bias ? bias[co]! : 0;
        for (let cig = 0; cig < g.inChannelsPerGroup; cig++) {
          const ci = group * g.inChannelsPerGroup + cig;
          for (let t = 0; t < taps; t++) {
            unflatten(t, g.kernelSize, kIndex);
            let i = 0;
            let inside = true;
            for (let a = 0; a < r; a++) {
              const pos = oIndex[a]! * g.stride[a]! + kIndex[a]! * g.dilation[a]! - g.padBegin[a]!;
              if (pos < 0 || pos >= g.inputSize[a]!) inside = false;
              i = i * g.inputSize[a]! + pos;
            }
            if (!inside) continue;
            sum +=
              input.data[(n * g.inChannels + ci) * inPlane + i]! *
              weight.data[(co * g.inChannelsPerGroup + cig) * taps + t]!;
          }
        }
        out[(n * g.outChannels + co) * outPlane + p] = sum;
      }
    }
  }
  return { shape: g.outputShape, data: out };
}

function unflatten(flat: number, sizes: readonly number[], into: number[]): void {
  for (let a = sizes.length - 1; a >= 0; a--) {
    const s = sizes[a]!;
    into[a] = flat % s;
    flat = Math.floor(flat / s);
  }
}
