import type { Backend, ConvOptions, ConvTransposeOptions, DType, Tensor } from '@tconv/core';
import { adjointGeometry, convOutputShape, geometryOptions, resolveConv, tensor } from '@tconv/core';
import { expectClose, MismatchError, seeded } from '../compare';
import { DOCS, defineCase } from '../define';
import { kitConv, kitConvTranspose } from '../reference';
import type { KitCase } from '../types';

interface Geometry {
  name: string;
  /** The forward convolution's input shape `[N, C, ...]`, weight `[Cout, Cin/groups, ...k]` and options. */
  x: number[];
  w: number[];
  options: ConvOptions;
}

const GEOMETRIES: Geometry[] = [
  { name: '1d-s2-p1', x: [1, 2, 9], w: [3, 2, 3], options: { stride: 2, padding: 1 } },
  {
    name: '2d-k3-s2-p1-groups2',
    x: [1, 4, 5, 6],
    w: [4, 2, 3, 3],
    options: { stride: 2, padding: 1, groups: 2 },
  },
  {
    name: '2d-dilation2-asym',
    x: [1, 2, 7, 7],
    w: [2, 2, 2, 3],
    options: { dilation: [2, 1], padding: { begin: [1, 0], end: [0, 2] } },
  },
  {
    name: '3d-s121',
    x: [1, 2, 4, 5, 3],
    w: [2, 2, 2, 3, 2],
    options: { stride: [1, 2, 1], padding: [0, 1, 1] },
  },
];

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const pickDtype = (backend: Backend): DType =>
  backend.capabilities?.dtypes?.includes('float64') === false ? 'float32' : 'float64';
const tol = (dtype: DType, scale: number) => ({
  atol: (dtype === 'float64' ? 1e-11 : 2e-5) * Math.max(1, scale),
  rtol: 0,
});

/** The transposed options that undo a convolution's shape: its adjoint's (core), same hyperparameters plus the output padding that restores the input size. */
function transposeOptions(g: Geometry): ConvTransposeOptions {
  return geometryOptions(adjointGeometry(resolveConv(g.x, g.w, g.options)));
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function forEachGeometry(make: (g: Geometry) => KitCase): KitCase[] {
  return GEOMETRIES.map(make);
}

const matrixCases = forEachGeometry((g) =>
  defineCase({
    id: `property/transpose-of-conv-matrix-${g.name}`,
    title: `convTranspose(y) = Wᵀ·y, W the (kit-built, dense) matrix of the convolution, ${g.name}`,
    source: `${DOCS.d2l}, 13.10.3; ${DOCS.tds}, "Why Transposed?"`,
    group: 'properties',
    ranks: [g.x.length - 2],
    tags: ['property', 'matrix', 'transpose'],
    async check(backend) {
      const dtype = pickDtype(backend);
      // W column j = the convolution of the j-th unit input (kit's own definition)
      const yShape = convOutputShape(g.x, g.w, g.options);
      const w = tensor(seeded(size(g.w), 31, dtype), g.w);
      const rows = size(yShape);
      const cols = size(g.x);
      const W = new Float64Array(rows * cols);
      for (let j = 0; j < cols; j++) {
        const unit = new Float64Array(cols);
        unit[j] = 1;
        const column = kitConv(tensor(unit, g.x), tensor(Float64Array.from(w.data), g.w), g.options).data;
        for (let i = 0; i < rows; i++) W[i * cols + j] = column[i]!;
      }
      const y = tensor(seeded(rows, 32, dtype), yShape);
      const expected = new Float64Array(cols);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) expected[j]! += W[i * cols + j]! * y.data[i]!;
      const z = await backend.convTranspose(y, w, transposeOptions(g));
      if (z.shape.join() !== g.x.join())
        throw new MismatchError(`shape [${z.shape}], expected [${g.x}]`, Number.POSITIVE_INFINITY);
      return expectClose(z.data, expected, tol(dtype, 10));
    },
  }),
);

const adjointCases = forEachGeometry((g) =>
  defineCase({
    id: `property/adjoint-${g.name}`,
    title: `⟨conv(x), y⟩ = ⟨x, convTranspose(y)⟩ with matching options, ${g.name}`,
    source: `${DOCS.d2l}, 13.10.3 (backpropagation multiplies by Wᵀ)`,
    group: 'properties',
    ranks: [g.x.length - 2],
    tags: ['property', 'adjoint'],
    async check(backend) {
      const dtype = pickDtype(backend);
      const x = tensor(seeded(size(g.x), 41, dtype), g.x);
      const w = tensor(seeded(size(g.w), 42, dtype), g.w);
      const cx = await backend.conv(x, w, g.options);
      const y = tensor(seeded(size(cx.shape), 43, dtype), cx.shape);
      const ty = await backend.convTranspose(y, w, transposeOptions(g));
      const lhs = dot(cx.data, y.data);
      const rhs = dot(x.data, ty.data);
      return expectClose([lhs], [rhs], tol(dtype, Math.abs(rhs)));
    },
  }),
);

