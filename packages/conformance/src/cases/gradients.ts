/**
 * The gradient cases: `convTransposeBackward` / `convBackward` checked four independent ways —
 * central finite differences of the backend's own forward (float64), d2l 13.10.3's exchange
 * (the input gradient of one operator is the forward of the other), PyTorch autograd fixtures,
 * and the kit's definition-level backward for the padding conventions PyTorch cannot express
 * (Keras `same` with kernel < stride, ONNX `same-*` with a negative total) — plus invalid
 * `gradOutput`. A backend without the methods skips them (counted apart, never passed).
 */
import type { Backend, ConvOptions, ConvTransposeOptions, DType, Gradients, Tensor } from '@tconv/core';
import {
  convOutputShape,
  convTransposeOutputShape,
  resolveConv,
  resolveConvTranspose,
  tensor,
} from '@tconv/core';
import gradientFixtures from '../../fixtures/torch-gradients.json';
import type { Tolerance } from '../compare';
import { expectTensor, MismatchError, seeded } from '../compare';
import { DOCS, defineCase } from '../define';
import { kitConv, kitConvBackward, kitConvTranspose, kitConvTransposeBackward } from '../reference';
import type { GradientMethod, KitCase } from '../types';

type Op = 'convTranspose' | 'conv';
const METHOD: Record<Op, GradientMethod> = { convTranspose: 'convTransposeBackward', conv: 'convBackward' };
const CONTRACT = `${DOCS.contract}, "Gradients"`;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const rankOf = (shape: readonly number[]) => shape.length - 2;

function outputShape(op: Op, x: readonly number[], w: readonly number[], o: ConvTransposeOptions): number[] {
  return op === 'convTranspose' ? convTransposeOutputShape(x, w, o) : convOutputShape(x, w, o);
}

/** Calls the backend's gradient method for `op` (the case declares it, so it exists). */
async function backward(
  backend: Backend,
  op: Op,
  gy: Tensor,
  x: Tensor,
  w: Tensor,
  o: ConvTransposeOptions,
): Promise<Gradients> {
  const f = backend[METHOD[op]];
  if (!f) throw new MismatchError(`the backend has no ${METHOD[op]}`, Number.POSITIVE_INFINITY);
  return await f.call(backend, gy, x, w, o);
}

async function forward(
  backend: Backend,
  op: Op,
  x: Tensor,
  w: Tensor,
  o: ConvTransposeOptions,
): Promise<Tensor> {
  return op === 'convTranspose'
    ? await backend.convTranspose(x, w, o)
    : await backend.conv(x, w, o as ConvOptions);
}

/** Names the gradient in a mismatch message. */
function which<T>(name: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof MismatchError) throw new MismatchError(`∂${name}: ${e.message}`, e.maxError);
    throw e;
  }
}

function expectGradients(
  got: Gradients,
  want: { input: Tensor; weight: Tensor; bias: Tensor },
  dtype: DType,
  tol: (name: 'input' | 'weight' | 'bias', i: number) => number,
): number {
  if (!got || typeof got !== 'object')
    throw new MismatchError(`expected gradients, got ${String(got)}`, Infinity);
  let maxError = 0;
  for (const name of ['input', 'weight', 'bias'] as const) {
    const e = want[name];
    which(name, () => expectTensor(got[name], e.shape, e.data, dtype, { atol: Infinity, rtol: 0 }));
    for (let i = 0; i < e.data.length; i++) {
      const err = Math.abs(got[name].data[i]! - e.data[i]!);
      if (!(err <= tol(name, i))) {
        throw new MismatchError(
          `∂${name} element ${i}: ${got[name].data[i]} vs ${e.data[i]} (error ${err.toExponential(2)} > ${tol(name, i).toExponential(2)})`,
          err,
        );
      }
      if (err > maxError) maxError = err;
    }
  }
  return maxError;
}

/** Seeded x, w, gy (and a bias when asked) of a problem. */
function problem(op: Op, xs: number[], ws: number[], o: ConvTransposeOptions, seed: number, dtype: DType) {
  const x = tensor(seeded(size(xs), seed, dtype), xs);
  const w = tensor(seeded(size(ws), seed + 1, dtype), ws);
  const ys = outputShape(op, xs, ws, o);
  const gy = tensor(seeded(size(ys), seed + 2, dtype), ys);
  return { x, w, gy, ys };
}

// ── central finite differences ────────────────────────────────────────────────────────────────

