import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convOutputShape,
  convTransposeOutputSize,
  resolveConv,
  resolveConvTranspose,
  phaseCombinations,
  slotOffsets,
  stridePhases,
} from '@tconv/core';

const paddingArb = fc.oneof(
  fc.integer({ min: 0, max: 3 }).map((p) => p as number | string | { begin: number[]; end: number[] }),
  fc.constantFrom('valid', 'same', 'same-upper', 'same-lower'),
  fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
    .map(([b, e]) => ({ begin: [b], end: [e] })),
);

const axisArb = fc.record({
  n: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 6 }),
  s: fc.integer({ min: 1, max: 5 }),
  d: fc.integer({ min: 1, max: 3 }),
  padding: paddingArb,
  opSeed: fc.nat(),
});

describe('the resolved geometry agrees with the definition', () => {
  it('the scatter of every (input, tap) pair lands exactly on the positions the geometry keeps', () => {
    fc.assert(
      fc.property(axisArb, ({ n, k, s, d, padding, opSeed }) => {
        const kd = d * (k - 1) + 1;
        const op = opSeed % Math.max(s, d);
        let g: ReturnType<typeof resolveConvTranspose>;
        try {
          g = resolveConvTranspose([1, 1, n], [1, 1, k], {
            stride: s,
            dilation: d,
            padding: padding as never,
            outputPadding: op,
          });
        } catch {
          return; // rejected geometries are covered by the error tests
        }
        const L = g.outputSize[0]!;
        const pb = g.padBegin[0]!;
        // the invariant every backend relies on
        expect(L).toBe((n - 1) * s + kd - pb - g.padEnd[0]! + g.outputPadding[0]!);
        // d2l's scatter: input i and tap j add into full position i*s + j*d; the output keeps
        // full positions [pb, pb + L)
        const hits = new Array<number>(L).fill(0);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < k; j++) {
            const o = i * s + j * d - pb;
            if (o >= 0 && o < L) hits[o]!++;
          }
        // the gather view: output o is touched by the taps j with (o + pb - j*d) divisible by s
        // and the quotient a valid input index
        for (let o = 0; o < L; o++) {
          let count = 0;
          for (let j = 0; j < k; j++) {
            const t = o + pb - j * d;
            if (t >= 0 && t % s === 0 && t / s < n) count++;
          }
          expect(count).toBe(hits[o]);
        }
        if (typeof padding === 'number' && padding === 0) expect(pb).toBe(0);
        // an explicit outputPadding (0 included) selects Keras' output_padding formulas
        if (padding === 'same-upper' || padding === 'same-lower') expect(L).toBe(n * s);
        if (padding === 'same') expect(L).toBe((n - 1) * s + kd - 2 * Math.floor(kd / 2) + op);
        if (padding === 'valid') expect(L).toBe((n - 1) * s + kd + op);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the transposed convolution undoes the shape of a convolution', () => {
  it('for every convolution geometry some outputPadding restores the input size (d2l 13.10.2)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            n: fc.integer({ min: 1, max: 20 }),
            k: fc.integer({ min: 1, max: 5 }),
            s: fc.integer({ min: 1, max: 4 }),
            d: fc.integer({ min: 1, max: 3 }),
            p: fc.integer({ min: 0, max: 3 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        (axes) => {
          const ok = axes.every(
            ({ n, k, d, p }) => n + 2 * p >= d * (k - 1) + 1 && n - 1 + d * (k - 1) + 1 > 2 * p,
          );
          fc.pre(ok);
          const x = [2, 3, ...axes.map((a) => a.n)];
          const w = [4, 3, ...axes.map((a) => a.k)];
          const options = {
            stride: axes.map((a) => a.s),
            dilation: axes.map((a) => a.d),
            padding: axes.map((a) => a.p),
          };
          let y: number[];
          try {
            y = convOutputShape(x, w, options);
          } catch {
            return;
          }
          const conv = resolveConv(x, w, options);
          const outputPadding = axes.map((a) => (a.n + 2 * a.p - (a.d * (a.k - 1) + 1)) % a.s);
          outputPadding.forEach((op, i) => expect(op).toBeLessThan(Math.max(axes[i]!.s, axes[i]!.d)));
          let back: ReturnType<typeof resolveConvTranspose>;
          try {
            back = resolveConvTranspose(y, w, { ...options, outputPadding });
          } catch (e) {
            // only legitimate when the transposed padding crops everything: the conv padding is larger than the data
            expect(String(e)).toMatch(/crops the whole output/);
            return;
          }
          expect(back.outputShape).toEqual([2, 3, ...axes.map((a) => a.n)]);
          expect(back.padBegin).toEqual(conv.padBegin);
          axes.forEach((a, i) =>
            expect(
              convTransposeOutputSize(y[2 + i]!, a.k, {
                stride: a.s,
                padding: a.p,
                dilation: a.d,
                outputPadding: outputPadding[i],
              }),
            ).toBe(a.n),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the stride phases are the scatter, regrouped', () => {
  it('every (output, tap, input) triple of the definition appears exactly once, and the margins hold every read', () => {
    fc.assert(
      fc.property(axisArb, ({ n, k, s, d, padding, opSeed }) => {
        let g: ReturnType<typeof resolveConvTranspose>;
        try {
          g = resolveConvTranspose([1, 1, n], [1, 1, k], {
            stride: s,
            dilation: d,
            padding: padding as never,
            outputPadding: opSeed % Math.max(s, d),
          });
        } catch {
          return;
        }
        const L = g.outputSize[0]!;
        const pb = g.padBegin[0]!;
        const plan = stridePhases(g);
        const phases = plan.axes[0]!;
        expect(phases.map((p) => p.phase)).toEqual(Array.from({ length: s }, (_, i) => i));
        expect(phases.reduce((a, p) => a + p.count, 0)).toBe(L);
        // each tap belongs to exactly one residue
        expect(phases.flatMap((p) => p.taps).sort((a, b) => a - b)).toEqual(
          Array.from({ length: k }, (_, i) => i),
        );
        const fromDefinition: string[] = [];
        for (let i = 0; i < n; i++)
          for (let j = 0; j < k; j++) {
            const o = i * s + j * d - pb;
            if (o >= 0 && o < L) fromDefinition.push(`${o}:${j}:${i}`);
          }
        const fromPhases: string[] = [];
        for (const p of phases) {
          for (let jj = 0; jj < p.count; jj++) {
            p.taps.forEach((tap, t) => {
              const i = jj + p.shifts[t]!;
              expect(i).toBeGreaterThanOrEqual(-plan.marginBegin[0]!);
              expect(i).toBeLessThan(n + plan.marginEnd[0]!);
              if (i >= 0 && i < n) fromPhases.push(`${p.phase + s * jj}:${tap}:${i}`);
            });
          }
        }
        expect(fromPhases.sort()).toEqual(fromDefinition.sort());
        expect(plan.marginBegin[0]).toBeGreaterThanOrEqual(0);
        expect(plan.marginEnd[0]).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it("DCGAN's k4 s2 p1: even outputs take taps 1 and 3, odd outputs taps 0 and 2", () => {
    const plan = stridePhases(resolveConvTranspose([1, 1, 4], [1, 1, 4], { stride: 2, padding: 1 }));
    expect(plan.axes[0]).toEqual([
      { phase: 0, count: 4, taps: [1, 3], shifts: [0, -1] },
      { phase: 1, count: 4, taps: [0, 2], shifts: [1, 0] },
    ]);
    expect(plan.marginBegin).toEqual([1]);
    expect(plan.marginEnd).toEqual([1]);
  });
});

describe('the phase combinations of N-D problems', () => {
  it('partition the output and the kernel: every tap has one combination and slot, found again by slotOffsets', () => {
    fc.assert(
      fc.property(fc.array(axisArb, { minLength: 1, maxLength: 3 }), (axes) => {
        let g: ReturnType<typeof resolveConvTranspose>;
        try {
          g = resolveConvTranspose([1, 1, ...axes.map((a) => a.n)], [1, 1, ...axes.map((a) => a.k)], {
            stride: axes.map((a) => a.s),
            dilation: axes.map((a) => a.d),
            padding: axes.map((a) => (typeof a.padding === 'number' ? a.padding : 0)),
            outputPadding: axes.map((a) => a.opSeed % Math.max(a.s, a.d)),
          });
        } catch {
          return;
        }
        const plan = stridePhases(g);
        const { combinations, tapCombination, tapSlot } = phaseCombinations(g, plan);
        const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
        expect(combinations.reduce((n, c) => n + c.count * c.rows, 0)).toBe(outPlane);
        const kStride = g.kernelSize.map((_, a) => g.kernelSize.slice(a + 1).reduce((p, k) => p * k, 1));
        const seen = new Set<string>();
        tapCombination.forEach((c, t) => {
          const combo = combinations[c]!;
          expect(tapSlot[t]).toBeLessThan(combo.taps);
          expect(slotOffsets(plan, combo.residues, 'taps', kStride)[tapSlot[t]!]).toBe(t);
          seen.add(`${c}:${tapSlot[t]}`);
        });
        expect(seen.size).toBe(tapCombination.length);
        expect(combinations.reduce((n, c) => n + c.taps, 0)).toBe(tapCombination.length);
      }),
      { numRuns: 300 },
    );
  });
});
