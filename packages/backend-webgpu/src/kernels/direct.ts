import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import type { KernelSpec } from '../kernel-spec';
import { axes, bindings, entry } from '../kernel-spec';
import { axisFields, params, product, rowMajorStrides, setParam } from '../params';

/** Threads per workgroup of the direct kernels (one output element each). */
export const DIRECT_WORKGROUP = 64;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The stride-phase tables of a transposed convolution, all axes concatenated: for axis `a` and
 * residue `r` of `(o + padBegin) mod stride`, the first tap `k` with `k·dilation ≡ r (mod stride)`
 * (or the kernel size when there is none). Further taps of that output follow every
 * `stride / gcd(stride, dilation)`, so a kernel visits only the taps that land on its output and
 * never multiplies by a zero the stride inserts.
 */
export function firstTaps(g: ConvTransposeGeometry): {
  table: Int32Array;
  offsets: number[];
  steps: number[];
} {
  const offsets: number[] = [];
  const steps: number[] = [];
  const entries: number[] = [];
  for (let a = 0; a < g.rank; a++) {
    const s = g.stride[a]!;
    const d = g.dilation[a]!;
    const k = g.kernelSize[a]!;
    const step = s / gcd(s, d);
    offsets.push(entries.length);
    steps.push(step);
    const first = new Array<number>(s).fill(k);
    for (let t = Math.min(step, k) - 1; t >= 0; t--) first[(t * d) % s] = t;
    entries.push(...first);
  }
  return { table: Int32Array.from(entries), offsets, steps };
}

/**
 * The general exact transposed convolution: one invocation per output element gathers from the
 * input positions that scatter onto it. On each axis the first tap comes from the stride-phase
 * table and the next ones every `step` taps, the input index `(o + padBegin − k·dilation) / stride`
 * is then exact and decreases, so the loop stops at the first one below zero. The innermost loop
 * runs over the group's input channels with fixed strides. Any spatial rank (code generated per rank).
 */
export function convTransposeDirect(g: ConvTransposeGeometry): KernelSpec {
  const r = g.rank;
  const { table, offsets, steps } = firstTaps(g);
  const inPlane = product(g.inputSize);
  const kPlane = product(g.kernelSize);
  const p = params([
    ['cin', g.inChannels],
    ['cinG', g.inChannelsPerGroup],
    ['cout', g.outChannels],
    ['coutG', g.outChannelsPerGroup],
    ['inPlane', inPlane],
    ['kPlane', kPlane],
    ['hasBias', 0],
    ['wStep', g.outChannelsPerGroup * kPlane],
    ...axisFields('out', g.outputSize),
    ...axisFields('in', g.inputSize),
    ...axisFields('k', g.kernelSize),
    ...axisFields('s', g.stride),
    ...axisFields('d', g.dilation),
    ...axisFields('pb', g.padBegin),
    ...axisFields('tab', offsets),
    ...axisFields('step', steps),
    ...axisFields('xs', rowMajorStrides(g.inputSize)),
    ...axisFields('ws', rowMajorStrides(g.kernelSize)),
  ]);
  const total = product(g.outputShape);
  p.values[2] = total;
  const source = (): string => {
    const A = axes(r);
    let s = bindings(['x', 'w', 'bias'], true, p.names);
    s += entry(DIRECT_WORKGROUP);
    s += '  var q = idx;\n';
    for (const a of [...A].reverse()) s += `  let o${a} = q % p.out${a}; q = q / p.out${a};\n`;
    s += `  let co = q % p.cout; let n = q / p.cout;
  let g = co / p.coutG;
  let xBase = (n * p.cin + g * p.cinG) * p.inPlane;
  let wBase = (g * p.cinG * p.coutG + co - g * p.coutG) * p.kPlane;
  var acc = 0.0;
`;
    for (const a of A) {
      s += `  let t${a} = o${a} + p.pb${a};\n  let r${a} = ((t${a} % p.s${a}) + p.s${a}) % p.s${a};\n`;
    }
    let indent = '  ';
    for (const a of A) {
      s += `${indent}for (var k${a} = tab[p.tab${a} + r${a}]; k${a} < p.k${a}; k${a} = k${a} + p.step${a}) {
${indent}  let i${a} = (t${a} - k${a} * p.d${a}) / p.s${a};
${indent}  if (i${a} < 0) { break; }
${indent}  if (i${a} >= p.in${a}) { continue; }
`;
      indent += '  ';
    }
    const xo = A.map((a) => `i${a} * p.xs${a}`).join(' + ');
    const wo = A.map((a) => `k${a} * p.ws${a}`).join(' + ');
    s += `${indent}var xo = xBase + ${xo};
${indent}var wo = wBase + ${wo};
${indent}for (var c = 0; c < p.cinG; c = c + 1) {
${indent}  acc = acc + x[xo] * w[wo];
${indent}  xo = xo + p.inPlane;
${indent}  wo = wo + p.wStep;
${indent}}
`;
    for (const _ of A) {
      indent = indent.slice(2);
      s += `${indent}}\n`;
    }
    s += `  if (p.hasBias != 0) { acc = acc + bias[co]; }
  y[idx] = acc;
}
`;
    return s;
  };
  return {
    key: `convTranspose-direct-${r}`,
    source,
    params: p,
    total,
    workgroupSize: DIRECT_WORKGROUP,
    operands: 3,
    table,
  };
}

