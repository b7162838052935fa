import { describe, expect, it } from 'vitest';
import {
  applyFixed,
  bundledImage,
  constantImage,
  fixedUpsamplings,
  maxPool,
  maxUnpool,
  onesUpsampling,
} from '../src/upsampling';

const at = (t: { shape: readonly number[]; data: ArrayLike<number> }, c: number, i: number, j: number) =>
  t.data[(c * t.shape[2]! + i) * t.shape[3]! + j]!;

describe('the upsampling family as transposed convolutions', () => {
  for (const f of [2, 3, 4]) {
    const { pooled, offsets } = maxPool(bundledImage(24), f);
    const n = 24 / f;
    const [nearest, nails, bilinear] = fixedUpsamplings(f).map((u) => applyFixed(pooled, u));

    it(`factor ${f}: nearest neighbour copies, bed of nails keeps one in f², both n·f`, () => {
      expect(nearest!.shape).toEqual([1, 3, 24, 24]);
      expect(nails!.shape).toEqual([1, 3, 24, 24]);
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < 24; i++) {
          for (let j = 0; j < 24; j++) {
            const src = at(pooled, c, Math.floor(i / f), Math.floor(j / f));
            expect(at(nearest!, c, i, j)).toBe(src);
            expect(at(nails!, c, i, j)).toBe(i % f === 0 && j % f === 0 ? src : 0);
          }
        }
      }
    });

    it(`factor ${f}: bilinear keeps a constant picture constant away from the border`, () => {
      const u = fixedUpsamplings(f)[2]!;
      const flat = applyFixed(constantImage(1, n, n), u);
      expect(flat.shape).toEqual([1, 1, 24, 24]);
      for (let i = f; i < 24 - f; i++)
        for (let j = f; j < 24 - f; j++) expect(at(flat, 0, i, j)).toBeCloseTo(1, 6);
      expect(bilinear!.shape).toEqual([1, 3, 24, 24]);
    });

    it(`factor ${f}: max-unpooling puts each maximum back where it was, zeros elsewhere`, () => {
      const back = maxUnpool(pooled, offsets, f);
      expect(back.shape).toEqual([1, 3, 24, 24]);
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            const m = offsets[(c * n + i) * n + j]!;
            for (let a = 0; a < f; a++) {
              for (let b = 0; b < f; b++) {
                const v = at(back, c, i * f + a, j * f + b);
                expect(v).toBe(a * f + b === m ? at(pooled, c, i, j) : 0);
              }
            }
          }
        }
      }
    });
  }

  it('a kernel of ones not a multiple of the stride leaves unequal overlaps (the checkerboard); a multiple does not', () => {
    const odd = onesUpsampling(constantImage(1, 6, 6), 3, 2);
    const interior = new Set<number>();
    for (let i = 2; i < 10; i++) for (let j = 2; j < 10; j++) interior.add(at(odd, 0, i, j));
    expect([...interior].sort()).toEqual([1, 2, 4]);
    const even = onesUpsampling(constantImage(1, 6, 6), 4, 2);
    const flat = new Set<number>();
    for (let i = 2; i < 10; i++) for (let j = 2; j < 10; j++) flat.add(at(even, 0, i, j));
    expect([...flat]).toEqual([4]);
  });
});
