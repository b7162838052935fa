import type { Backend, ConvOptions, ConvTransposeOptions, DType, Gradients, Tensor } from '@tconv/core';
import {
  allocate,
  prepareConv,
  prepareConvBackward,
  prepareConvTranspose,
  prepareConvTransposeBackward,
} from '@tconv/core';

/** Visits every (output, input, weight) index triple of a resolved geometry: the index map both ops share. */
function forEachTap(
  rank: number,
  outSize: readonly number[],
  inSize: readonly number[],
  kernel: readonly number[],
  map: (axis: number, o: number, k: number) => number,
  visit: (outFlat: number, inFlat: number, kFlat: number) => void,
): void {
  const outPlane = outSize.reduce((a, b) => a * b, 1);
  const taps = kernel.reduce((a, b) => a * b, 1);
  for (let o = 0; o < outPlane; o++) {
    for (let t = 0; t < taps; t++) {
      let restO = o;
      let restT = t;
      let inFlat = 0;
      let mul = 1;
      let inside = true;
      for (let a = rank - 1; a >= 0; a--) {
        const oa = restO % outSize[a]!;
        const ka = restT % kernel[a]!;
        restO = (restO - oa) / outSize[a]!;
        restT = (restT - ka) / kernel[a]!;
        const ia = map(a, oa, ka);
        if (ia < 0 || ia >= inSize[a]!) inside = false;
        inFlat += ia * mul;
        mul *= inSize[a]!;
      }
      if (inside) visit(o, inFlat, t);
    }
  }
}

/**
 * The kit's own definition-level transposed convolution (float64 sums): output `o` gathers input `i`
 * through tap `k` when `o = i*stride + k*dilation - padBegin`. Slow; it only serves generated cases
 * and is exported as {@link referenceBackend}.
 */
export function kitConvTranspose(input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}): Tensor {
  const { geometry: g, dtype, bias } = prepareConvTranspose(input, weight, options);
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
  const taps = g.kernelSize.reduce((a, b) => a * b, 1);
  const acc = new Float64Array(g.batch * g.outChannels * outPlane);
  // o = i*s + k*d - p  ⇔  i = (o + p - k*d) / s when divisible
  const toInput = (a: number, o: number, k: number) => {
    const t = o + g.padBegin[a]! - k * g.dilation[a]!;
    return t % g.stride[a]! === 0 ? t / g.stride[a]! : -1;
  };
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const group = Math.floor(co / g.outChannelsPerGroup);
      const cog = co % g.outChannelsPerGroup;
      const outBase = (n * g.outChannels + co) * outPlane;
      for (let cig = 0; cig < g.inChannelsPerGroup; cig++) {
        const ci = group * g.inChannelsPerGroup + cig;
        const inBase = (n * g.inChannels + ci) * inPlane;
        const wBase = (ci * g.outChannelsPerGroup + cog) * taps;
        forEachTap(g.rank, g.outputSize, g.inputSize, g.kernelSize, toInput, (o, i, t) => {
          acc[outBase + o]! += input.data[inBase + i]! * weight.data[wBase + t]!;
        });
      }
      if (bias) for (let o = 0; o < outPlane; o++) acc[outBase + o]! += bias[co]!;
    }
  }
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return { shape: g.outputShape, data: out };
}

/** The kit's own definition-level convolution (cross-correlation, float64 sums). */
export function kitConv(input: Tensor, weight: Tensor, options: ConvOptions = {}): Tensor {
  const { geometry: g, dtype, bias } = prepareConv(input, weight, options);
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
  const taps = g.kernelSize.reduce((a, b) => a * b, 1);
  const acc = new Float64Array(g.batch * g.outChannels * outPlane);
  const toInput = (a: number, o: number, k: number) => o * g.stride[a]! + k * g.dilation[a]! - g.padBegin[a]!;
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const group = Math.floor(co / g.outChannelsPerGroup);
      const outBase = (n * g.outChannels + co) * outPlane;
      for (let cig = 0; cig < g.inChannelsPerGroup; cig++) {
        const inBase = (n * g.inChannels + group * g.inChannelsPerGroup + cig) * inPlane;
        const wBase = (co * g.inChannelsPerGroup + cig) * taps;
        forEachTap(g.rank, g.outputSize, g.inputSize, g.kernelSize, toInput, (o, i, t) => {
          acc[outBase + o]! += input.data[inBase + i]! * weight.data[wBase + t]!;
        });
      }
      if (bias) for (let o = 0; o < outPlane; o++) acc[outBase + o]! += bias[co]!;
    }
  }
  const out = allocate(dtype, acc.length);
  out.set(acc);
  return { shape: g.outputShape, data: out };
}

