// Why an engine fails a case: one line citing the specification or issue the departure concerns.
// Matched on the engine and the case id; a failure no rule explains says so (and cites the case's
// own source), so a new departure is never hidden behind a generic sentence.
import type { MatrixResult } from './matrix';

interface Rule {
  readonly engine: RegExp;
  readonly case: RegExp;
  readonly why: string;
}

const RULES: readonly Rule[] = [
  {
    engine: /^onnxruntime/,
    case: /auto-pad-same-(upper|lower)-negative-total|spec-not-onnxruntime|same-(upper|lower).*(kernel|k1|negative)/,
    why: 'onnxruntime clamps a negative total padding (kernel < stride) to 0, so the output is shorter than the n·s the ONNX specification gives (ConvTranspose "auto_pad"; onnx#1609, onnxruntime PR #13311)',
  },
  {
    engine: /^onnxruntime/,
    case: /auto-pad.*output-padding/,
    why: "onnxruntime applies output_padding with auto_pad differently from the specification's total-padding formula (onnxruntime#11927)",
  },
  {
    engine: /^onnxruntime/,
    case: /^torch\/ct1d-d3-op2/,
    why: 'onnxruntime rejects output_padding ≥ stride ("output_padding may be too large for stride"), where PyTorch allows output_padding < max(stride, dilation) (torch.nn.ConvTranspose1d docs); the ONNX ConvTranspose specification states no such bound',
  },
  {
    engine: /^tfjs/,
    case: /1d|^overflow\/conv-products$|non-square/,
    why: "tfjs sizes a numeric pad with the kernel's height and stride for both axes (conv_util computeOutputShape2D takes one field size; tensorflow/tfjs#649, closed unfixed): a non-square kernel gets a wrong width — and a transposed convolution wrong values — and every tf.conv1d (its internal 2D kernel is 1×k) a wrong shape; the same calls with explicit padding are right (tfjs 4.22)",
  },
  {
    engine: /^(onnxruntime|tfjs)/,
    case: /^overflow\//,
    why: 'the engine computes in float32 throughout: products past float32\'s range become ±Inf and an exact 0 becomes Inf − Inf = NaN, where tconv\'s contract (core README, "Numerics") asks for the float64 definition rounded once; the engine promises only float32 arithmetic',
  },
  {
    engine: /^tfjs-wasm$/,
    case: /^tfjs\/.*-3d/,
    why: "tfjs-wasm's conv3dTranspose (Conv3DBackpropInputV2) returns zeros where tfjs-cpu, which produced the fixture, does not: the tfjs backends disagree on a transposed convolution, as tfjs#5390 reported for conv2dTranspose on wasm and webgl",
  },
  {
    engine: /^onnxruntime/,
    case: /output-shape/,
    why: 'onnxruntime derives pads from output_shape differently from the specification (onnx#4527, onnxruntime#26271)',
  },
];

/**
 * The one-line explanation of a failing result.
 * @param source - what the case cites, used when no known issue explains the failure
 */
export function explain(r: MatrixResult, source: string): string {
  const rule = RULES.find((x) => x.engine.test(r.engine) && x.case.test(r.case));
  return rule ? rule.why : `no known issue explains it; the expectation comes from ${source}`;
}