/** Deterministic sample of at most `count` indices of `[0, n)`, always including the first and last. */
function sample(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.round((i * (n - 1)) / (count - 1)));
}

/**
 * L = ⟨gy, f(x, w; bias)⟩. For sampled elements of x, w and every bias value, the backend's
 * gradient must match (L(v + h) − L(v − h)) / 2h computed with the backend's own forward
 * (float64, h = 2^-6: L is bilinear, so the difference is exact up to rounding).
 */
function finiteDifferenceCase(
  id: string,
  op: Op,
  xs: number[],
  ws: number[],
  options: ConvTransposeOptions,
): KitCase {
  return defineCase({
    id: `gradients/finite-differences-${id}`,
    title: `${op} gradients = central finite differences of the forward (float64, ${rankOf(xs)}D)`,
    source: `${CONTRACT}; ∂L/∂v by central differences`,
    group: 'gradients',
    ranks: [rankOf(xs)],
    dtypes: ['float64'],
    methods: [METHOD[op]],
    tags: ['gradient', 'finite-differences', op, `${rankOf(xs)}d`, 'float64'],
    async check(backend) {
      const { x, w, gy } = problem(op, xs, ws, options, 7001, 'float64');
      const channels = op === 'convTranspose' ? ws[1]! * (options.groups ?? 1) : ws[0]!;
      const b = seeded(channels, 7005, 'float64') as Float64Array;
      const got = await backward(backend, op, gy, x, w, { ...options, bias: b });
      const h = 2 ** -6;
      const loss = async (xx: Tensor, ww: Tensor, bb: Float64Array) => {
        const y = await forward(backend, op, xx, ww, { ...options, bias: bb });
        let s = 0;
        for (let i = 0; i < y.data.length; i++) s += y.data[i]! * gy.data[i]!;
        return s;
      };
      let scale = 1;
      for (let i = 0; i < gy.data.length; i++) scale += Math.abs(gy.data[i]!);
      const tol = 1e-9 * scale * (1 + x.data.length + w.data.length);
      let maxError = 0;
      const probe = async (name: 'input' | 'weight' | 'bias', data: Float64Array, indices: number[]) => {
        for (const i of indices) {
          const at = (delta: number) => {
            const d = data.slice();
            d[i]! += delta;
            return d;
          };
          const plus =
            name === 'input'
              ? await loss(tensor(at(h), xs), w, b)
              : name === 'weight'
                ? await loss(x, tensor(at(h), ws), b)
                : await loss(x, w, at(h));
          const minus =
            name === 'input'
              ? await loss(tensor(at(-h), xs), w, b)
              : name === 'weight'
                ? await loss(x, tensor(at(-h), ws), b)
                : await loss(x, w, at(-h));
          const fd = (plus - minus) / (2 * h);
          const g = got[name]?.data?.[i];
          const err = Math.abs((g ?? Number.NaN) - fd);
          if (!(err <= tol))
            throw new MismatchError(
              `∂${name}[${i}] = ${g}, finite difference ${fd} (error ${err.toExponential(2)})`,
              err,
            );
          maxError = Math.max(maxError, err);
        }
      };
      await probe('input', x.data as Float64Array, sample(x.data.length, 12));
      await probe('weight', w.data as Float64Array, sample(w.data.length, 12));
      await probe('bias', b, sample(b.length, 4));
      return maxError;
    },
  });
}

// ── d2l 13.10.3: the exchange ─────────────────────────────────────────────────────────────────

/** `|a − b| ≤ 2·(terms + 2)·u·Σ|·|` per element: two float computations of the same sum. */
function expectSameSum(a: Tensor, b: Tensor, magnitude: Tensor, terms: number, dtype: DType): number {
  const u = dtype === 'float64' ? 2 ** -53 : 2 ** -24;
  const tol: Tolerance = { atol: Infinity, rtol: 0 };
  which('input', () => expectTensor(a, b.shape, b.data, dtype, tol));
  let maxError = 0;
  for (let i = 0; i < b.data.length; i++) {
    const err = Math.abs(a.data[i]! - b.data[i]!);
    const bound = 2 * (terms + 2) * u * magnitude.data[i]!;
    if (!(err <= bound))
      throw new MismatchError(
        `∂input element ${i}: ${a.data[i]} vs ${b.data[i]} (error ${err.toExponential(2)})`,
        err,
      );
    maxError = Math.max(maxError, err);
  }
  return maxError;
}

