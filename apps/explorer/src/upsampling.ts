/**
 * The AIM article's upsampling family as transposed convolutions with fixed kernels, each channel
 * on its own (groups = channels), computed by the CPU backend:
 * - nearest neighbour: a kernel of ones, as large as the stride;
 * - bed of nails: a 1×1 kernel of one, the stride's gaps left zero (output padding fills the end);
 * - bilinear: the tent kernel of size 2f − f mod 2 (the FCN initialisation), padding ⌊f/2⌋;
 * - max-unpooling: not one convolution (its kernel depends on where each maximum was), but f²
 *   of them — one per position in the pooling window, each a one-hot kernel applied to the
 *   pooled values whose maximum sat there — summed by the backend as input channels of one call.
 * The max-pooling that produces the indices is the one computation here that is not a
 * convolution (the project has no pooling): it prepares the input, it shows no result.
 */
import { cpuBackend } from '@tconv/backend-cpu';
import type { ConvTransposeOptions, Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';

/** A fixed-kernel upsampling: the kernel and options given to the backend. */
export interface FixedUpsampling {
  readonly name: string;
  /** The per-channel 2D kernel, row-major, `size × size`. */
  readonly kernel: readonly number[];
  readonly size: number;
  readonly options: ConvTransposeOptions;
}

/** The 1D tent of bilinear upsampling by `f` (FCN's `get_upsampling_filter`). */
function tent(f: number): number[] {
  const size = 2 * f - (f % 2);
  const center = f % 2 === 1 ? f - 1 : f - 0.5;
  return Array.from({ length: size }, (_, i) => 1 - Math.abs(i - center) / f);
}

/** The three fixed-kernel upsamplings by factor `f`. */
export function fixedUpsamplings(f: number): FixedUpsampling[] {
  const t = tent(f);
  return [
    { name: 'nearest neighbour', kernel: new Array(f * f).fill(1), size: f, options: { stride: f } },
    { name: 'bed of nails', kernel: [1], size: 1, options: { stride: f, outputPadding: f - 1 } },
    {
      name: 'bilinear',
      kernel: t.flatMap((a) => t.map((b) => a * b)),
      size: t.length,
      options: { stride: f, padding: Math.floor(f / 2) },
    },
  ];
}

/** Applies a per-channel kernel to every channel of `image` (`[1, C, H, W]`) with the backend. */
export function applyFixed(image: Tensor, u: FixedUpsampling): Tensor {
  const c = image.shape[1]!;
  const weight = tensor(Array.from({ length: c }, () => u.kernel).flat(), [c, 1, u.size, u.size]);
  return cpuBackend.convTranspose(image, weight, { ...u.options, groups: c });
}

/** A kernel of ones `k × k` with stride `f`, per channel: the checkerboard demonstration. */
export function onesUpsampling(image: Tensor, k: number, f: number): Tensor {
  return applyFixed(image, {
    name: 'ones',
    kernel: new Array(k * k).fill(1),
    size: k,
    options: { stride: f },
  });
}

/** Max-pooling by `f` (window f×f, stride f): the pooled values and, per value, its window offset. */
export function maxPool(image: Tensor, f: number): { pooled: Tensor; offsets: Int32Array } {
  const [, c, h, w] = image.shape as [number, number, number, number];
  const ph = Math.floor(h / f);
  const pw = Math.floor(w / f);
  const pooled = new Float32Array(c * ph * pw);
  const offsets = new Int32Array(c * ph * pw);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        let best = Number.NEGATIVE_INFINITY;
        let at = 0;
        for (let a = 0; a < f; a++) {
          for (let b = 0; b < f; b++) {
            const v = image.data[(ch * h + i * f + a) * w + j * f + b]!;
            if (v > best) {
              best = v;
              at = a * f + b;
            }
          }
        }
        pooled[(ch * ph + i) * pw + j] = best;
        offsets[(ch * ph + i) * pw + j] = at;
      }
    }
  }
  return { pooled: tensor(pooled, [1, c, ph, pw]), offsets };
}

/**
 * Max-unpooling as one transposed convolution: input channel `c·f² + m` holds the pooled values of
 * channel c whose maximum sat at window offset m (zeros elsewhere), its kernel is one-hot at m,
 * and groups = C make the backend sum each channel's f² scatters.
 */
export function maxUnpool(pooled: Tensor, offsets: Int32Array, f: number): Tensor {
  const [, c, ph, pw] = pooled.shape as [number, number, number, number];
  const taps = f * f;
  const plane = ph * pw;
  const input = new Float32Array(c * taps * plane);
  for (let ch = 0; ch < c; ch++) {
    for (let k = 0; k < plane; k++)
      input[(ch * taps + offsets[ch * plane + k]!) * plane + k] = pooled.data[ch * plane + k]!;
  }
  const weight = new Float32Array(c * taps * taps);
  for (let ch = 0; ch < c; ch++) for (let m = 0; m < taps; m++) weight[(ch * taps + m) * taps + m] = 1;
  return cpuBackend.convTranspose(tensor(input, [1, c * taps, ph, pw]), tensor(weight, [c * taps, 1, f, f]), {
    stride: f,
    groups: c,
  });
}

/** The bundled picture, drawn procedurally: sky, sun, a house and grass; `[1, 3, size, size]`, 0–255. */
export function bundledImage(size = 24): Tensor {
  const data = new Float32Array(3 * size * size);
  const set = (i: number, j: number, rgb: readonly number[]) => {
    for (let c = 0; c < 3; c++) data[(c * size + i) * size + j] = rgb[c]!;
  };
  const u = size / 24;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const sky = [70 + 4 * (i / u), 130 + 3 * (i / u), 230];
      set(i, j, i > 17 * u ? [40, 160, 60] : sky);
      if ((i - 5 * u) ** 2 + (j - 18 * u) ** 2 <= (3.2 * u) ** 2) set(i, j, [255, 220, 40]);
      if (i >= 11 * u && i <= 17 * u && j >= 4 * u && j <= 12 * u) set(i, j, [200, 60, 50]);
      if (i >= 7 * u && i < 11 * u && Math.abs(j - 8 * u) <= i - 7 * u + 0.5) set(i, j, [120, 50, 30]);
      if (i >= 14 * u && i <= 17 * u && j >= 7 * u && j <= 8 * u) set(i, j, [60, 40, 20]);
      if (i >= 12 * u && i <= 13 * u && j >= 10 * u && j <= 11 * u) set(i, j, [250, 250, 210]);
    }
  }
  return tensor(data, [1, 3, size, size]);
}

/** A constant image (every pixel 1), to show the overlap pattern alone. */
export function constantImage(c: number, h: number, w: number): Tensor {
  return tensor(new Float32Array(c * h * w).fill(1), [1, c, h, w]);
}
