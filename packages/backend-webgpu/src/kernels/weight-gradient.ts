import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import type { KernelSpec } from '../kernel-spec';
import { axes, bindings, DIV_HELPERS, entry } from '../kernel-spec';
import { axisFields, params, product, rowMajorStrides } from '../params';

/** Threads per workgroup of the weight-gradient reduction. */
export const WEIGHT_GRADIENT_WORKGROUP = 64;
/** Invocations the reduction aims for: fewer weights than this split their sums into parts. */
export const WEIGHT_GRADIENT_THREADS = 16_384;
/** At most this many partial sums per weight (summed afterwards in a fixed order: deterministic). */
export const WEIGHT_GRADIENT_MAX_PARTS = 256;

/**
 * Both weight gradients are one correlation: `dW[c0, c1, k] = Σ_n Σ_p A[n, c0, p] ·
 * B[n, g·bPerGroup + c1, p·stride + k·dilation − padBegin]` with `g = c0 / aPerGroup`. For a
 * transposed convolution A is the input and B the output gradient (weight `[Cin, Cout/g, …k]`); for
 * a convolution A is the output gradient and B the input (weight `[Cout, Cin/g, …k]`).
 */
interface Correlation {
  readonly rank: number;
  readonly batch: number;
  readonly aChannels: number;
  readonly aPerGroup: number;
  readonly bChannels: number;
  readonly bPerGroup: number;
  readonly aSize: readonly number[];
  readonly bSize: readonly number[];
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padBegin: readonly number[];
}

/** The correlation of a geometry's weight gradient (operands: A first, then B). */
export function weightCorrelation(g: ConvTransposeGeometry | ConvGeometry): Correlation {
  const x = { channels: g.inChannels, perGroup: g.inChannelsPerGroup, size: g.inputSize };
  const y = { channels: g.outChannels, perGroup: g.outChannelsPerGroup, size: g.outputSize };
  const [a, b] = g.kind === 'convTranspose' ? [x, y] : [y, x];
  return {
    rank: g.rank,
    batch: g.batch,
    aChannels: a.channels,
    aPerGroup: a.perGroup,
    bChannels: b.channels,
    bPerGroup: b.perGroup,
    aSize: a.size,
    bSize: b.size,
    kernelSize: g.kernelSize,
    stride: g.stride,
    dilation: g.dilation,
    padBegin: g.padBegin,
  };
}

/** How many partial sums each weight's reduction is split into. */
export function weightGradientParts(c: Correlation): number {
  const weights = c.aChannels * c.bPerGroup * product(c.kernelSize);
  const rows = c.batch * c.aSize[0]!;
  return Math.max(1, Math.min(Math.ceil(WEIGHT_GRADIENT_THREADS / weights), rows, WEIGHT_GRADIENT_MAX_PARTS));
}

/**
 * Partial weight gradients: invocation `j·W + e` sums part `j` of weight `e`'s reduction. On each
 * axis only the positions `p` whose partner `p·stride + k·dilation − padBegin` lies inside B are
 * visited (bounds from the tap, no test per position, no multiplication by a stride's zeros); the
 * batch and the first axis are flattened and cut into `parts` equal runs.
 */