/** Float64 accumulators of the three gradients, rounded to the input's type at the end. */
function gradientSums(
  dtype: DType,
  input: Tensor,
  weight: Tensor,
  outChannels: number,
  fill: (dx: Float64Array, dw: Float64Array, db: Float64Array) => void,
): Gradients {
  const dx = new Float64Array(input.data.length);
  const dw = new Float64Array(weight.data.length);
  const db = new Float64Array(outChannels);
  fill(dx, dw, db);
  const round = (a: Float64Array, shape: readonly number[]): Tensor => {
    const out = allocate(dtype, a.length);
    out.set(a);
    return { shape, data: out };
  };
  return { input: round(dx, input.shape), weight: round(dw, weight.shape), bias: round(db, [outChannels]) };
}

/**
 * The gradients of {@link kitConvTranspose} by the definition (the kit's one backward definition
 * loop): for every pair (output o, input i, tap k) the forward multiplies, `y[o] += x[i]·w[k]`, so
 * `∂x[i] += gy[o]·w[k]`, `∂w[k] += x[i]·gy[o]`, and `∂bias[co] = Σ gy[·][co][·]`. Float64 sums.
 */
export function kitConvTransposeBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options: ConvTransposeOptions = {},
): Gradients {
  const { geometry: g, dtype } = prepareConvTransposeBackward(gradOutput, input, weight, options);
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
  const taps = g.kernelSize.reduce((a, b) => a * b, 1);
  const toInput = (a: number, o: number, k: number) => {
    const t = o + g.padBegin[a]! - k * g.dilation[a]!;
    return t % g.stride[a]! === 0 ? t / g.stride[a]! : -1;
  };
  const gy = gradOutput.data;
  return gradientSums(dtype, input, weight, g.outChannels, (dx, dw, db) => {
    for (let n = 0; n < g.batch; n++) {
      for (let co = 0; co < g.outChannels; co++) {
        const group = Math.floor(co / g.outChannelsPerGroup);
        const outBase = (n * g.outChannels + co) * outPlane;
        for (let o = 0; o < outPlane; o++) db[co]! += gy[outBase + o]!;
        for (let cig = 0; cig < g.inChannelsPerGroup; cig++) {
          const ci = group * g.inChannelsPerGroup + cig;
          const inBase = (n * g.inChannels + ci) * inPlane;
          const wBase = (ci * g.outChannelsPerGroup + (co % g.outChannelsPerGroup)) * taps;
          forEachTap(g.rank, g.outputSize, g.inputSize, g.kernelSize, toInput, (o, i, t) => {
            dx[inBase + i]! += gy[outBase + o]! * weight.data[wBase + t]!;
            dw[wBase + t]! += input.data[inBase + i]! * gy[outBase + o]!;
          });
        }
      }
    }
  });
}

/** The gradients of {@link kitConv} by the definition; see {@link kitConvTransposeBackward}. */
export function kitConvBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options: ConvOptions = {},
): Gradients {
  const { geometry: g, dtype } = prepareConvBackward(gradOutput, input, weight, options);
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
  const taps = g.kernelSize.reduce((a, b) => a * b, 1);
  const toInput = (a: number, o: number, k: number) => o * g.stride[a]! + k * g.dilation[a]! - g.padBegin[a]!;
  const gy = gradOutput.data;
  return gradientSums(dtype, input, weight, g.outChannels, (dx, dw, db) => {
    for (let n = 0; n < g.batch; n++) {
      for (let co = 0; co < g.outChannels; co++) {
        const group = Math.floor(co / g.outChannelsPerGroup);
        const outBase = (n * g.outChannels + co) * outPlane;
        for (let o = 0; o < outPlane; o++) db[co]! += gy[outBase + o]!;
        for (let cig = 0; cig < g.inChannelsPerGroup; cig++) {
          const inBase = (n * g.inChannels + group * g.inChannelsPerGroup + cig) * inPlane;
          const wBase = (co * g.inChannelsPerGroup + cig) * taps;
          forEachTap(g.rank, g.outputSize, g.inputSize, g.kernelSize, toInput, (o, i, t) => {
            dx[inBase + i]! += gy[outBase + o]! * weight.data[wBase + t]!;
            dw[wBase + t]! += input.data[inBase + i]! * gy[outBase + o]!;
          });
        }
      }
    }
  });
}

/**
 * A slow, definition-level backend built on the kit's reference: useful to third parties as a
 * known-good baseline, and the base of the kit's own mutation tests.
 */
export const referenceBackend: Backend = {
  name: 'kit-reference',
  convTranspose: kitConvTranspose,
  conv: kitConv,
  convTransposeBackward: kitConvTransposeBackward,
  convBackward: kitConvBackward,
};