const absTensor = (t: Tensor) => tensor(Float64Array.from(t.data, Math.abs), t.shape);

/**
 * d2l 13.10.3: "the transposed convolution can just exchange the forward propagation function and
 * the backpropagation function of the convolutional layer". convTransposeBackward(...).input must
 * be conv(gradOutput, weight) with the same options; convBackward(...).input must be
 * convTranspose(gradOutput, weight) back to the input's size (outputSize = the input's).
 */
function exchangeCase(
  id: string,
  op: Op,
  xs: number[],
  ws: number[],
  options: ConvTransposeOptions,
): KitCase {
  const other = op === 'convTranspose' ? 'conv' : 'convTranspose';
  return defineCase({
    id: `gradients/exchange-${id}`,
    title: `${METHOD[op]}(gy).input = ${other}(gy, weight) (${rankOf(xs)}D)`,
    source: `${DOCS.d2l}, 13.10.3 (the exchange of forward and backward)`,
    group: 'gradients',
    ranks: [rankOf(xs)],
    methods: [METHOD[op]],
    tags: ['gradient', 'adjoint', 'd2l', op, `${rankOf(xs)}d`],
    async check(backend) {
      const { x, w, gy } = problem(op, xs, ws, options, 7101, 'float32');
      const got = await backward(backend, op, gy, x, w, options);
      const { outputPadding: _p, outputSize: _s, ...common } = options;
      const back: ConvTransposeOptions = op === 'conv' ? { ...common, outputSize: xs.slice(2) } : common;
      const exchanged = await forward(backend, other, gy, w, back);
      // the magnitude Σ|gy·w| by the kit's definition, for the rounding bound
      const magnitude = (other === 'conv' ? kitConv : kitConvTranspose)(absTensor(gy), absTensor(w), back);
      const g = op === 'convTranspose' ? resolveConvTranspose(xs, ws, options) : resolveConv(xs, ws, options);
      // both sums run over the output channels of the group and the taps
      return expectSameSum(
        got.input,
        exchanged,
        magnitude,
        g.outChannelsPerGroup * size(g.kernelSize),
        'float32',
      );
    },
  });
}

// ── against the kit's definition ──────────────────────────────────────────────────────────────

/**
 * The backend's gradients against the kit's definition-level backward (float64 sums) within the
 * worst-case rounding of the result type, `(terms + 2)·u·Σ|·|` per element.
 */
async function checkAgainstReferenceBackward(
  backend: Backend,
  op: Op,
  xs: number[],
  ws: number[],
  options: ConvTransposeOptions,
  seed: number,
  dtype: DType,
): Promise<number> {
  const { x, w, gy } = problem(op, xs, ws, options, seed, dtype);
  const got = await backward(backend, op, gy, x, w, options);
  const ref = op === 'convTranspose' ? kitConvTransposeBackward : kitConvBackward;
  const f64 = (t: Tensor) => tensor(Float64Array.from(t.data), t.shape);
  const want = ref(f64(gy), f64(x), f64(w), options);
  const mag = ref(absTensor(gy), absTensor(x), absTensor(w), options);
  const g = op === 'convTranspose' ? resolveConvTranspose(xs, ws, options) : resolveConv(xs, ws, options);
  const small = op === 'convTranspose' ? g.inputSize : g.outputSize;
  const terms = {
    input: g.outChannelsPerGroup * size(g.kernelSize),
    weight: g.batch * size(small),
    bias: g.batch * size(g.outputSize),
  };
  const u = dtype === 'float64' ? 2 ** -53 : 2 ** -24;
  return expectGradients(got, want, dtype, (name, i) => (terms[name] + 2) * u * mag[name].data[i]!);
}

function definitionCase(
  id: string,
  title: string,
  source: string,
  op: Op,
  xs: number[],
  ws: number[],
  options: ConvTransposeOptions,
  tags: string[],
  dtype: DType = 'float32',
): KitCase {
  return defineCase({
    id: `gradients/${id}${dtype === 'float64' ? '-f64' : ''}`,
    title,
    source,
    group: 'gradients',
    ranks: [rankOf(xs)],
    dtypes: [dtype],
    methods: [METHOD[op]],
    tags: ['gradient', op, `${rankOf(xs)}d`, dtype, ...tags],
    check: (backend) => checkAgainstReferenceBackward(backend, op, xs, ws, options, 7201, dtype),
  });
}