const linearityCases = forEachGeometry((g) =>
  defineCase({
    id: `property/linearity-${g.name}`,
    title: `convTranspose(a·y1 + b·y2) = a·convTranspose(y1) + b·convTranspose(y2), ${g.name}`,
    source: `${DOCS.d2l}, 13.10.3 (a matrix multiplication is linear)`,
    group: 'properties',
    ranks: [g.x.length - 2],
    tags: ['property', 'linearity'],
    async check(backend) {
      const dtype = pickDtype(backend);
      const yShape = convOutputShape(g.x, g.w, g.options);
      const w = tensor(seeded(size(g.w), 51, dtype), g.w);
      const y1 = tensor(seeded(size(yShape), 52, dtype), yShape);
      const y2 = tensor(seeded(size(yShape), 53, dtype), yShape);
      const mix = tensor(
        y1.data.map((v, i) => 0.75 * v - 1.5 * y2.data[i]!),
        yShape,
      );
      const o = transposeOptions(g);
      const [a, b, c] = (await Promise.all([
        backend.convTranspose(y1, w, o),
        backend.convTranspose(y2, w, o),
        backend.convTranspose(mix, w, o),
      ])) as Tensor[];
      return expectClose(
        c!.data,
        a!.data.map((v, i) => 0.75 * v - 1.5 * b!.data[i]!),
        tol(dtype, 10),
      );
    },
  }),
);

const exercise = defineCase({
  id: 'property/restores-shape-not-values',
  title: 'd2l exercise 1: convTranspose(conv(X)) has the shape of X but not its values',
  source: `${DOCS.d2l}, 13.10.5 exercise 1; ${DOCS.gfg} (not the inverse); ${DOCS.tds}, Section 1`,
  group: 'properties',
  tags: ['property', 'round-trip'],
  async check(backend) {
    const X = tensor(
      Float32Array.from({ length: 9 }, (_, i) => i),
      [1, 1, 3, 3],
    );
    const K = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const Y = await backend.conv(X, K);
    const Z = await backend.convTranspose(Y, K);
    if (Z.shape.join() !== X.shape.join())
      throw new MismatchError(`shape [${Z.shape}], expected [${X.shape}]`, Number.POSITIVE_INFINITY);
    if (Array.from(Z.data).every((v, i) => v === X.data[i]))
      throw new MismatchError('the values were restored, which a transposed convolution does not do', 0);
    return 0;
  },
});

/**
 * Layers big enough that a fast backend takes its real kernels (tiles over channels and positions,
 * phases interleaved along rows), not the small-problem paths the other cases reach.
 */
const LAYERS: { name: string; x: number[]; w: number[]; options: ConvTransposeOptions }[] = [
  { name: '2d-k4-s2-p1-batch2', x: [2, 10, 8, 8], w: [10, 11, 4, 4], options: { stride: 2, padding: 1 } },
  {
    name: '2d-depthwise-k4-s2-op1',
    x: [1, 6, 12, 20],
    w: [6, 2, 4, 4],
    options: { stride: 2, padding: 1, outputPadding: 1, groups: 6 },
  },
  {
    name: '1d-k8-s4',
    x: [1, 9, 40],
    w: [9, 7, 8],
    options: { stride: 4, padding: 2, bias: [1, 2, 3, 4, 5, 6, 7] },
  },
];

const layerCases = LAYERS.map((l) =>
  defineCase({
    id: `property/layer-${l.name}`,
    title: `a layer-sized transposed convolution equals the definition, ${l.name}`,
    source: `${DOCS.d2l}, 13.10.1–2 (trans_conv with channels, stride and padding)`,
    group: 'properties',
    ranks: [l.x.length - 2],
    tags: ['property', 'layer'],
    async check(backend) {
      const dtype = pickDtype(backend);
      const x = tensor(seeded(size(l.x), 61, dtype), l.x);
      const w = tensor(seeded(size(l.w), 62, dtype), l.w);
      const options = l.options.bias
        ? {
            ...l.options,
            bias:
              dtype === 'float64'
                ? Float64Array.from(l.options.bias as number[])
                : Float32Array.from(l.options.bias as number[]),
          }
        : l.options;
      const y = await backend.convTranspose(x, w, options);
      const expected = kitConvTranspose(
        tensor(Float64Array.from(x.data), l.x),
        tensor(Float64Array.from(w.data), l.w),
        {
          ...l.options,
          ...(l.options.bias ? { bias: Float64Array.from(l.options.bias as number[]) } : {}),
        },
      );
      if (y.shape.join() !== expected.shape.join())
        throw new MismatchError(`shape [${y.shape}], expected [${expected.shape}]`, Number.POSITIVE_INFINITY);
      return expectClose(y.data, expected.data, tol(dtype, 10));
    },
  }),
);

/** The documents' claims as properties on seeded random inputs. */
export const propertyCases: readonly KitCase[] = [
  ...matrixCases,
  ...adjointCases,
  ...linearityCases,
  ...layerCases,
  exercise,
];
