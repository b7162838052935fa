import { describe, expect, it } from 'vitest';
import type { Backend, ConvTransposeOptions, Gradients, Tensor } from '@tconv/core';
import { resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { gradientCases, runConformance } from '@tconv/conformance';

/** A backend that changes the call before (or the result after) the correct CPU backend runs. */
function mutant(
  name: string,
  change: {
    options?: (o: ConvTransposeOptions, x: Tensor, w: Tensor) => ConvTransposeOptions;
    weight?: (w: Tensor, o: ConvTransposeOptions) => Tensor;
    result?: (y: Tensor) => Tensor;
  },
): Backend {
  return {
    name,
    convTranspose(x, w, o = {}) {
      const options = change.options ? change.options(o, x, w) : o;
      const weight = change.weight ? change.weight(w, o) : w;
      const y = cpuBackend.convTranspose(x, weight, options);
      return change.result ? change.result(y) : y;
    },
    conv(x, w, o = {}) {
      const y = cpuBackend.conv(x, w, o);
      return change.result ? change.result(y) : y;
    },
  };
}

/** Reverses every spatial axis of a kernel: convolution instead of cross-correlation. */
function flip(w: Tensor): Tensor {
  const taps = w.shape.slice(2).reduce((a, b) => a * b, 1);
  const data = w.data.slice();
  for (let base = 0; base < data.length; base += taps) {
    for (let t = 0; t < taps; t++) data[base + t] = w.data[base + taps - 1 - t]!;
  }
  return { shape: w.shape, data };
}

const mutants: Backend[] = [
  mutant('flipped-kernel', { weight: flip }),
  mutant('output-padding-ignored', { options: ({ outputPadding: _op, ...o }) => o }),
  mutant('dilation-ignored', { options: ({ dilation: _d, ...o }) => o }),
  mutant('bias-ignored', { options: ({ bias: _b, ...o }) => o }),
  mutant('first-group-weights', {
    weight: (w, o) => {
      const groups = o.groups ?? 1;
      const perGroup = w.data.length / groups;
      const data = w.data.slice();
      for (let g = 1; g < groups; g++) data.copyWithin(g * perGroup, 0, perGroup);
      return { shape: w.shape, data };
    },
  }),
  mutant('one-stride-for-all-axes', {
    options: (o) => {
      const stride = o.stride;
      return Array.isArray(stride) ? { ...o, stride: stride.map(() => stride[0] as number) } : o;
    },
  }),
  mutant('same-crop-rounded-up', {
    options: (o) =>
      o.padding === 'same' || o.padding === 'same-upper' ? { ...o, padding: 'same-lower' } : o,
  }),
  mutant('relative-noise-1e-3', {
    result: (y) => ({ shape: y.shape, data: y.data.map((v, i) => v * (1 + 1e-3 * (i % 2 ? 1 : -1))) }),
  }),
  mutant('float64-output', { result: (y) => ({ shape: y.shape, data: Float64Array.from(y.data) }) }),
  mutant('all-zeros', {
    result: (y) => ({
      shape: y.shape,
      data: new (y.data.constructor as Float32ArrayConstructor)(y.data.length),
    }),
  }),
  {
    name: 'invalid-options-accepted',
    convTranspose(x, w, o) {
      try {
        return cpuBackend.convTranspose(x, w, o);
      } catch {
        // silently computes something instead of rejecting
        return tensor(new Float32Array(1), [1, 1, 1, 1]);
      }
    },
    conv(x, w, o) {
      try {
        return cpuBackend.conv(x, w, o);
      } catch {
        return tensor(new Float32Array(1), [1, 1, 1, 1]);
      }
    },
  },
];

describe('the kit has teeth: every mutant of a correct backend fails at least one case', () => {
  it.each(mutants.map((m) => [m.name, m] as const))('%s', async (_name, backend) => {
    const report = await runConformance(backend);
    expect(report.failed).toBeGreaterThan(0);
    expect(report.passed + report.failed + report.skipped).toBe(report.results.length);
  });

  it('the mutants change results only where their mistake matters (sanity: the geometry of a same crop differs)', () => {
    const up = resolveConvTranspose([1, 1, 4], [1, 1, 3], { stride: 2, padding: 'same' });
    const low = resolveConvTranspose([1, 1, 4], [1, 1, 3], { stride: 2, padding: 'same-lower' });
    expect(up.padBegin).not.toEqual(low.padBegin);
  });
});

/** The correct CPU backend whose gradients (only) are changed: its forward stays right. */
function gradientMutant(
  name: string,
  change: {
    gradients?: (d: Gradients) => Gradients;
    options?: (o: ConvTransposeOptions) => ConvTransposeOptions;
  },
): Backend {
  const grads = change.gradients ?? ((d: Gradients) => d);
  const options = change.options ?? ((o: ConvTransposeOptions) => o);
  return {
    name,
    convTranspose: cpuBackend.convTranspose,
    conv: cpuBackend.conv,
    convTransposeBackward: (gy, x, w, o = {}) =>
      grads(cpuBackend.convTransposeBackward(gy, x, w, options(o))),
    convBackward: (gy, x, w, o = {}) => grads(cpuBackend.convBackward(gy, x, w, options(o))),
  };
}

const scaled = (t: Tensor, by: number): Tensor => ({ shape: t.shape, data: t.data.map((v) => v * by) });

const gradientMutants: Backend[] = [
  gradientMutant('weight-gradient-scaled-1.001', {
    gradients: (d) => ({ ...d, weight: scaled(d.weight, 1.001) }),
  }),
  gradientMutant('bias-gradient-zero', { gradients: (d) => ({ ...d, bias: scaled(d.bias, 0) }) }),
  gradientMutant('bias-gradient-negated', { gradients: (d) => ({ ...d, bias: scaled(d.bias, -1) }) }),
  gradientMutant('input-gradient-scaled-1.001', {
    gradients: (d) => ({ ...d, input: scaled(d.input, 1.001) }),
  }),
  gradientMutant('dilation-ignored-in-backward', { options: ({ dilation: _d, ...o }) => o }),
  gradientMutant('float64-gradients', {
    gradients: (d) => ({ ...d, weight: { shape: d.weight.shape, data: Float64Array.from(d.weight.data) } }),
  }),
];

describe('the gradient cases have teeth: a backend whose forward is right but whose gradients are not fails them', () => {
  const ids = new Set(gradientCases.map((c) => c.id));
  it.each(gradientMutants.map((m) => [m.name, m] as const))('%s', async (_name, backend) => {
    const report = await runConformance(backend);
    const failed = report.results.filter((r) => !r.ok && !r.skipped);
    expect(failed.length).toBeGreaterThan(0);
    // only gradient cases fail: the forward is the correct CPU backend's
    expect(failed.filter((r) => !ids.has(r.id))).toEqual([]);
  });

  it('a backend without the gradient methods skips every gradient case (counted apart, never passed)', async () => {
    const forwardOnly: Backend = {
      name: 'forward-only',
      convTranspose: cpuBackend.convTranspose,
      conv: cpuBackend.conv,
    };
    const report = await runConformance(forwardOnly);
    expect(report.failed).toBe(0);
    expect(report.skipped).toBe(gradientCases.length);
    const skipped = report.results.filter((r) => r.skipped);
    expect(
      skipped.every((r) => !r.ok && ids.has(r.id) && /has no conv(Transpose)?Backward/.test(r.message ?? '')),
    ).toBe(true);
  });
});

describe('runConformance reports, it never throws', () => {
  it('a backend that throws on everything is reported case by case', async () => {
    const broken: Backend = {
      name: 'broken',
      convTranspose() {
        throw new TypeError('not implemented');
      },
      conv() {
        return Promise.reject(new Error('no'));
      },
      convTransposeBackward() {
        throw new TypeError('not implemented');
      },
      convBackward() {
        return Promise.reject(new Error('no'));
      },
    };
    const report = await runConformance(broken);
    // not even the error cases pass: its errors do not name the parameter at fault
    expect(report.passed).toBe(0);
    expect(report.failed).toBe(report.results.length);
    expect(report.results.find((r) => r.id === 'd2l/basic')?.message).toMatch(/TypeError: not implemented/);
  });

  it('cases outside declared capabilities are skipped and counted apart, never passed', async () => {
    const only2d: Backend = {
      ...cpuBackend,
      name: 'cpu-2d-float32',
      capabilities: { ranks: [2], dtypes: ['float32'] },
    };
    const report = await runConformance(only2d);
    expect(report.failed).toBe(0);
    expect(report.skipped).toBeGreaterThan(0);
    const skipped = report.results.filter((r) => r.skipped);
    expect(skipped.every((r) => !r.ok)).toBe(true);
    expect(skipped.map((r) => r.id)).toContain('dtypes/convTranspose-float64');
    expect(skipped.map((r) => r.id)).toContain('torch/ct3d-s2-p1-op1-f32');
    expect(report.passed + report.skipped).toBe(report.results.length);
  });

  it('filters and reports progress', async () => {
    const seen: string[] = [];
    const report = await runConformance(cpuBackend, {
      filter: (c) => c.id.startsWith('d2l/'),
      onProgress: (r) => seen.push(r.id),
    });
    expect(report.results.length).toBeGreaterThan(3);
    expect(seen).toEqual(report.results.map((r) => r.id));
  });
});
