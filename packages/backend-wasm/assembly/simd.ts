// The one multiply-add of every kernel. The relaxed-SIMD builds (`--enable relaxed-simd`) fuse it
// (`f32x4.relaxed_madd`: one rounding, or two where the engine has no FMA); the exact builds
// round the product and the sum, as they always did. The constant is the compiler's, so each build
// holds one branch only.

/** a · b + c, lane-wise. */
// @inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * a · b + c for one float, rounded as {@link madd} rounds it: the GEMM's scalar leftovers then give
 * what a vector lane would, so how a call is split over threads never changes a result.
 */
// @inline
export function maddScalar(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  }
  return c + a * b;
}

/**
 * The sum of a vector's four lanes, in one fixed order ((l0 + l1) + (l2 + l3)), which every
 * kernel that reduces a vector to a float uses: threads and tiles then never change a result.
 */
// @inline
export function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}