export function weightGradientPartial(c: Correlation, parts: number): KernelSpec {
  const r = c.rank;
  const weights = c.aChannels * c.bPerGroup * product(c.kernelSize);
  const p = params([
    ['wCount', weights],
    ['parts', parts],
    ['batch', c.batch],
    ['aC', c.aChannels],
    ['aG', c.aPerGroup],
    ['bC', c.bChannels],
    ['bG', c.bPerGroup],
    ['aPlane', product(c.aSize)],
    ['bPlane', product(c.bSize)],
    ...axisFields('a', c.aSize),
    ...axisFields('b', c.bSize),
    ...axisFields('k', c.kernelSize),
    ...axisFields('s', c.stride),
    ...axisFields('d', c.dilation),
    ...axisFields('pb', c.padBegin),
    ...axisFields('as', rowMajorStrides(c.aSize)),
    ...axisFields('bs', rowMajorStrides(c.bSize)),
  ]);
  p.values[2] = weights * parts;
  const source = (): string => {
    const A = axes(r);
    let s = DIV_HELPERS + bindings(['A', 'B'], false, p.names);
    s += entry(WEIGHT_GRADIENT_WORKGROUP);
    s += '  let e = idx % p.wCount; let j = idx / p.wCount;\n  var q = e;\n';
    for (const a of [...A].reverse()) s += `  let k${a} = q % p.k${a}; q = q / p.k${a};\n`;
    s += `  let c1 = q % p.bG; let c0 = q / p.bG;
  let cb = (c0 / p.aG) * p.bG + c1;
`;
    for (const a of A) {
      // partner index p·s − u must lie in [0, b): p ≥ ceil(u / s), p ≤ floor((b − 1 + u) / s)
      s += `  let u${a} = p.pb${a} - k${a} * p.d${a};
  let lo${a} = max(0, ceilDiv(u${a}, p.s${a}));
  let hi${a} = min(p.a${a}, floorDiv(p.b${a} - 1 + u${a}, p.s${a}) + 1);
`;
    }
    s += `  var acc = 0.0;
  let len0 = max(hi0 - lo0, 0);
  let rows = p.batch * len0;
  let chunk = (rows + p.parts - 1) / p.parts;
  let f1 = min(rows, (j + 1) * chunk);
  for (var f = j * chunk; f < f1; f = f + 1) {
    let n = f / len0;
    let p0 = lo0 + f - n * len0;
    let aRow = (n * p.aC + c0) * p.aPlane + p0 * p.as0;
    let bRow = (n * p.bC + cb) * p.bPlane + (p0 * p.s0 - u0) * p.bs0;
`;
    let indent = '    ';
    for (const a of A.slice(1)) {
      s += `${indent}for (var p${a} = lo${a}; p${a} < hi${a}; p${a} = p${a} + 1) {\n`;
      indent += '  ';
    }
    const ao = ['aRow', ...A.slice(1).map((a) => `p${a} * p.as${a}`)].join(' + ');
    const bo = ['bRow', ...A.slice(1).map((a) => `(p${a} * p.s${a} - u${a}) * p.bs${a}`)].join(' + ');
    s += `${indent}acc = acc + A[${ao}] * B[${bo}];\n`;
    for (const _ of A.slice(1)) {
      indent = indent.slice(2);
      s += `${indent}}\n`;
    }
    s += `  }
  y[idx] = acc;
}
`;
    return s;
  };
  return {
    key: `weight-gradient-${r}`,
    source,
    params: p,
    total: weights * parts,
    workgroupSize: WEIGHT_GRADIENT_WORKGROUP,
    operands: 2,
  };
}

/** Sums the `parts` partial sums of each of `weights` weights, in order. */
export function sumParts(weights: number, parts: number): KernelSpec {
  const p = params([
    ['wCount', weights],
    ['parts', parts],
  ]);
  p.values[2] = weights;
  const source = (): string =>
    `${bindings(['part'], false, p.names)}${entry(WEIGHT_GRADIENT_WORKGROUP)}  var acc = 0.0;
  for (var j = 0; j < p.parts; j = j + 1) { acc = acc + part[j * p.wCount + idx]; }
  y[idx] = acc;
}
`;
  return {
    key: 'sum-parts',
    source,
    params: p,
    total: weights,
    workgroupSize: WEIGHT_GRADIENT_WORKGROUP,
    operands: 1,
  };
}

/**
 * Partial bias gradients: invocation `j·Cout + co` sums part `j` of output channel `co` of the
 * output gradient over the batch and its positions (flattened, cut into `parts` equal runs).
 */
export function biasGradientPartial(
  batch: number,
  channels: number,
  plane: number,
  parts: number,
): KernelSpec {
  const p = params([
    ['wCount', channels],
    ['parts', parts],
    ['batch', batch],
    ['plane', plane],
  ]);
  p.values[2] = channels * parts;
  const source = (): string =>
    `${bindings(['gy'], false, p.names)}${entry(WEIGHT_GRADIENT_WORKGROUP)}  let co = idx % p.wCount; let j = idx / p.wCount;
  let rows = p.batch * p.plane;
  let chunk = (rows + p.parts - 1) / p.parts;
  let f1 = min(rows, (j + 1) * chunk);
  var acc = 0.0;
  for (var f = j * chunk; f < f1; f = f + 1) {
    let n = f / p.plane;
    acc = acc + gy[(n * p.wCount + co) * p.plane + f - n * p.plane];
  }
  y[idx] = acc;
}
`;
  return {
    key: 'bias-gradient',
    source,
    params: p,
    total: channels * parts,
    workgroupSize: WEIGHT_GRADIENT_WORKGROUP,
    operands: 1,
  };
}
