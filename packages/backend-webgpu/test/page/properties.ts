// Page entry: property tests of the WebGPU backend in the browser — random geometries of ranks
// 1–3 over every option (core's problem generator), sizes at workgroup-tile edges, an output
// larger than one dispatch axis, and dispatches split into several parts.
import type { ConvOptions, ConvTransposeOptions } from '@tconv/core';
import { resolveConv, resolveConvTranspose } from '@tconv/core';
import type { Problem } from '@tconv/testing';
import { problemArb } from '@tconv/testing';
import fc from 'fast-check';
import type { WebGpuBackendOptions } from '../../src';
import { createWebGpuBackend } from '../../src';

type Kernel = WebGpuBackendOptions['kernel'];
import type { CaseResult } from '../harness';
import { attempt, checkConv, checkConvTranspose, checkGradients, describeProblem } from './checks';

/** The convolution whose adjoint a problem's transposed convolution is (same weight, padding kind). */
function convOf(p: Problem): { inputShape: number[]; options: ConvOptions } | undefined {
  let g: ReturnType<typeof resolveConvTranspose>;
  try {
    g = resolveConvTranspose(p.inputShape, p.weightShape, p.options);
  } catch {
    return undefined;
  }
  const { outputPadding: _op, outputSize: _os, bias: _b, ...rest } = p.options;
  const options: ConvOptions = { ...rest };
  if (p.options.outputSize) options.padding = g.padBegin;
  if (p.options.bias) options.bias = Array.from({ length: g.inChannels }, (_, i) => (i % 5) / 4 - 0.5);
  const inputShape = [g.batch, g.outChannels, ...g.outputSize];
  try {
    resolveConv(inputShape, p.weightShape, options);
  } catch {
    return undefined;
  }
  return { inputShape, options };
}

async function randomProblems(arg: { seed: number; runs: number; kernel: Kernel }): Promise<CaseResult[]> {
  const gpu = await createWebGpuBackend({ kernel: arg.kernel });
  const out: CaseResult[] = [];
  try {
    for (const p of fc.sample(problemArb, { seed: arg.seed, numRuns: arg.runs })) {
      try {
        resolveConvTranspose(p.inputShape, p.weightShape, p.options);
      } catch {
        continue; // an invalid combination on purpose: core rejects it, nothing to compute
      }
      const o = p.options as ConvTransposeOptions;
      out.push(
        await attempt(describeProblem('convTranspose', p.inputShape, p.weightShape, o), () =>
          checkConvTranspose(gpu, p.inputShape, p.weightShape, o, p.seed),
        ),
      );
      out.push(
        await attempt(describeProblem('convTransposeBackward', p.inputShape, p.weightShape, o), () =>
          checkGradients(gpu, 'convTranspose', p.inputShape, p.weightShape, o, p.seed),
        ),
      );
      const c = convOf(p);
      if (!c) continue;
      out.push(
        await attempt(describeProblem('conv', c.inputShape, p.weightShape, c.options), () =>
          checkConv(gpu, c.inputShape, p.weightShape, c.options, p.seed),
        ),
      );
      out.push(
        await attempt(describeProblem('convBackward', c.inputShape, p.weightShape, c.options), () =>
          checkGradients(gpu, 'conv', c.inputShape, p.weightShape, c.options, p.seed),
        ),
      );
    }
  } finally {
    await gpu.dispose();
  }
  return out;
}

/** Sizes at the edges of workgroup tiles (1 below, at and above 8, 16, 32, 64). */
export const EDGE_SIZES = [1, 3, 7, 15, 17, 33, 65] as const;

async function tileEdges(kernel: Kernel): Promise<CaseResult[]> {
  const gpu = await createWebGpuBackend({ kernel });
  const out: CaseResult[] = [];
  const problems: [number[], number[], ConvTransposeOptions][] = [];
  for (const n of EDGE_SIZES) {
    problems.push([[1, n, n], [n, 3, 4], { stride: 2, padding: 1 }]); // 1D, channels = length = n
    problems.push([
      [2, 5, n],
      [5, n, 3],
      { stride: 3, outputPadding: 1, bias: Array.from({ length: n }, (_, i) => i / n) },
    ]);
    problems.push([[1, 3, n, 7], [3, 4, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }]); // 2D
    problems.push([[1, 17, 5, n], [17, 2, 2, 2], { stride: 2, padding: 'same' }]);
    problems.push([[1, 4, 8, 8], [4, n, 4, 4], { stride: 2, padding: 1 }]); // Cout at the edge
    problems.push([[1, 2 * n, 6, 5], [2 * n, 1, 3, 3], { groups: n, stride: 2, padding: 1 }]); // thin groups
    problems.push([
      [1, 2, Math.min(n, 17), 3, 4],
      [2, 3, 3, 2, 2],
      { stride: [2, 1, 2], padding: 'same-lower' },
    ]); // 3D
  }
  try {
    for (const [xs, ws, o] of problems) {
      out.push(
        await attempt(describeProblem('convTranspose', xs, ws, o), () =>
          checkConvTranspose(gpu, xs, ws, o, xs[2]!),
        ),
      );
      out.push(
        await attempt(describeProblem('convTransposeBackward', xs, ws, o), () =>
          checkGradients(gpu, 'convTranspose', xs, ws, o, xs[2]! + 7),
        ),
      );
    }
  } finally {
    await gpu.dispose();
  }
  return out;
}

