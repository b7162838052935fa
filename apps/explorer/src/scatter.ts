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
  /** Everything landed so far, elements 0…index. */
  readonly landed: Tensor;
}

/** The full scatter and how the real output sits in it. */
export interface Scatter {
  /** Spatial size of the uncropped scatter, `(n−1)·s + d·(k−1) + 1` per axis, from the backend. */
  readonly fullSize: readonly [number, number];
  readonly steps: readonly ScatterStep[];
  /** The zero canvas (before any step). */
  readonly empty: Tensor;
}

function masked(p: Problem, keep: (i: number) => boolean): Tensor {
  const data = new Float32Array(p.input.data.length);
  for (let i = 0; i < data.length; i++) if (keep(i)) data[i] = p.input.data[i]!;
  return tensor(data, p.input.shape);
}

/** Computes every step of the scatter of the problem with the CPU backend. */
export function scatterSteps(p: Problem): Scatter {
  const g = p.geometry;
  const full = { stride: [...g.stride], dilation: [...g.dilation], groups: g.groups, padding: 0 };
  const ones = tensor(new Float32Array(p.weight.data.length).fill(1), p.weight.shape);
  const [, , h, w] = p.input.shape as [number, number, number, number];
  const steps: ScatterStep[] = [];
  for (let index = 0; index < p.input.data.length; index++) {
    const oneHot = new Float32Array(p.input.data.length);
    oneHot[index] = 1;
    steps.push({
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
      landed: cpuBackend.convTranspose(
        masked(p, (i) => i <= index),
        p.weight,
        full,
      ),
    });
  }
  const empty = cpuBackend.convTranspose(
    masked(p, () => false),
    p.weight,
    full,
  );
  return { fullSize: [empty.shape[2]!, empty.shape[3]!], steps, empty };
}
