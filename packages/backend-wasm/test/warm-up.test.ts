// The warm-up at createWasmBackend (src/warm-up.ts): what it runs, that it changes no result, and
// the option's strict parse. Its effect on speed is measured by apps/bench's first-call section,
// not here (no timed unit tests).
import { describe, expect, it } from 'vitest';
import { adjointGeometry, OptionError, resolveConvTranspose, tensor } from '@tconv/core';
import { compileWasm, createWasmBackend } from '@tconv/backend-wasm';
import { randomData } from '@tconv/testing';
import { KERNELS } from '../src/internal';
import type { WarmUpTarget } from '../src/warm-up';
import {
  backwardProbeLayers,
  forwardProbeLayers,
  WARM_UP_TRIGGER_ROUNDS,
  warmUp,
  warmUpThreads,
} from '../src/warm-up';
import type { WasmConvTransposeKernel } from '../src/kernel-choice';
import {
  convDotFits,
  convPhasesFits,
  convTransposeKernel,
  forwardSplit,
  weightGradientKernel,
} from '../src/kernel-choice';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const random = (shape: number[], seed: number) => tensor(randomData(size(shape), seed), shape);

describe('warm-up', () => {
  it('runs every kernel of the transposed convolution, a convolution and a backward call, then the same split over every thread until optimized', async () => {
    const seen: string[] = [];
    const target = (kernel: string | undefined, split: boolean): WarmUpTarget => {
      const tag = `${kernel ?? 'auto'}${split ? ' split' : ''}`;
      return {
        convTranspose: async () => seen.push(`convTranspose ${tag}`),
        conv: async () => seen.push(`conv ${tag}`),
        convTransposeBackward: async () => seen.push(`convTransposeBackward ${tag}`),
      };
    };
    // calls that take no time (a clock that stands still) are "optimized" at once: the trigger rounds only
    expect(await warmUp(target, { callingThread: true, workers: true }, () => 0)).toBe(
      WARM_UP_TRIGGER_ROUNDS,
    );
    const kinds = new Set(seen);
    for (const kernel of KERNELS) {
      expect(kinds).toContain(`convTranspose ${kernel}`);
      expect(kinds).toContain(`convTranspose ${kernel} split`);
    }
    for (const op of ['conv auto', 'convTransposeBackward auto']) {
      expect(kinds).toContain(op);
      expect(kinds).toContain(`${op} split`);
    }
    const perRound = seen.filter((s) => !s.endsWith('split')).length / WARM_UP_TRIGGER_ROUNDS;
    // the GEMM on 5 layers, the phases on 2, the thin kernel on 2 depthwise ones, the lanes
    // kernel on 2 (a kernel without its own layers: the strided one); conv; the backward probes
    const own: Record<string, number> = { gemm: 5, phases: 2, thin: 2, lanes: 2 };
    expect(perRound).toBe(KERNELS.reduce((n, k) => n + (own[k] ?? 1), 0) + 1 + backwardProbeLayers().length);
    // the split rounds follow the same rule: the trigger rounds, every probe in each
    expect(seen.filter((s) => s.endsWith('split')).length).toBe(perRound * WARM_UP_TRIGGER_ROUNDS);
    // one thread: no split round
    seen.length = 0;
    await warmUp(target, { callingThread: true, workers: false }, () => 0);
    expect(seen.some((s) => s.endsWith('split'))).toBe(false);
    // a new pool on a module the calling thread has warmed: the split rounds only
    seen.length = 0;
    expect(await warmUp(target, { callingThread: false, workers: true }, () => 0)).toBe(0);
    expect(seen.length).toBe(perRound * WARM_UP_TRIGGER_ROUNDS);
    expect(seen.every((s) => s.endsWith('split'))).toBe(true);
  });

  it('warms the calling thread once per module, every new pool of workers, nothing with warmUp: false', () => {
    // the first backend of a realm, threaded: both; a later threaded one: its own workers only
    expect(warmUpThreads(true, false, 2)).toEqual({ callingThread: true, workers: true });
    expect(warmUpThreads(true, true, 2)).toEqual({ callingThread: false, workers: true });
    expect(warmUpThreads(true, false, 1)).toEqual({ callingThread: true, workers: false });
    expect(warmUpThreads(true, true, 1)).toEqual({ callingThread: false, workers: false });
    expect(warmUpThreads(false, false, 4)).toEqual({ callingThread: false, workers: false });
  });

  it('each forward probe is a layer its kernel is chosen for, and the split rounds reach every way a forward call splits', () => {
    const splits = new Set<string>();
    let gemmByRule = 0;
    const probes = forwardProbeLayers();
    for (const kernel of Object.keys(probes) as WasmConvTransposeKernel[]) {
      for (const p of probes[kernel]!) {
        const g = resolveConvTranspose(p.x.shape, p.w.shape, p.o);
        // the GEMM also runs the other kernels' layers; its own by rule is the RGB-like one
        if (kernel !== 'gemm') expect(convTransposeKernel(g)).toBe(kernel);
        else if (convTransposeKernel(g) === 'gemm') gemmByRule++;
        // the split the plan takes with the probe's kernel forced
        splits.add(`${kernel} ${forwardSplit(g, 2, 0, kernel).by}`);
      }
    }
    expect(gemmByRule).toBe(1);
    // every split each kernel's layers take: the lanes kernel's input-channel split (DCGAN 4×4-like)
    // and its stride phases among them
    for (const split of [
      'lanes inputChannels',
      'lanes stridePhases',
      'gemm inputChannels',
      'gemm batch',
      'thin groups',
    ])
      expect(splits).toContain(split);
    expect(new Set([...splits].map((s) => s.split(' ')[1]))).toEqual(
      new Set(['batch', 'channels', 'groups', 'inputChannels', 'stridePhases']),
    );
  });

  it("the backward probes reach each of the backward's kernels, by the choice rules the plan uses", () => {
    const inputGradient = new Set<string>();
    const weightGradient = new Set<string>();
    for (const p of backwardProbeLayers()) {
      const g = resolveConvTranspose(p.x.shape, p.w.shape, p.o);
      const adjoint = adjointGeometry(g);
      inputGradient.add(convPhasesFits(adjoint) ? 'phases' : convDotFits(adjoint) ? 'dot' : 'forward');
      weightGradient.add(weightGradientKernel(g.inChannelsPerGroup, g.inputSize[g.rank - 1]!));
    }
    expect([...inputGradient].sort()).toEqual(['dot', 'phases']);
    expect([...weightGradient].sort()).toEqual(['gemm', 'phases']);
  });

  it('a failing call ends the warm-up with its error', async () => {
    const failing = (): WarmUpTarget => ({
      convTranspose: async () => {
        throw new Error('worker 1 failed');
      },
      conv: async () => {},
      convTransposeBackward: async () => {},
    });
    await expect(warmUp(failing, { callingThread: true, workers: false })).rejects.toThrow(/worker 1 failed/);
  });

  it('changes no result: warmed and unwarmed backends agree bit for bit (1 and 2 threads)', async () => {
    const x = random([2, 12, 9, 7], 1);
    const w = random([12, 8, 4, 3], 2);
    const o = { stride: [2, 3], padding: 1, outputPadding: [1, 0] };
    const backends = await Promise.all([
      createWasmBackend({ warmUp: false }),
      createWasmBackend(),
      createWasmBackend({ threads: 2, threadThreshold: 0 }),
    ]);
    const [a, b, c] = await Promise.all(backends.map((be) => be.convTranspose(x, w, o)));
    expect(Array.from(b!.data)).toEqual(Array.from(a!.data));
    expect(Array.from(c!.data)).toEqual(Array.from(a!.data));
    await Promise.all(backends.map((be) => be.dispose()));
  });

  it('the embedded kernels are compiled once per realm (a later backend reuses the warmed module)', async () => {
    expect(await compileWasm()).toBe(await compileWasm());
    expect(await compileWasm(undefined, true)).toBe(await compileWasm(undefined, true));
    expect(await compileWasm(undefined, true)).not.toBe(await compileWasm());
  });

  it('warmUp must be a boolean: an OptionError naming it, before anything starts', async () => {
    for (const warm of [1, 'yes', null]) {
      const e = await createWasmBackend({ warmUp: warm as unknown as boolean }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(OptionError);
      expect((e as OptionError).parameter).toBe('warmUp');
      expect((e as Error).message).toMatch(/warmUp must be true or false/);
    }
  });
});
