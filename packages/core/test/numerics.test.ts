import { describe, expect, it } from 'vitest';
import { recomputeNonFinite, resolveConvTranspose, seeded } from '../src/index';

// recomputeNonFinite finds non-finite elements from their bits, four at a time: every position
// (head, unrolled body, tail), every kind (±Inf, NaN with any payload), views at an offset.
describe('recomputeNonFinite', () => {
  const specials = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];

  it('recomputes exactly the non-finite elements, wherever they are, and leaves the rest', () => {
    for (let n = 1; n <= 23; n++) {
      // y[i] = x[i] · w: a 1×1 kernel, so the definition of element i is known
      const g = resolveConvTranspose([1, 1, n], [1, 1, 1]);
      const x = seeded(n, 17 + n) as Float32Array;
      const w = Float32Array.of(3);
      for (const offset of [0, 1, 3]) {
        for (let p = 0; p < n; p++) {
          const backing = new Float32Array(n + offset).fill(-1e30);
          const out = backing.subarray(offset);
          out.fill(7);
          out[p] = specials[(n + p) % 3]!;
          const before = backing.slice();
          expect(recomputeNonFinite(g, x, w, null, out)).toBe(1);
          for (let i = 0; i < n; i++) expect(out[i]).toBe(i === p ? Math.fround(x[p]! * 3) : 7);
          for (let i = 0; i < offset; i++) expect(backing[i]).toBe(before[i]);
        }
      }
    }
  });

  it('finds every non-finite element when there are several, and none when all are finite', () => {
    const g = resolveConvTranspose([1, 1, 9], [1, 1, 1]);
    const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
    const w = Float32Array.of(2);
    const out = Float32Array.of(
      1,
      Number.NaN,
      1,
      1,
      Number.POSITIVE_INFINITY,
      1,
      1,
      1,
      Number.NEGATIVE_INFINITY,
    );
    expect(recomputeNonFinite(g, x, w, null, out)).toBe(3);
    expect(Array.from(out)).toEqual([1, 4, 1, 1, 10, 1, 1, 1, 18]);
    // the largest finite float32 and negative zero are finite: nothing is touched
    const finite = Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38, -0, 1e-45, 0, 1, 2, 3, 4);
    expect(recomputeNonFinite(g, x, w, null, finite)).toBe(0);
    // a NaN with a non-default payload (bits 0x7fc12345) and a negative NaN are found too
    const bits = new Int32Array(9);
    bits[2] = 0x7fc12345;
    bits[7] = 0xffc00000 | 0;
    const nan = new Float32Array(bits.buffer);
    expect(recomputeNonFinite(g, x, w, null, nan)).toBe(2);
    expect(nan[2]).toBe(6);
    expect(nan[7]).toBe(16);
  });
});
