// Reading parameter blocks: the word indices come from layout.generated.ts (generated from
// src/param-layout.ts), so nothing here or in the kernels is a bare index.

/** Word `index` of the block at `p`. */
// @inline
export function word(p: usize, index: i32): i32 {
  return load<i32>(p + ((<usize>index) << 2));
}

/** Axis `a` of the per-axis field `field` of a block whose scalars take `scalars` words. */
// @inline
export function axisWord(p: usize, scalars: i32, field: i32, rank: i32, a: i32): i32 {
  return load<i32>(p + ((<usize>(scalars + field * rank + a)) << 2));
}

/** Word `index` of the table entry at `entry` (a pointer into a block's tables). */
// @inline
export function entryWord(entry: usize, index: i32): i32 {
  return load<i32>(entry + ((<usize>index) << 2));
}
