#!/usr/bin/env node
// Reference fixtures from TensorFlow.js (tfjs-core + tfjs-backend-cpu): Keras/TF 'valid' and 'same'
// transposed convolutions, including kernels smaller than the stride and explicit output shapes.
// Inputs are made channels-first here and converted to NHWC / [kh, kw, out, in] for tfjs; outputs are
// converted back. Writes packages/conformance/fixtures/tfjs.json and packages/core/test/fixtures/shapes-tfjs.json.
//   node packages/conformance/scripts/fixtures-tfjs.mjs
import { createRequire } from 'node:module';
import { permute, random, size, tensorJson, tolerance, write } from './fixture-io.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
const GEN = 'packages/conformance/scripts/fixtures-tfjs.mjs';
const FRAMEWORK = `TensorFlow.js ${tf.version_core} (tfjs-backend-cpu)`;

/** Keras' default output length (deconv_output_length without output_padding). */
const kerasLength = (n, k, s, padding) => (padding === 'valid' ? n * s + Math.max(k - s, 0) : n * s);

function run(xShape, wShape, stride, padding, outputSize) {
  const rank = xShape.length - 2;
  const x = random(size(xShape), size(xShape) * 31 + stride.reduce((a, b) => a * 7 + b, 3));
  const w = random(size(wShape), size(wShape) * 17 + 5);
  const spatial =
    outputSize ?? xShape.slice(2).map((n, a) => kerasLength(n, wShape[2 + a], stride[a], padding));
  const cout = wShape[1];
  // NCHW → NHWC; [in, out, ...k] → [...k, out, in]
  const xl = permute(x, xShape, [0, ...Array.from({ length: rank }, (_, i) => i + 2), 1]);
  const wl = permute(w, wShape, [...Array.from({ length: rank }, (_, i) => i + 2), 1, 0]);
  const fn = rank === 2 ? tf.conv2dTranspose : tf.conv3dTranspose;
  const y = tf.tidy(() =>
    fn(
      tf.tensor(xl.data, xl.dims),
      tf.tensor(wl.data, wl.dims),
      [xShape[0], ...spatial, cout],
      stride,
      padding,
    ),
  );
  const yData = y.dataSync();
  const yDims = y.shape;
  y.dispose();
  const back = permute(yData, yDims, [0, rank + 1, ...Array.from({ length: rank }, (_, i) => i + 1)]);
  return { x, w, y: back.data, spatial };
}

const cases = [];
function valueCase(name, title, xShape, wShape, stride, padding, outputSize, tags) {
  const { x, w, y, spatial } = run(xShape, wShape, stride, padding, outputSize);
  const options = { stride, padding };
  if (outputSize) options.outputSize = outputSize;
  cases.push({
    id: `tfjs/${name}`,
    title,
    op: 'convTranspose',
    options,
    input: tensorJson(xShape, x),
    weight: tensorJson(wShape, w),
    expected: tensorJson([xShape[0], wShape[1], ...spatial], y),
    tolerance: tolerance(x, w, xShape[1] * size(wShape.slice(2))),
    tags: ['tfjs', 'keras', `${xShape.length - 2}d`, 'float32', padding, ...tags],
  });
}

