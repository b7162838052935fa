import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeGeometry } from '@tconv/core';
import { phaseLayout, product, resolveConvTranspose, seeded } from '@tconv/core';

/** The definition: every input element scatters input × weight to i·s + k·d − padBegin (float64). */
function scatter(g: ConvTransposeGeometry, x: Float64Array, w: Float64Array): Float64Array {
  const out = new Float64Array(product(g.outputShape));
  const inPlane = product(g.inputSize);
  const outPlane = product(g.outputSize);
  const K = product(g.kernelSize);
  for (let n = 0; n < g.batch; n++)
    for (let ci = 0; ci < g.inChannels; ci++)
      for (let cog = 0; cog < g.outChannelsPerGroup; cog++) {
        const co = Math.floor(ci / g.inChannelsPerGroup) * g.outChannelsPerGroup + cog;
        for (let i = 0; i < inPlane; i++)
          for (let t = 0; t < K; t++) {
            let o = 0;
            let inside = true;
            for (let a = 0, ri = i, rt = t, di = inPlane, dt = K; a < g.rank; a++) {
              di /= g.inputSize[a]!;
              dt /= g.kernelSize[a]!;
              const ia = Math.floor(ri / di);
              const ka = Math.floor(rt / dt);
              ri -= ia * di;
              rt -= ka * dt;
              const oa = ia * g.stride[a]! + ka * g.dilation[a]! - g.padBegin[a]!;
              if (oa < 0 || oa >= g.outputSize[a]!) inside = false;
              o = o * g.outputSize[a]! + oa;
            }
            if (inside)
              out[(n * g.outChannels + co) * outPlane + o]! +=
                x[(n * g.inChannels + ci) * inPlane + i]! * w[(ci * g.outChannelsPerGroup + cog) * K + t]!;
          }
      }
  return out;
}

/** Runs the layout exactly as its documentation says a backend does (no tiles, float64). */
function runLayout(g: ConvTransposeGeometry, x: Float64Array, w: Float64Array): Float64Array {
  const L = phaseLayout(g, { lineElements: 4 });
  const out = new Float64Array(product(g.outputShape));
  const inPlane = product(g.inputSize);
  const outPlane = product(g.outputSize);
  const K = product(g.kernelSize);
  const cinG = g.inChannelsPerGroup;
  const coutG = g.outChannelsPerGroup;
  const sL = g.stride[g.rank - 1]!;
  // packed weights: slot-major over the entries, then input channel, then output channel
  const packed = new Float64Array(L.slots * cinG * coutG);
  const margined = new Float64Array(cinG * L.padPlane);
  for (let n = 0; n < g.batch; n++)
    for (let group = 0; group < g.groups; group++) {
      margined.fill(0);
      for (let ci = 0; ci < cinG; ci++)
        L.inputRowOffsets.forEach((dst, q) => {
          for (let i = 0; i < L.rowLength; i++)
            margined[ci * L.padPlane + dst + i] =
              x[(n * g.inChannels + group * cinG + ci) * inPlane + q * L.rowLength + i]!;
        });
      packed.fill(0);
      for (let t = 0; t < K; t++) {
        if (L.tapEntry[t]! < 0) continue;
        const slot = L.entries[L.tapEntry[t]!]!.slotsBefore + L.tapSlot[t]!;
        for (let ci = 0; ci < cinG; ci++)
          for (let co = 0; co < coutG; co++)
            packed[(slot * cinG + ci) * coutG + co] = w[((group * cinG + ci) * coutG + co) * K + t]!;
      }
      for (const e of L.entries) {
        expect(e.kernelOffsets.every((t) => L.tapEntry[t] === L.entries.indexOf(e))).toBe(true);
        for (let q = 0; q < e.rows; q++)
          for (let j = 0; j < e.count; j++)
            for (let co = 0; co < coutG; co++) {
              let sum = 0;
              for (let slot = 0; slot < e.taps; slot++)
                for (let ci = 0; ci < cinG; ci++) {
                  const at = ci * L.padPlane + e.rowInput[q]! + j + e.shifts[slot]!;
                  expect(at).toBeGreaterThanOrEqual(ci * L.padPlane);
                  expect(at).toBeLessThan(ci * L.padPlane + L.planeElements);
                  sum += packed[((e.slotsBefore + slot) * cinG + ci) * coutG + co]! * margined[at]!;
                }
              out[(n * g.outChannels + group * coutG + co) * outPlane + e.rowOutput[q]! + j * sL]! += sum;
            }
      }
    }
  return out;
}