/**
 * The general exact convolution (cross-correlation): one invocation per output element; on each
 * axis only the taps that read inside the input are visited (`lo ≤ k < hi` from the padding), so
 * no bounds test runs per tap. Any spatial rank.
 */
export function convDirect(g: ConvGeometry): KernelSpec {
  const r = g.rank;
  const inPlane = product(g.inputSize);
  const kPlane = product(g.kernelSize);
  const p = params([
    ['cin', g.inChannels],
    ['cinG', g.inChannelsPerGroup],
    ['cout', g.outChannels],
    ['coutG', g.outChannelsPerGroup],
    ['inPlane', inPlane],
    ['kPlane', kPlane],
    ['hasBias', 0],
    ...axisFields('out', g.outputSize),
    ...axisFields('in', g.inputSize),
    ...axisFields('k', g.kernelSize),
    ...axisFields('s', g.stride),
    ...axisFields('d', g.dilation),
    ...axisFields('pb', g.padBegin),
    ...axisFields('xs', rowMajorStrides(g.inputSize)),
    ...axisFields('ws', rowMajorStrides(g.kernelSize)),
  ]);
  const total = product(g.outputShape);
  p.values[2] = total;
  const source = (): string => {
    const A = axes(r);
    let s = bindings(['x', 'w', 'bias'], false, p.names);
    s += entry(DIRECT_WORKGROUP);
    s += '  var q = idx;\n';
    for (const a of [...A].reverse()) s += `  let o${a} = q % p.out${a}; q = q / p.out${a};\n`;
    s += `  let co = q % p.cout; let n = q / p.cout;
  let g = co / p.coutG;
  let xBase = (n * p.cin + g * p.cinG) * p.inPlane;
  let wBase = co * p.cinG * p.kPlane;
  var acc = 0.0;
`;
    for (const a of A) {
      // taps k with 0 ≤ t + k·d ≤ in − 1
      s += `  let t${a} = o${a} * p.s${a} - p.pb${a};
  let lo${a} = select(0, (p.d${a} - 1 - t${a}) / p.d${a}, t${a} < 0);
  let hi${a} = select(0, min(p.k${a}, (p.in${a} - 1 - t${a}) / p.d${a} + 1), t${a} < p.in${a});
`;
    }
    let indent = '  ';
    for (const a of A) {
      s += `${indent}for (var k${a} = lo${a}; k${a} < hi${a}; k${a} = k${a} + 1) {\n`;
      indent += '  ';
    }
    const xo = A.map((a) => `(t${a} + k${a} * p.d${a}) * p.xs${a}`).join(' + ');
    const wo = A.map((a) => `k${a} * p.ws${a}`).join(' + ');
    s += `${indent}var xo = xBase + ${xo};
${indent}var wo = wBase + ${wo};
${indent}for (var c = 0; c < p.cinG; c = c + 1) {
${indent}  acc = acc + x[xo] * w[wo];
${indent}  xo = xo + p.inPlane;
${indent}  wo = wo + p.kPlane;
${indent}}
`;
    for (const _ of A) {
      indent = indent.slice(2);
      s += `${indent}}\n`;
    }
    s += `  if (p.hasBias != 0) { acc = acc + bias[co]; }
  y[idx] = acc;
}
`;
    return s;
  };
  return { key: `conv-direct-${r}`, source, params: p, total, workgroupSize: DIRECT_WORKGROUP, operands: 3 };
}

/** Marks whether the bias operand holds real values (1) or is the zero placeholder (0). */
export function setBias(spec: KernelSpec, hasBias: boolean): void {
  setParam(spec, 'hasBias', hasBias ? 1 : 0);
}