const KERAS =
  'Keras/TF conv2d_transpose padding="same" (contract.md "Padding words"); expected: the kit\'s definition';
const ONNX =
  "ONNX ConvTranspose auto_pad SAME_* with a negative total (contract.md); expected: the kit's definition";

// ── PyTorch autograd fixtures ─────────────────────────────────────────────────────────────────

interface FixtureTensor {
  dims: number[];
  type: string;
  data: number[];
}
interface GradientFixture {
  id: string;
  title: string;
  op: Op;
  options: ConvTransposeOptions;
  input: FixtureTensor;
  weight: FixtureTensor;
  bias?: FixtureTensor;
  gradOutput: FixtureTensor;
  expected: { input: FixtureTensor; weight: FixtureTensor; bias: FixtureTensor };
  tolerance: Record<'input' | 'weight' | 'bias', Tolerance>;
  tags: string[];
}
const file = gradientFixtures as { generator: string; framework: string; cases: GradientFixture[] };
const toTensor = (t: FixtureTensor): Tensor =>
  tensor(t.type === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), t.dims);

const torchCases: KitCase[] = file.cases.map((c) => {
  const dtype = c.input.type as DType;
  return defineCase({
    id: c.id,
    title: `${c.op} gradients: ${c.title}`,
    source: `${file.framework} (fixtures/torch-gradients.json, generated by ${file.generator})`,
    group: 'gradients',
    ranks: [c.input.dims.length - 2],
    dtypes: [dtype],
    methods: [METHOD[c.op]],
    tags: ['fixture', ...c.tags],
    async check(backend) {
      const options = c.bias ? { ...c.options, bias: toTensor(c.bias).data } : c.options;
      const got = await backward(
        backend,
        c.op,
        toTensor(c.gradOutput),
        toTensor(c.input),
        toTensor(c.weight),
        options,
      );
      const want = {
        input: toTensor(c.expected.input),
        weight: toTensor(c.expected.weight),
        bias: toTensor(c.expected.bias),
      };
      return expectGradients(
        got,
        want,
        dtype,
        (name, i) => c.tolerance[name].atol + c.tolerance[name].rtol * Math.abs(want[name].data[i]!),
      );
    },
  });
});

// ── invalid gradOutput ────────────────────────────────────────────────────────────────────────

function invalidCase(op: Op, what: 'shape' | 'dtype'): KitCase {
  return defineCase({
    id: `gradients/invalid-gradOutput-${what}-${op}`,
    title: `${METHOD[op]} rejects a gradOutput of the wrong ${what}, naming gradOutput`,
    source: CONTRACT,
    group: 'gradients',
    methods: [METHOD[op]],
    tags: ['gradient', 'error', op],
    async check(backend) {
      const xs = [1, 2, 4, 4];
      const ws = [2, 2, 3, 3];
      const o: ConvTransposeOptions = { stride: 2, padding: 1 };
      const { x, w, ys } = problem(op, xs, ws, o, 7301, 'float32');
      const wrong = [...ys.slice(0, 3), ys[3]! + 1];
      const bad =
        what === 'shape'
          ? tensor(new Float32Array(size(wrong)), wrong)
          : tensor(new Float64Array(size(ys)), ys);
      let error: unknown;
      try {
        await backward(backend, op, bad, x, w, o);
      } catch (e) {
        error = e;
      }
      if (!(error instanceof Error))
        throw new MismatchError(`a gradOutput of the wrong ${what} was accepted`, 0);
      if (!/gradOutput/.test(error.message))
        throw new MismatchError(`rejected, but the message does not name gradOutput: "${error.message}"`, 0);
      return 0;
    },
  });
}

