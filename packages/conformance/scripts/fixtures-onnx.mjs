#!/usr/bin/env node
// Reference fixtures from onnxruntime-node (CPU, 1 thread) for ONNX ConvTranspose attributes: pads,
// auto_pad SAME_UPPER / SAME_LOWER / VALID, output_shape, output_padding, strides, dilations, group,
// kernel_shape. Where the ONNX specification and onnxruntime differ (a negative total padding with
// SAME_*, which onnxruntime clamps to 0), the expected value is onnxruntime's *full* result
// (pads 0) cropped or zero-extended by the specification's pads, computed here from the spec's
// formula; such cases are tagged "spec-not-onnxruntime".
// Writes packages/conformance/fixtures/onnx.json and packages/core/test/fixtures/shapes-onnx.json.
//   node packages/conformance/scripts/fixtures-onnx.mjs
import { createRequire } from 'node:module';
// the one-node model writer the onnxruntime peer uses too (one implementation)
import { convTransposeModel } from '@tconv/peers';
import { random, size, tensorJson, tolerance, write } from './fixture-io.mjs';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const GEN = 'packages/conformance/scripts/fixtures-onnx.mjs';
const version = require('onnxruntime-node/package.json').version;
const FRAMEWORK = `onnxruntime-node ${version} (CPU, 1 thread), ONNX specification for SAME_* with negative total padding`;