/**
 * Outputs of more than 65535 workgroups (4.4 M elements): a 2D grid; and a backend limited to 3
 * workgroups per axis, so every call is split into several dispatches.
 */
async function largeDispatch(kernel: Kernel): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  const gpu = await createWebGpuBackend({ kernel });
  try {
    const xs = [1, 1, 1100, 1000];
    const ws = [1, 1, 2, 2];
    out.push(
      await attempt(
        `${describeProblem('convTranspose', xs, ws, { stride: 2 })} (output 4.4 M elements)`,
        () => checkConvTranspose(gpu, xs, ws, { stride: 2 }, 11),
      ),
    );
  } finally {
    await gpu.dispose();
  }
  const small = await createWebGpuBackend({ maxWorkgroupsPerDimension: 3, kernel });
  try {
    const xs = [2, 4, 9, 11];
    const ws = [4, 3, 3, 3];
    const o: ConvTransposeOptions = { stride: 2, padding: 1, bias: [0.5, -1, 2] };
    out.push(
      await attempt(
        `split into 3×3-workgroup dispatches: ${describeProblem('convTranspose', xs, ws, o)}`,
        () => checkConvTranspose(small, xs, ws, o, 5),
      ),
    );
    out.push(
      await attempt(`split: ${describeProblem('convTransposeBackward', xs, ws, o)}`, () =>
        checkGradients(small, 'convTranspose', xs, ws, o, 6),
      ),
    );
    const cs = [2, 3, 20, 21];
    out.push(
      await attempt(`split: ${describeProblem('conv', cs, ws, { stride: 2 })}`, () =>
        checkConv(small, cs, ws, { stride: 2 }, 7),
      ),
    );
  } finally {
    await small.dispose();
  }
  return out;
}

/** Long 1D kernels with one or two output channels per group (the long-kernel path's shapes), every padding kind. */
const longArb = fc
  .record({
    s: fc.integer({ min: 4, max: 9 }),
    kFactor: fc.integer({ min: 2, max: 5 }),
    kExtra: fc.integer({ min: 0, max: 7 }),
    n: fc.integer({ min: 1, max: 12 }),
    cinG: fc.integer({ min: 1, max: 9 }),
    coutG: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 2 }),
    batch: fc.integer({ min: 1, max: 2 }),
    pad: fc.constantFrom('none', 'sym', 'asym', 'same', 'valid', 'same-upper', 'size'),
    p: fc.integer({ min: 0, max: 6 }),
    op: fc.nat(),
    bias: fc.boolean(),
  })
  .map((a) => {
    const k = a.s * a.kFactor + a.kExtra;
    const options: ConvTransposeOptions = { stride: a.s, groups: a.groups };
    if (a.pad === 'sym') options.padding = a.p;
    else if (a.pad === 'asym') options.padding = { begin: [a.p], end: [(a.p * 3) % 5] };
    else if (a.pad === 'size') options.outputSize = [(a.n - 1) * a.s + k + (a.op % a.s)];
    else if (a.pad !== 'none') options.padding = a.pad;
    if (a.pad === 'none' || a.pad === 'sym' || a.pad === 'same-upper') options.outputPadding = a.op % a.s;
    if (a.bias) options.bias = Array.from({ length: a.groups * a.coutG }, (_, i) => i - 0.5);
    return { xs: [a.batch, a.groups * a.cinG, a.n], ws: [a.groups * a.cinG, a.coutG, k], options };
  });

async function longKernels(arg: { kernel: Kernel; runs: number }): Promise<CaseResult[]> {
  const gpu = await createWebGpuBackend({ kernel: arg.kernel });
  const out: CaseResult[] = [];
  try {
    // random ones, and with the long-kernel path forced the benchmark's iSTFT layer itself
    const istft = { xs: [1, 512, 128], ws: [512, 1, 2048], options: { stride: 512 } as ConvTransposeOptions };
    const cases = [
      ...(arg.kernel === 'long1d' ? [istft] : []),
      ...fc.sample(longArb, { seed: 7, numRuns: arg.runs }),
    ];
    for (const [i, c] of cases.entries()) {
      try {
        resolveConvTranspose(c.xs, c.ws, c.options);
      } catch {
        continue;
      }
      out.push(
        await attempt(describeProblem('convTranspose', c.xs, c.ws, c.options), () =>
          checkConvTranspose(gpu, c.xs, c.ws, c.options, i),
        ),
      );
    }
  } finally {
    await gpu.dispose();
  }
  return out;
}

(globalThis as { tconvPage?: unknown }).tconvPage = { randomProblems, tileEdges, largeDispatch, longKernels };
