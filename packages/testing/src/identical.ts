/**
 * The first index at which `a` and `b` differ (by `Object.is`, so -0 ≠ 0 and NaN = NaN), the
 * shorter length when one is a prefix of the other, or -1 when they are identical. For asserting
 * bit-identical results of large arrays: `expect(firstDifference(a, b)).toBe(-1)` reports one
 * index, where a failing `toEqual` on 2^18 elements spends minutes printing its diff.
 * @example
 * ```ts
 * firstDifference(new Float32Array([1, 2, 3]), [1, 2, 4]); // 2
 * ```
 */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : n;
}
