// Cases aimed at the places where engines are known to depart from the specifications or from each
// other (issue #19's list). Expected values always come from the kit's definition (kitConvTranspose
// through checkAgainstDefinition); where a case is about a length, the length is also computed here
// from the specification's formula, never typed.
import type { Backend, ConvTransposeOptions, OnnxConvTransposeAttributes } from '@tconv/core';
import { fromOnnx } from '@tconv/core';
import { MismatchError } from '../compare';
import { defineCase } from '../define';
import { checkAgainstDefinition } from '../near';
import type { KitCase } from '../types';

const ONNX_SPEC = 'ONNX ConvTranspose specification (opset 11+), "auto_pad" and "output_shape"';

interface DivergenceSpec {
  id: string;
  title: string;
  source: string;
  tags: string[];
  input: number[];
  weight: number[];
  options: ConvTransposeOptions | { onnx: OnnxConvTransposeAttributes };
  /** The spatial output size the specification gives, computed from its formula. */
  specSize?: number[];
  op?: 'convTranspose' | 'conv';
}

function divergence(s: DivergenceSpec): KitCase {
  const options = 'onnx' in s.options ? fromOnnx(s.options.onnx, s.input, s.weight) : s.options;
  const op = s.op ?? 'convTranspose';
  const cout = op === 'conv' ? s.weight[0]! : s.weight[1]! * (options.groups ?? 1);
  return defineCase({
    id: `divergences/${s.id}`,
    title: s.title,
    source: s.source,
    group: 'divergences',
    ranks: [s.input.length - 2],
    tags: ['divergence', ...s.tags],
    async check(backend: Backend) {
      const expectedShape = s.specSize ? [s.input[0]!, cout, ...s.specSize] : undefined;
      try {
        return await checkAgainstDefinition(
          backend,
          op,
          s.input,
          s.weight,
          options,
          s.id.length * 13 + 5,
          'float32',
          expectedShape,
        );
      } catch (e) {
        if (e instanceof MismatchError && s.specSize)
          throw new MismatchError(
            `${e.message} (the specification's output size is [${s.specSize.join(', ')}])`,
            e.maxError,
          );
        throw e;
      }
    },
  });
}

/** ONNX's auto_pad output length: L = n·s per axis (no output_shape). */
const autoPadSize = (input: number[], stride: number[]) => input.slice(2).map((n, a) => n * stride[a]!);

/** PyTorch's length (n − 1)·s − 2p + d·(k − 1) + 1 + outputPadding, per axis. */
const torchSize = (
  input: number[],
  weight: number[],
  s: number[],
  p: number[],
  op: number[],
  d: number[] = s.map(() => 1),
) => input.slice(2).map((n, a) => (n - 1) * s[a]! - 2 * p[a]! + d[a]! * (weight[2 + a]! - 1) + 1 + op[a]!);

/** A convolution's length ⌊(n + 2p − k)/s⌋ + 1, per axis. */
const convSize = (input: number[], weight: number[], s: number[], p: number[]) =>
  input.slice(2).map((n, a) => Math.floor((n + 2 * p[a]! - weight[2 + a]!) / s[a]!) + 1);