/** Every gradient case: finite differences, the exchange, the definition, PyTorch, invalid gradOutput. */
export const gradientCases: readonly KitCase[] = [
  finiteDifferenceCase('ct-1d', 'convTranspose', [2, 3, 5], [3, 2, 3], {
    stride: 2,
    padding: 1,
    outputPadding: 1,
  }),
  finiteDifferenceCase('ct-2d', 'convTranspose', [1, 4, 3, 4], [4, 2, 3, 2], {
    stride: [2, 1],
    dilation: [1, 2],
    groups: 2,
    padding: [1, 0],
  }),
  finiteDifferenceCase('ct-3d', 'convTranspose', [1, 2, 2, 3, 2], [2, 2, 2, 2, 3], {
    stride: [1, 2, 2],
    padding: [0, 1, 1],
  }),
  finiteDifferenceCase('conv-1d', 'conv', [2, 2, 9], [3, 2, 3], { stride: 2, padding: 1, dilation: 2 }),
  finiteDifferenceCase('conv-2d', 'conv', [1, 4, 6, 5], [4, 2, 3, 3], { stride: 2, padding: 1, groups: 2 }),
  finiteDifferenceCase('conv-3d', 'conv', [1, 2, 4, 4, 3], [2, 2, 2, 3, 2], { stride: [1, 2, 1] }),
  exchangeCase('ct-1d', 'convTranspose', [2, 3, 7], [3, 2, 4], { stride: 3, dilation: 2, padding: 2 }),
  exchangeCase('ct-2d', 'convTranspose', [1, 4, 5, 5], [4, 3, 3, 3], {
    stride: 2,
    padding: 1,
    outputPadding: 1,
  }),
  exchangeCase('ct-3d', 'convTranspose', [1, 2, 3, 2, 3], [2, 4, 2, 3, 2], { stride: [2, 1, 2], groups: 2 }),
  exchangeCase('conv-1d', 'conv', [2, 2, 12], [3, 2, 4], { stride: 3, padding: 1 }),
  exchangeCase('conv-2d', 'conv', [1, 3, 8, 8], [4, 3, 3, 3], { stride: 2, padding: 1 }),
  exchangeCase('conv-3d', 'conv', [1, 4, 4, 5, 3], [2, 2, 2, 3, 2], {
    stride: [1, 2, 2],
    groups: 2,
    dilation: [2, 1, 1],
  }),
  definitionCase(
    'keras-same-k1-s3',
    "Keras 'same', kernel 1 < stride 3: the gradient of a zero-extended output",
    KERAS,
    'convTranspose',
    [1, 2, 3, 4],
    [2, 3, 1, 2],
    { stride: 3, padding: 'same' },
    ['keras', 'same', 'kernel-smaller-than-stride'],
  ),
  definitionCase(
    'keras-same-3d',
    "Keras 'same' in 3D, kernel smaller than stride on two axes",
    KERAS,
    'convTranspose',
    [1, 2, 2, 2, 3],
    [2, 2, 1, 2, 3],
    { stride: [2, 3, 2], padding: 'same' },
    ['keras', 'same'],
  ),
  definitionCase(
    'onnx-same-lower-negative',
    "ONNX 'same-lower', total padding −1 and −2: the output is extended at the start",
    ONNX,
    'convTranspose',
    [1, 3, 3, 2],
    [3, 2, 2, 1],
    { stride: 3, padding: 'same-lower' },
    ['onnx', 'same-lower', 'negative-padding'],
  ),
  definitionCase(
    'onnx-same-upper-negative-1d',
    "ONNX 'same-upper', 1D, stride 4, total −2, bias",
    ONNX,
    'convTranspose',
    [2, 2, 4],
    [2, 2, 2],
    { stride: 4, padding: 'same-upper', bias: [0.5, -1] },
    ['onnx', 'same-upper', 'negative-padding', 'bias'],
  ),
  definitionCase(
    'onnx-same-upper-negative-1d',
    "ONNX 'same-upper', 1D, stride 4, total −2 (float64)",
    ONNX,
    'convTranspose',
    [2, 2, 4],
    [2, 2, 2],
    { stride: 4, padding: 'same-upper' },
    ['onnx', 'same-upper', 'negative-padding'],
    'float64',
  ),
  definitionCase(
    'keras-same-output-size',
    "Keras 'same' with an explicit output size and groups",
    KERAS,
    'convTranspose',
    [1, 4, 3, 3],
    [4, 1, 2, 2],
    { stride: 3, padding: 'same', groups: 2, outputSize: [8, 9] },
    ['keras', 'same', 'output-size', 'groups'],
  ),
  definitionCase(
    'conv-same',
    "conv 'same' with stride 2, asymmetric padding",
    KERAS,
    'conv',
    [1, 3, 6, 7],
    [2, 3, 3, 2],
    { stride: 2, padding: 'same' },
    ['keras', 'same', 'conv'],
  ),
  ...torchCases,
  invalidCase('convTranspose', 'shape'),
  invalidCase('convTranspose', 'dtype'),
  invalidCase('conv', 'shape'),
  invalidCase('conv', 'dtype'),
];