const axisArb = fc.record({
  n: fc.integer({ min: 1, max: 5 }),
  k: fc.integer({ min: 1, max: 4 }),
  s: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 2 }),
  p: fc.integer({ min: 0, max: 3 }),
  op: fc.nat(),
});

describe('phaseLayout', () => {
  it('run as documented, equals the definition (ranks 1–3, groups, crops, output padding)', () => {
    fc.assert(
      fc.property(
        fc.array(axisArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 2 }),
        (axes, groups) => {
          let g: ConvTransposeGeometry;
          try {
            g = resolveConvTranspose(
              [2, 2 * groups, ...axes.map((a) => a.n)],
              [2 * groups, 2, ...axes.map((a) => a.k)],
              {
                stride: axes.map((a) => a.s),
                dilation: axes.map((a) => a.d),
                padding: axes.map((a) => a.p),
                outputPadding: axes.map((a) => a.op % Math.max(a.s, a.d)),
                groups,
              },
            );
          } catch {
            return;
          }
          const x = Float64Array.from(seeded(product(g.inputShape), 1, 'float64'));
          const w = Float64Array.from(seeded(product(g.weightShape), 2, 'float64'));
          const expected = scatter(g, x, w);
          const actual = runLayout(g, x, w);
          for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i]!, 12);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('plans only residues that have outputs: stride 1e8 on a 3-element output is 3 entries', () => {
    const g = resolveConvTranspose([1, 1, 1], [1, 1, 3], { stride: 1e8 });
    const L = phaseLayout(g);
    expect(L.axes[0]!.length).toBe(3);
    expect(L.entries.map((e) => e.residues)).toEqual([[0], [1], [2]]);
    const g2 = resolveConvTranspose([1, 1, 1, 1], [1, 1, 2, 2], { stride: [1e4, 1e4] });
    expect(phaseLayout(g2).entries).toHaveLength(4);
    // a tap whose residue has no output is packed nowhere
    const g3 = resolveConvTranspose([1, 1, 2], [1, 1, 3], { stride: 5, padding: 1 });
    const L3 = phaseLayout(g3);
    expect(g3.outputSize).toEqual([6]);
    expect(Array.from(L3.tapEntry).filter((e) => e < 0)).toHaveLength(0);
    const g4 = resolveConvTranspose([1, 1, 1], [1, 1, 4], { stride: 9, padding: 1 });
    expect(g4.outputSize).toEqual([2]);
    expect(Array.from(phaseLayout(g4).tapEntry)).toEqual([-1, 0, 1, -1]);
  });

  it("DCGAN's k4 s2 p1: four entries of four taps, margins of one", () => {
    const L = phaseLayout(resolveConvTranspose([1, 8, 4, 4], [8, 8, 4, 4], { stride: 2, padding: 1 }));
    expect(L.entries.map((e) => e.taps)).toEqual([4, 4, 4, 4]);
    expect(L.entries.map((e) => e.slotsBefore)).toEqual([0, 4, 8, 12]);
    expect(L.marginBegin).toEqual([1, 1]);
    expect(L.marginEnd).toEqual([1, 1]);
    expect(L.planeElements).toBe(36);
    expect(L.padPlane).toBe(40); // 36 → 5 lines of 8 (odd)
  });
});