/** The divergence cases: each names the specification section or issue it comes from. */
export const divergenceCases: readonly KitCase[] = [
  // auto_pad with a negative total padding: kernel < stride, so s·(n−1) + k − n·s < 0
  divergence({
    id: 'auto-pad-same-upper-negative-total-1d',
    title:
      'SAME_UPPER, kernel 1 < stride 2, 2 elements: total padding −1 extends the output to n·s = 4 (onnxruntime 1.30 gives 3)',
    source: `${ONNX_SPEC}; onnx#1609 (the auto_pad text was self-contradictory), onnxruntime PR #13311`,
    tags: ['onnx', 'auto-pad', 'same-upper'],
    input: [1, 1, 2],
    weight: [1, 1, 1],
    options: { stride: 2, padding: 'same-upper' },
    specSize: autoPadSize([1, 1, 2], [2]),
  }),
  divergence({
    id: 'auto-pad-same-lower-negative-total-2d',
    title:
      'SAME_LOWER, kernel 2 < stride 3 on 3×3: total padding −1 per axis, the output is n·s = 9×9 with the extra zero at the end',
    source: `${ONNX_SPEC}; onnx#1609, onnxruntime PR #13311 (onnxruntime clamps a negative total to 0)`,
    tags: ['onnx', 'auto-pad', 'same-lower'],
    input: [1, 2, 3, 3],
    weight: [2, 3, 2, 2],
    options: { stride: 3, padding: 'same-lower' },
    specSize: autoPadSize([1, 2, 3, 3], [3, 3]),
  }),
  // auto_pad with output_padding: the length stays n·s, output_padding moves the crop
  divergence({
    id: 'auto-pad-same-upper-output-padding',
    title:
      'SAME_UPPER with output_padding 1, kernel 3, stride 2 on 4×4: L = n·s = 8, total = 2·3 + 1 + 3 − 8 = 2',
    source: `${ONNX_SPEC}, "total_padding = stride * (input − 1) + output_padding + ((kernel − 1) * dilation + 1) − output_shape"; onnxruntime#11927`,
    tags: ['onnx', 'auto-pad', 'same-upper', 'output-padding'],
    input: [1, 3, 4, 4],
    weight: [3, 2, 3, 3],
    options: { stride: 2, padding: 'same-upper', outputPadding: 1 },
    specSize: autoPadSize([1, 3, 4, 4], [2, 2]),
  }),
  divergence({
    id: 'auto-pad-same-lower-output-padding-1d',
    title:
      'SAME_LOWER with output_padding 2, kernel 4, stride 3 on 5 elements: L = 15, total = 12 + 2 + 4 − 15 = 3 (2 cropped at the start)',
    source: `${ONNX_SPEC}; onnxruntime#11927`,
    tags: ['onnx', 'auto-pad', 'same-lower', 'output-padding'],
    input: [1, 2, 5],
    weight: [2, 2, 4],
    options: { stride: 3, padding: 'same-lower', outputPadding: 2 },
    specSize: autoPadSize([1, 2, 5], [3]),
  }),
  // output_shape with NOTSET and with VALID: pads generated by the lower rule
  divergence({
    id: 'output-shape-notset',
    title:
      'output_shape 8 with auto_pad NOTSET (k3 s2 on 4): total padding 1 goes to the start (the reference implementation), pads ignored',
    source: `${ONNX_SPEC}, pads from output_shape; onnx#4527, onnxruntime#26271`,
    tags: ['onnx', 'output-shape', 'notset'],
    input: [1, 2, 4, 4],
    weight: [2, 3, 3, 3],
    options: { onnx: { strides: [2, 2], output_shape: [8, 8], pads: [0, 0, 0, 0] } },
    specSize: [8, 8],
  }),
  divergence({
    id: 'output-shape-valid',
    title:
      'output_shape 7 with auto_pad VALID (k4 s2 on 3): the specification still generates pads from output_shape (total 1, at the start)',
    source: `${ONNX_SPEC}; onnx#4527, onnxruntime#26271`,
    tags: ['onnx', 'output-shape', 'valid'],
    input: [1, 2, 3],
    weight: [2, 2, 4],
    options: { onnx: { auto_pad: 'VALID', strides: [2], output_shape: [7] } },
    specSize: [7],
  }),
  divergence({
    id: 'output-shape-notset-extends',
    title:
      'output_shape 10 with NOTSET (k3 s2 on 4, full length 9): a negative total padding extends the output by one zero',
    source: `${ONNX_SPEC}; onnx#4527`,
    tags: ['onnx', 'output-shape', 'notset'],
    input: [1, 1, 4],
    weight: [1, 2, 3],
    options: { onnx: { strides: [2], output_shape: [10] } },
    specSize: [10],
  }),
  // 1D output_padding
  divergence({
    id: 'output-padding-1d',
    title: '1D output_padding 2 with stride 3, kernel 2 on 5 elements: (5−1)·3 + 2 + 2 = 16',
    source: 'PyTorch ConvTranspose1d output_padding; onnxruntime#23403 (WebGPU dropped a 1D output_padding)',
    tags: ['pytorch', 'onnx', 'output-padding', '1d'],
    input: [1, 3, 5],
    weight: [3, 2, 2],
    options: { stride: 3, outputPadding: 2 },
    specSize: torchSize([1, 3, 5], [3, 2, 2], [3], [0], [2]),
  }),
  // 5 and 7 channels (not a multiple of 4: vectorised kernels' remainders)
  divergence({
    id: 'channels-5',
    title: '5 input and 5 output channels, k3 s2 p1 op1 on 6×6',
    source: 'onnxruntime PR #27749 (WebGPU ConvTranspose wrong for 5 or 7 channels)',
    tags: ['onnx', 'channels'],
    input: [1, 5, 6, 6],
    weight: [5, 5, 3, 3],
    options: { stride: 2, padding: 1, outputPadding: 1 },
    specSize: torchSize([1, 5, 6, 6], [5, 5, 3, 3], [2, 2], [1, 1], [1, 1]),
  }),
  divergence({
    id: 'channels-7',
    title: '7 input and 7 output channels, k4 s2 p1 on 5×5, with batch 2',
    source: 'onnxruntime PR #27749 (WebGPU ConvTranspose wrong for 5 or 7 channels)',
    tags: ['onnx', 'channels'],
    input: [2, 7, 5, 5],
    weight: [7, 7, 4, 4],
    options: { stride: 2, padding: 1 },
    specSize: torchSize([2, 7, 5, 5], [7, 7, 4, 4], [2, 2], [1, 1], [0, 0]),
  }),
  // depthwise
  divergence({
    id: 'depthwise',
    title: 'depthwise: groups = channels = 6, weight [6, 1, 4, 4], stride 2, padding 1',
    source:
      'PyTorch ConvTranspose2d groups=in_channels; ONNX group attribute (tfjs has no grouped transposed convolution)',
    tags: ['pytorch', 'onnx', 'groups', 'depthwise'],
    input: [1, 6, 5, 5],
    weight: [6, 1, 4, 4],
    options: { stride: 2, padding: 1, groups: 6 },
    specSize: torchSize([1, 6, 5, 5], [6, 1, 4, 4], [2, 2], [1, 1], [0, 0]),
  }),
  // Keras 'same' with kernel < stride: L = n·s, zero-extended
  divergence({
    id: 'keras-same-kernel-lt-stride',
    title: "Keras 'same', kernel 1 < stride 3 on 3×3: L = n·s = 9, no crop, zeros where no tap lands",
    source:
      'Keras Conv2DTranspose / tf.nn.conv2d_transpose SAME (contract.md, "same"); tfjs#5390 (tfjs-wasm and tfjs-webgl disagreed on conv2dTranspose)',
    tags: ['keras', 'tfjs', 'same'],
    input: [1, 2, 3, 3],
    weight: [2, 2, 1, 1],
    options: { stride: 3, padding: 'same' },
    specSize: [9, 9],
  }),
  divergence({
    id: 'keras-same-kernel-lt-stride-k2',
    title: "Keras 'same', kernel 2 < stride 3 on 4×3: L = n·s = 12×9",
    source: 'Keras Conv2DTranspose SAME (contract.md, "same"); tfjs#5390',
    tags: ['keras', 'tfjs', 'same'],
    input: [1, 3, 4, 3],
    weight: [3, 2, 2, 2],
    options: { stride: 3, padding: 'same' },
    specSize: autoPadSize([1, 3, 4, 3], [3, 3]),
  }),
  // large outputs: past 2048 on an axis (GPU dispatch and texture limits), one channel to stay cheap
  divergence({
    id: 'large-output-1d',
    title: '1D output of 4099 elements (k3 s2 on 2049), one channel',
    source: 'issue #19 (large outputs, > 2048 per axis: GPU dispatch and texture-size limits of the peers)',
    tags: ['large'],
    input: [1, 1, 2049],
    weight: [1, 1, 3],
    options: { stride: 2 },
    specSize: torchSize([1, 1, 2049], [1, 1, 3], [2], [0], [0]),
  }),
  divergence({
    id: 'large-output-2d',
    title: '2D output of 5×2049 (k1 s2 on 3×1025): the long axis past 2048, one channel',
    source: 'issue #19 (large outputs, > 2048 per axis)',
    tags: ['large'],
    input: [1, 1, 3, 1025],
    weight: [1, 1, 1, 1],
    options: { stride: 2 },
    specSize: torchSize([1, 1, 3, 1025], [1, 1, 1, 1], [2, 2], [0, 0], [0, 0]),
  }),
  // a numeric padding with a non-square kernel: each axis its own kernel size
  divergence({
    id: 'numeric-pad-non-square-kernel-transposed',
    title:
      'padding 1 with a 3×1 kernel, stride 2, output padding 1 on 4×5: each axis uses its own kernel size',
    source:
      'PyTorch ConvTranspose2d padding (per axis); tensorflow/tfjs#649 (a numeric pad sized with one kernel dimension for both axes)',
    tags: ['pytorch', 'tfjs', 'padding', 'non-square'],
    input: [1, 2, 4, 5],
    weight: [2, 3, 3, 1],
    options: { stride: 2, padding: 1, outputPadding: 1 },
    specSize: torchSize([1, 2, 4, 5], [2, 3, 3, 1], [2, 2], [1, 1], [1, 1]),
  }),
  divergence({
    id: 'numeric-pad-non-square-kernel-conv',
    title:
      'convolution, padding 1 with a 1×3 kernel on 5×6: ⌊(5 + 2 − 1)/1⌋ + 1 = 7 by ⌊(6 + 2 − 3)/1⌋ + 1 = 6',
    source: 'PyTorch Conv2d padding (per axis); tensorflow/tfjs#649',
    tags: ['pytorch', 'tfjs', 'padding', 'non-square', 'conv'],
    op: 'conv',
    input: [1, 2, 5, 6],
    weight: [3, 2, 1, 3],
    options: { padding: 1 },
    specSize: convSize([1, 2, 5, 6], [3, 2, 1, 3], [1, 1], [1, 1]),
  }),
  // outputSize on every axis
  divergence({
    id: 'output-size-every-axis-3d',
    title: 'outputSize on all three axes of a 3D layer (k3 s2 p1 on 3×4×2 → 6×7×4: output padding 1, 0, 1)',
    source: 'PyTorch ConvTranspose3d forward(output_size=…); ONNX output_shape',
    tags: ['pytorch', 'output-size', '3d'],
    input: [1, 2, 3, 4, 2],
    weight: [2, 2, 3, 3, 3],
    options: { stride: 2, padding: 1, outputSize: [6, 7, 4] },
    specSize: [6, 7, 4],
  }),
  divergence({
    id: 'output-size-every-axis-same-upper',
    title:
      'outputSize on both axes with SAME_UPPER (k3 s2 on 4×3 → 7×5): the total padding follows output_shape',
    source: `${ONNX_SPEC}, output_shape with auto_pad SAME_UPPER`,
    tags: ['onnx', 'output-size', 'same-upper'],
    input: [1, 2, 4, 3],
    weight: [2, 2, 3, 3],
    options: { stride: 2, padding: 'same-upper', outputSize: [7, 5] },
    specSize: [7, 5],
  }),
];
