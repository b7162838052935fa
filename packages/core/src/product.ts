/**
 * The product of a list of sizes (1 for an empty list): the element count of a shape, a plane or a
 * kernel. Unchecked and allocation-free, for sizes a resolved geometry already validated; use
 * `shapeSize` for a shape from outside.
 * @example
 * ```ts
 * product(geometry.outputShape); // elements of the output
 * product(geometry.kernelSize); // taps per kernel
 * ```
 */
export function product(values: readonly number[]): number {
  let p = 1;
  for (let i = 0; i < values.length; i++) p *= values[i]!;
  return p;
}
