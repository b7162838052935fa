/** Serializes a one-node ONNX ConvTranspose model (opset 11) with the given attributes. */
export function convTransposeModel(
  attributes: Record<string, string | number | readonly number[]>,
  xDims: readonly number[],
  wDims: readonly number[],
  bias?: boolean,
): Uint8Array;
