import type { ConvTransposeOptions, Tensor } from '@tconv/core';
import { resolveConvTranspose, seeded, shapeSize, tensor } from '@tconv/core';

/** One benchmark problem: channels-first float32 input, weight `[Cin, Cout/groups, ...k]`, options. */
export interface Workload {
  readonly name: string;
  readonly input: readonly number[];
  readonly weight: readonly number[];
  readonly options: ConvTransposeOptions & { stride: number; padding: number };
}

/**
 * The workloads of the benchmark (the bench issue's table): layers of DCGAN, U-Net, FCN, WaveGAN,
 * a 3D decoder and an inverse STFT (a 1D transposed convolution whose kernel, 2048 taps, is four
 * times its stride). Defined once: `apps/bench`, the CPU backend's tuning script and the other
 * backends' benchmarks import them from here.
 */
export const WORKLOADS: readonly Workload[] = [
  { name: 'dcgan-4to8', input: [1, 512, 4, 4], weight: [512, 256, 4, 4], options: { stride: 2, padding: 1 } },
  {
    name: 'dcgan-16to32',
    input: [1, 128, 16, 16],
    weight: [128, 64, 4, 4],
    options: { stride: 2, padding: 1 },
  },
  { name: 'dcgan-rgb-b8', input: [8, 64, 32, 32], weight: [64, 3, 4, 4], options: { stride: 2, padding: 1 } },
  {
    name: 'unet-up-k2s2',
    input: [1, 256, 32, 32],
    weight: [256, 128, 2, 2],
    options: { stride: 2, padding: 0 },
  },
  { name: 'fcn-up8', input: [1, 21, 16, 16], weight: [21, 21, 16, 16], options: { stride: 8, padding: 4 } },
  { name: 'k3s1-same', input: [1, 64, 64, 64], weight: [64, 32, 3, 3], options: { stride: 1, padding: 1 } },
  {
    name: 'k3s2-op1',
    input: [1, 64, 32, 32],
    weight: [64, 64, 3, 3],
    options: { stride: 2, padding: 1, outputPadding: 1 },
  },
  {
    name: 'depthwise-k4s2',
    input: [1, 64, 32, 32],
    weight: [64, 1, 4, 4],
    options: { stride: 2, padding: 1, groups: 64 },
  },
  {
    name: 'dilated-k3d2',
    input: [1, 32, 32, 32],
    weight: [32, 32, 3, 3],
    options: { stride: 1, padding: 2, dilation: 2 },
  },
  {
    name: 'wavegan-1d',
    input: [1, 64, 4096],
    weight: [64, 32, 25],
    options: { stride: 4, padding: 11, outputPadding: 1 },
  },
  {
    name: 'vol-3d-k3s2',
    input: [1, 32, 16, 16, 16],
    weight: [32, 16, 3, 3, 3],
    options: { stride: 2, padding: 1, outputPadding: 1 },
  },
  {
    name: 'istft-1d',
    input: [1, 512, 128],
    weight: [512, 1, 2048],
    options: { stride: 512, padding: 0 },
  },
];

/** A tiny 2D workload every engine can run, for smoke tests. */
export const TINY: Workload = {
  name: 'tiny-k3s2',
  input: [1, 4, 5, 5],
  weight: [4, 3, 3, 3],
  options: { stride: 2, padding: 1, outputPadding: 1 },
};

/**
 * The input and weight every engine of a benchmark runs a workload on: seeded float32 data (seeds
 * 1 and 2), the same in every benchmark so their figures compare.
 */
export function workloadTensors(w: Workload): { input: Tensor; weight: Tensor } {
  return {
    input: tensor(seeded(shapeSize(w.input), 1), w.input),
    weight: tensor(seeded(shapeSize(w.weight), 2), w.weight),
  };
}

/**
 * DCGAN's 4×4 layer with half its channels: a weight gradient of 2^18 floats at 32 forward FLOPs
 * per weight, which the WebAssembly backend on two threads computes on its worker beside the
 * input gradient and has that worker copy out (its `WORKER_COPY_MIN_FLOATS`). Defined once for
 * the Node, Web Worker shim and Chromium tests of that hand-over.
 */
export const HANDED_OVER_BACKWARD: Workload = {
  name: 'dcgan-4to8-half',
  input: [1, 256, 4, 4],
  weight: [256, 64, 4, 4],
  options: { stride: 2, padding: 1 },
};

/**
 * Seeded float32 input, weight and gradOutput (seeds `seed`, `seed + 1`, `seed + 2`) for a
 * backward call on a workload; gradOutput has the forward's output shape.
 * @example
 * ```ts
 * const { gradOutput } = backwardTensors(HANDED_OVER_BACKWARD, 1);
 * gradOutput.shape; // [1, 64, 8, 8]
 * ```
 */
export function backwardTensors(
  w: Workload,
  seed: number,
): { input: Tensor; weight: Tensor; gradOutput: Tensor } {
  const out = resolveConvTranspose(w.input, w.weight, w.options).outputShape;
  return {
    input: tensor(seeded(shapeSize(w.input), seed), w.input),
    weight: tensor(seeded(shapeSize(w.weight), seed + 1), w.weight),
    gradOutput: tensor(seeded(shapeSize(out), seed + 2), out),
  };
}
