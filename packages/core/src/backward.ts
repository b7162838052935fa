import type { DeclaredCapabilities } from './capabilities';
import type { PreparedCall } from './call';
import { allocate, prepareConv, prepareConvTranspose } from './call';
import { DTypeError, describe, ShapeError } from './errors';
import type { ConvGeometry, ConvTransposeGeometry, GeometryBase } from './geometry';
import type { ConvOptions, ConvTransposeOptions } from './options';
import type { FloatArray, Tensor } from './tensor';
import { checkTensor, dtypeOf } from './tensor';

function checkGradOutput(gradOutput: Tensor, call: PreparedCall<GeometryBase>): void {
  checkTensor(gradOutput, 'gradOutput');
  const want = call.geometry.outputShape;
  const got = gradOutput.shape;
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'gradOutput',
      `gradOutput must have the forward output's shape ${describe(want)}, but got ${describe(got)}`,
    );
  }
  if (dtypeOf(gradOutput.data) !== call.dtype) {
    throw new DTypeError(
      'DTYPE_MISMATCH',
      'gradOutput',
      `gradOutput is ${dtypeOf(gradOutput.data)} but input is ${call.dtype}: gradOutput must have the input's float type`,
    );
  }
}

/**
 * Validates a `convTransposeBackward(gradOutput, input, weight, options)` call: the forward call
 * exactly as {@link prepareConvTranspose} checks it, then `gradOutput` against the forward output's
 * shape and the input's float type (errors name `gradOutput`). Backends call this first.
 */
export function prepareConvTransposeBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options: ConvTransposeOptions = {},
  backend?: DeclaredCapabilities,
): PreparedCall<ConvTransposeGeometry> {
  const call = prepareConvTranspose(input, weight, options, backend);
  checkGradOutput(gradOutput, call);
  return call;
}

/** Validates a `convBackward(gradOutput, input, weight, options)` call; see {@link prepareConvTransposeBackward}. */
export function prepareConvBackward(
  gradOutput: Tensor,
  input: Tensor,
  weight: Tensor,
  options: ConvOptions = {},
  backend?: DeclaredCapabilities,
): PreparedCall<ConvGeometry> {
  const call = prepareConv(input, weight, options, backend);
  checkGradOutput(gradOutput, call);
  return call;
}

/**
 * ∂L/∂bias: `gradOutput` (`[N, Cout, ...outputSize]`, flat) summed over the batch and spatial axes,
 * one value per output channel, in `gradOutput`'s float type (accumulated in float64).
 * @param geometry - the forward call's geometry
 * @param gradOutput - ∂L/∂output, flat
 */
export function biasGradient(geometry: GeometryBase, gradOutput: FloatArray): FloatArray {
  const channels = geometry.outChannels;
  let spatial = 1;
  for (const d of geometry.outputSize) spatial *= d;
  const out = allocate(dtypeOf(gradOutput), channels);
  const spatial4 = spatial - (spatial % 4);
  for (let c = 0; c < channels; c++) {
    // four float64 partial sums: one chain of adds was bound by the add's latency (a tenth of a
    // depthwise layer's backward call); float32 terms summed in float64 round the same nearly always
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let n = 0; n < geometry.batch; n++) {
      const base = (n * channels + c) * spatial;
      for (let i = 0; i < spatial4; i += 4) {
        s0 += gradOutput[base + i]!;
        s1 += gradOutput[base + i + 1]!;
        s2 += gradOutput[base + i + 2]!;
        s3 += gradOutput[base + i + 3]!;
      }
      for (let i = spatial4; i < spatial; i++) s0 += gradOutput[base + i]!;
    }
    out[c] = s0 + s1 + (s2 + s3);
  }
  return out;
}