valueCase(
  'gfg-valid-4x4-k3-s2',
  "GfG example 2: 4×4, kernel 3, strides 2, 'valid' → 9×9",
  [1, 3, 4, 4],
  [3, 1, 3, 3],
  [2, 2],
  'valid',
  undefined,
  ['stride', 'document-shape'],
);
valueCase(
  'gfg-same-4x4-k3-s2',
  "GfG example 3: 4×4, kernel 3, strides 2, 'same' → 8×8",
  [1, 3, 4, 4],
  [3, 1, 3, 3],
  [2, 2],
  'same',
  undefined,
  ['stride', 'document-shape'],
);
valueCase(
  'same-k4-s2',
  "'same', even kernel 4, stride 2 (crop split 1 / 1)",
  [1, 2, 3, 3],
  [2, 2, 4, 4],
  [2, 2],
  'same',
  undefined,
  ['stride'],
);
valueCase(
  'same-k5-s1',
  "'same', kernel 5, stride 1",
  [1, 2, 4, 4],
  [2, 3, 5, 5],
  [1, 1],
  'same',
  undefined,
  [],
);
valueCase(
  'same-k3-s3-odd',
  "'same', kernel 3, strides (3, 2)",
  [1, 2, 3, 4],
  [2, 2, 3, 3],
  [3, 2],
  'same',
  undefined,
  ['stride', 'per-axis'],
);
valueCase(
  'valid-k1-s2',
  "'valid', kernel 1 < stride 2: the output is zero-extended",
  [1, 2, 3, 3],
  [2, 2, 1, 1],
  [2, 2],
  'valid',
  undefined,
  ['kernel-smaller-than-stride'],
);
valueCase(
  'same-k1-s3',
  "'same', kernel 1 < stride 3: no crop, zero-extended",
  [1, 2, 3, 2],
  [2, 1, 1, 1],
  [3, 3],
  'same',
  undefined,
  ['kernel-smaller-than-stride'],
);
valueCase(
  'valid-k2-s3',
  "'valid', kernel 2 < stride 3",
  [1, 1, 3, 3],
  [1, 2, 2, 2],
  [3, 3],
  'valid',
  undefined,
  ['kernel-smaller-than-stride'],
);
valueCase(
  'same-k2-s4',
  "'same', kernel 2 < stride 4",
  [1, 1, 2, 3],
  [1, 1, 2, 2],
  [4, 4],
  'same',
  undefined,
  ['kernel-smaller-than-stride'],
);
valueCase(
  'same-output-shape',
  "'same' with an explicit output shape 7×8 (not n·s)",
  [1, 2, 4, 4],
  [2, 2, 3, 3],
  [2, 2],
  'same',
  [7, 8],
  ['output-size'],
);
valueCase(
  'valid-output-shape',
  "'valid' with an explicit output shape 10×9",
  [1, 2, 4, 4],
  [2, 2, 3, 3],
  [2, 2],
  'valid',
  [10, 9],
  ['output-size'],
);
valueCase(
  'same-3d',
  "3D 'same', kernel 3, stride 2",
  [1, 2, 2, 3, 2],
  [2, 2, 3, 3, 3],
  [2, 2, 2],
  'same',
  undefined,
  ['stride'],
);
valueCase(
  'valid-3d-k1-s2',
  "3D 'valid', kernel (1, 2, 3) and stride 2",
  [1, 1, 2, 2, 2],
  [1, 2, 1, 2, 3],
  [2, 2, 2],
  'valid',
  undefined,
  ['kernel-smaller-than-stride'],
);
write('packages/conformance/fixtures/tfjs.json', GEN, FRAMEWORK, cases);

// shapes: which explicit output shapes TF's rule accepts for each padding word, and the defaults
const shapes = [];
let id = 0;
for (const padding of ['valid', 'same']) {
  for (const n of [1, 2, 3, 5]) {
    for (const k of [1, 2, 3, 4]) {
      for (const s of [1, 2, 3]) {
        const def = kerasLength(n, k, s, padding);
        for (const L of [def, def - 1, def + 1, (n - 1) * s + k, (n - 1) * s + 1, n * s + k - 1]) {
          if (L < 1) continue;
          const entry = {
            id: `tfjs-shape-${id++}`,
            op: 'convTranspose',
            inputShape: [1, 1, n, 2],
            weightShape: [1, 1, k, 1],
            options: {
              stride: [s, 1],
              padding,
              ...(L === def ? {} : { outputSize: [L, padding === 'valid' ? 2 : 2] }),
            },
          };
          // tfjs itself does not validate the requested shape; TensorFlow's rule (conv2d_backprop_input)
          // is that the forward convolution of the output gives back the input, so ask tfjs for that
          let forward;
          try {
            forward = tf.tidy(
              () => tf.conv2d(tf.zeros([1, L, 2, 1]), tf.zeros([k, 1, 1, 1]), [s, 1], padding).shape[1],
            );
          } catch (e) {
            forward = `an error (${String(e.message).split('\n')[0]})`;
          }
          if (forward === n) {
            const y = tf.tidy(() =>
              tf.conv2dTranspose(
                tf.zeros([1, n, 2, 1]),
                tf.zeros([k, 1, 1, 1]),
                [1, L, 2, 1],
                [s, 1],
                padding,
              ),
            );
            entry.expectedShape = [1, 1, y.shape[1], y.shape[2]];
            y.dispose();
          } else {
            entry.error = true;
            entry.frameworkMessage = `tf.conv2d(${padding}) of a length-${L} output gives ${forward}, not the input length ${n}`;
          }
          if (
            !shapes.some(
              (c) =>
                JSON.stringify([c.options, c.inputShape, c.weightShape]) ===
                JSON.stringify([entry.options, entry.inputShape, entry.weightShape]),
            )
          )
            shapes.push(entry);
        }
      }
    }
  }
}
write('packages/core/test/fixtures/shapes-tfjs.json', GEN, FRAMEWORK, shapes);
