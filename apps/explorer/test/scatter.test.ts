import { referenceConvTranspose } from '@tconv/backend-cpu';
import { tensor } from '@tconv/core';
import { describe, expect, it } from 'vitest';
import { buildProblem } from '../src/layer';
import { findPreset } from '../src/presets';
import { scatterAt } from '../src/scatter';

describe('the scatter, step by step', () => {
  for (const id of ['d2l-stride', 'dilation-2', 'groups-2', 'notes-k3s2-op1', 'aim-rgb-k3s4']) {
    it(`${id}: each step is the definition's scatter of the elements so far, and of the last one alone`, () => {
      const built = buildProblem(findPreset(id)!.state);
      if (!built.ok) throw new Error(built.error);
      const p = built.problem;
      const g = p.geometry;
      const full = { stride: [...g.stride], dilation: [...g.dilation], groups: g.groups, padding: 0 };
      const x = Array.from(p.input.data);
      for (const shown of [0, 1, Math.floor(x.length / 2), x.length]) {
        const sc = scatterAt(p, shown);
        expect(sc.total).toBe(x.length);
        const so = referenceConvTranspose(
          tensor(
            x.map((v, i) => (i < shown ? v : 0)),
            p.input.shape,
          ),
          p.weight,
          full,
        );
        expect(Array.from(sc.landed.data)).toEqual(Array.from(so.data));
        expect(sc.fullSize).toEqual(so.shape.slice(2));
        if (shown === 0) {
          expect(sc.current).toBeNull();
          continue;
        }
        const alone = referenceConvTranspose(
          tensor(
            x.map((v, i) => (i === shown - 1 ? v : 0)),
            p.input.shape,
          ),
          p.weight,
          full,
        );
        expect(Array.from(sc.current!.alone.data)).toEqual(Array.from(alone.data));
        // The footprint: one cell per tap and output channel of the element's group.
        const taps = g.kernelSize[0]! * g.kernelSize[1]! * g.outChannelsPerGroup;
        expect(sc.current!.footprint.data.filter((v) => v !== 0).length).toBe(taps);
      }
    });
  }
});
