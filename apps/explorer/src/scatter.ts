/**
 * The scatter, step by step, computed by the CPU backend itself: step t's intermediate tensor is
 * the transposed convolution of an input with only element t set (d2l's intermediate results,
 * literally), and the running sum after step t is the transposed convolution of the input with
 * elements 0…t set. Both are the full, uncropped scatter (padding 0, no output padding); where
 * the real layer crops or extends it comes from core's geometry (`padBegin`, `outputSize`).
 */
import { cpuBackend } from '@tconv/backend-cpu';
import type { Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';
import type { Problem } from './layer';

/** One input element landing. */
export interface ScatterStep {
  /** Flat index into the input `[Cin, H, W]`. */
  readonly index: number;
  readonly channel: number;
  readonly row: number;
  readonly col: number;
  readonly value: number;
  /** The element times the kernel at its place: `[1, Cout, ...full]`. */
  readonly alone: Tensor;
  /** Where the element's kernel lands (a kernel of ones scattered from it): nonzero cells. */
  readonly footprint: Tensor;
}

/** The scatter after some steps: the full size, what has landed, and the last step. */
export interface Scatter {
  /** Spatial size of the uncropped scatter, `(n−1)·s + d·(k−1) + 1` per axis, from the backend. */
  readonly fullSize: readonly [number, number];
  /** Number of steps: one per input element. */
  readonly total: number;
  /** Everything landed after the steps shown (elements 0…shown−1): `[1, Cout, ...full]`. */
  readonly landed: Tensor;
  /** The last step shown; null before the first. */
  readonly current: ScatterStep | null;
}

function masked(p: Problem, keep: (i: number) => boolean): Tensor {
  const data = new Float32Array(p.input.data.length);
  for (let i = 0; i < data.length; i++) if (keep(i)) data[i] = p.input.data[i]!;
  return tensor(data, p.input.shape);
}

/**
 * The scatter of the problem after `shown` steps, by the CPU backend: three calls (what has
 * landed, the last element alone, where its kernel lands), so each step costs the same whatever
 * the number of steps, and nothing is kept between steps.
 */
export function scatterAt(p: Problem, shown: number): Scatter {
  const g = p.geometry;
  const full = { stride: [...g.stride], dilation: [...g.dilation], groups: g.groups, padding: 0 };
  const total = p.input.data.length;
  const landed = cpuBackend.convTranspose(
    masked(p, (i) => i < shown),
    p.weight,
    full,
  );
  const fullSize: [number, number] = [landed.shape[2]!, landed.shape[3]!];
  if (shown <= 0) return { fullSize, total, landed, current: null };
  const index = Math.min(shown, total) - 1;
  const [, , h, w] = p.input.shape as [number, number, number, number];
  const oneHot = new Float32Array(total);
  oneHot[index] = 1;
  const ones = tensor(new Float32Array(p.weight.data.length).fill(1), p.weight.shape);
  const current: ScatterStep = {
    index,
    channel: Math.floor(index / (h * w)),
    row: Math.floor(index / w) % h,
    col: index % w,
    value: p.input.data[index]!,
    alone: cpuBackend.convTranspose(
      masked(p, (i) => i === index),
      p.weight,
      full,
    ),
    footprint: cpuBackend.convTranspose(tensor(oneHot, p.input.shape), ones, full),
  };
  return { fullSize, total, landed, current };
}