async function run(attributes, xDims, wDims, x, w, b) {
  const session = await ort.InferenceSession.create(convTransposeModel(attributes, xDims, wDims, !!b), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const feeds = { X: new ort.Tensor('float32', x, xDims), W: new ort.Tensor('float32', w, wDims) };
  if (b) feeds.B = new ort.Tensor('float32', b, [b.length]);
  const { Y } = await session.run(feeds);
  await session.release();
  return { data: Y.data, dims: Array.from(Y.dims, Number) };
}

/** The specification's (begin, end) pads for auto_pad SAME_* per axis; may be negative. */
function specPads(autoPad, xDims, wDims, a) {
  const r = xDims.length - 2;
  const s = a.strides?.[0] !== undefined ? a.strides : new Array(r).fill(1);
  const d = a.dilations ?? new Array(r).fill(1);
  const op = a.output_padding ?? new Array(r).fill(0);
  return xDims.slice(2).map((n, i) => {
    const kd = d[i] * (wDims[2 + i] - 1) + 1;
    const L = a.output_shape ? a.output_shape[a.output_shape.length - r + i] : n * s[i];
    const total = s[i] * (n - 1) + op[i] + kd - L;
    const half = Math.floor(total / 2);
    return { begin: autoPad === 'SAME_UPPER' ? half : total - half, L };
  });
}

/** Crops / zero-extends a full result (pads 0) to the spec's window on every spatial axis. */
function window(full, fullDims, pads) {
  const outDims = [fullDims[0], fullDims[1], ...pads.map((p) => p.L)];
  const out = new Float32Array(size(outDims));
  const idx = new Array(outDims.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    let inside = true;
    for (let a = 0; a < outDims.length; a++) {
      const pos = a < 2 ? idx[a] : idx[a] + pads[a - 2].begin;
      if (pos < 0 || pos >= fullDims[a]) inside = false;
      src = src * fullDims[a] + pos;
    }
    out[i] = inside ? full[src] : 0;
    for (let a = outDims.length - 1; a >= 0; a--) {
      if (++idx[a] < outDims[a]) break;
      idx[a] = 0;
    }
  }
  return { data: out, dims: outDims };
}

const cases = [];
async function valueCase(name, title, attributes, xDims, wDims, tags, withBias = false) {
  const x = random(size(xDims), size(xDims) * 13 + cases.length);
  const w = random(size(wDims), size(wDims) * 7 + cases.length + 1);
  const group = attributes.group ?? 1;
  const b = withBias ? random(wDims[1] * group, 99 + cases.length) : undefined;
  let result = await run(attributes, xDims, wDims, x, w, b);
  const extra = [];
  if (attributes.auto_pad === 'SAME_UPPER' || attributes.auto_pad === 'SAME_LOWER') {
    const pads = specPads(attributes.auto_pad, xDims, wDims, attributes);
    const total = pads.map((p, i) => {
      const r = xDims.length - 2;
      const s = attributes.strides ?? new Array(r).fill(1);
      const d = attributes.dilations ?? new Array(r).fill(1);
      const op = attributes.output_padding ?? new Array(r).fill(0);
      return s[i] * (xDims[2 + i] - 1) + op[i] + d[i] * (wDims[2 + i] - 1) + 1 - p.L;
    });
    if (total.some((t) => t < 0)) {
      const { auto_pad: _ap, output_shape: _os, ...rest } = attributes;
      const full = await run(
        { ...rest, pads: new Array(2 * (xDims.length - 2)).fill(0) },
        xDims,
        wDims,
        x,
        w,
        b,
      );
      result = window(full.data, full.dims, pads);
      extra.push('spec-not-onnxruntime', 'negative-total-padding');
    }
  }
  const c = {
    id: `onnx/${name}`,
    title,
    op: 'convTranspose',
    onnx: attributes,
    input: tensorJson(xDims, x),
    weight: tensorJson(wDims, w),
    expected: tensorJson(result.dims, result.data),
    tolerance: tolerance(x, w, (xDims[1] / group) * size(wDims.slice(2))),
    tags: ['onnx', `${xDims.length - 2}d`, 'float32', ...tags, ...extra],
  };
  if (b) c.bias = tensorJson([b.length], b);
  cases.push(c);
}

await valueCase(
  'pads-asymmetric',
  'pads [1, 2, 1, 2] with strides [3, 2] (the ONNX backend test convtranspose_pads shape)',
  { strides: [3, 2], pads: [1, 2, 1, 2] },
  [1, 1, 3, 3],
  [1, 2, 3, 3],
  ['pads', 'stride'],
);
await valueCase(
  'pads-begin-end-differ',
  'pads [0, 1, 2, 0]: different begin and end',
  { strides: [2, 2], pads: [0, 1, 2, 0], kernel_shape: [3, 3] },
  [1, 2, 3, 4],
  [2, 2, 3, 3],
  ['pads', 'kernel-shape'],
);
await valueCase(
  'same-upper-k3-s2',
  'auto_pad SAME_UPPER, kernel 3, stride 2 (odd total: extra crop at the end)',
  { auto_pad: 'SAME_UPPER', strides: [2, 2] },
  [1, 2, 3, 3],
  [2, 2, 3, 3],
  ['auto-pad', 'same-upper'],
);
await valueCase(
  'same-lower-k3-s2',
  'auto_pad SAME_LOWER, kernel 3, stride 2 (odd total: extra crop at the start)',
  { auto_pad: 'SAME_LOWER', strides: [2, 2] },
  [1, 2, 3, 3],
  [2, 2, 3, 3],
  ['auto-pad', 'same-lower'],
);
await valueCase(
  'same-upper-op1',
  'auto_pad SAME_UPPER with output_padding 1',
  { auto_pad: 'SAME_UPPER', strides: [2, 2], output_padding: [1, 1] },
  [1, 2, 3, 3],
  [2, 2, 4, 4],
  ['auto-pad', 'same-upper', 'output-padding'],
);
await valueCase(
  'same-upper-negative',
  'auto_pad SAME_UPPER, kernel 1 < stride 3: total padding −2 extends the output (spec)',
  { auto_pad: 'SAME_UPPER', strides: [3, 3] },
  [1, 1, 3, 2],
  [1, 2, 1, 1],
  ['auto-pad', 'same-upper'],
);
await valueCase(
  'same-lower-negative-odd',
  'auto_pad SAME_LOWER, kernel 2 < stride 3: total −1 (spec)',
  { auto_pad: 'SAME_LOWER', strides: [3, 3] },
  [1, 1, 3, 3],
  [1, 1, 2, 2],
  ['auto-pad', 'same-lower'],
);
await valueCase(
  'valid',
  'auto_pad VALID with strides 2 and output_padding 1',
  { auto_pad: 'VALID', strides: [2, 2], output_padding: [1, 1] },
  [1, 2, 3, 3],
  [2, 3, 3, 3],
  ['auto-pad', 'valid', 'output-padding'],
);
await valueCase(
  'output-shape-notset',
  'output_shape [10, 8] with auto_pad NOTSET: the lower rule splits the padding',
  { strides: [3, 2], output_shape: [10, 8] },
  [1, 1, 3, 3],
  [1, 2, 3, 3],
  ['output-shape'],
);
await valueCase(
  'output-shape-notset-crop',
  'output_shape [6, 6] with NOTSET (total padding 1 at the start)',
  { strides: [2, 2], output_shape: [6, 6] },
  [1, 2, 3, 3],
  [2, 2, 3, 3],
  ['output-shape'],
);
await valueCase(
  'output-shape-same-upper',
  'output_shape [7, 7] with SAME_UPPER',
  { auto_pad: 'SAME_UPPER', strides: [2, 2], output_shape: [7, 7] },
  [1, 2, 3, 3],
  [2, 2, 3, 3],
  ['output-shape', 'auto-pad', 'same-upper'],
);
await valueCase(
  'dilations-group-bias',
  'dilations [2, 1], group 2, bias',
  { dilations: [2, 1], group: 2, strides: [1, 2] },
  [1, 4, 3, 3],
  [4, 2, 3, 2],
  ['dilation', 'groups', 'bias'],
  true,
);
await valueCase(
  '1d-pads',
  '1D pads [2, 1], stride 3, output_padding 2',
  { strides: [3], pads: [2, 1], output_padding: [2] },
  [1, 2, 5],
  [2, 3, 4],
  ['pads', 'output-padding'],
);
await valueCase(
  '3d-same-upper',
  '3D auto_pad SAME_UPPER, stride 2',
  { auto_pad: 'SAME_UPPER', strides: [2, 2, 2] },
  [1, 2, 2, 2, 2],
  [2, 1, 3, 3, 3],
  ['auto-pad', 'same-upper'],
);
write('packages/conformance/fixtures/onnx.json', GEN, FRAMEWORK, cases);

// shapes from onnxruntime (spec-divergent negative totals are recorded with the spec's shape,
// which equals onnxruntime's: it clamps the pads, not the output shape)
const shapes = [];
let id = 0;
for (const autoPad of ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']) {
  for (const n of [1, 3, 4]) {
    for (const k of [1, 2, 3]) {
      for (const s of [1, 2, 3]) {
        for (const variant of ['plain', 'output_shape', 'output_padding']) {
          if (variant === 'output_padding' && s === 1) continue;
          const attributes = { strides: [s] };
          if (autoPad !== 'NOTSET') attributes.auto_pad = autoPad;
          else attributes.pads = [Math.min(1, k - 1), 0];
          if (variant === 'output_shape') attributes.output_shape = [n * s + 1];
          if (variant === 'output_padding') attributes.output_padding = [s - 1];
          const xDims = [1, 1, n];
          const wDims = [1, 1, k];
          const entry = {
            id: `onnx-shape-${id++}`,
            op: 'convTranspose',
            inputShape: xDims,
            weightShape: wDims,
            onnx: attributes,
          };
          let ortResult;
          try {
            ortResult = (await run(attributes, xDims, wDims, new Float32Array(n), new Float32Array(k))).dims;
          } catch (e) {
            ortResult = String(e.message).split('\n')[0].slice(0, 300);
          }
          // the specification's total padding; where it is negative the spec extends the output
          // (its length is output_shape, or n·s for SAME_*) while onnxruntime clamps or rejects
          const op = attributes.output_padding?.[0] ?? 0;
          const L = attributes.output_shape?.[0] ?? (autoPad.startsWith('SAME') ? n * s : undefined);
          const total = L === undefined ? 0 : s * (n - 1) + op + k - L;
          if ((autoPad.startsWith('SAME') || attributes.output_shape) && total < 0) {
            entry.expectedShape = [1, 1, L];
            entry.source = 'ONNX specification (negative total padding extends the output)';
            entry.onnxruntime = ortResult;
          } else if (Array.isArray(ortResult)) {
            entry.expectedShape = ortResult;
          } else {
            entry.error = true;
            entry.frameworkMessage = ortResult;
          }
          shapes.push(entry);
        }
      }
    }
  }
}
write('packages/core/test/fixtures/shapes-onnx.json', GEN, FRAMEWORK, shapes);
