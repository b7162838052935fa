import type { ConvTransposeGeometry } from '@tconv/core';
import type { KernelSpec } from '../kernel-spec';
import { axes, bindings, entry } from '../kernel-spec';
import { axisFields, params, product, rowMajorStrides } from '../params';
import { firstTaps } from './direct';

/**
 * Threads per workgroup of the tiled kernel: 256 when there are at least 64 such workgroups
 * (SwiftShader: 10–20 % over 64 on dcgan-16to32 and k3s1-same), else 64 so that small layers still
 * spread over several workgroups.
 */
export function tiledWorkgroup(invocations: number): number {
  return invocations >= 64 * 256 ? 256 : 64;
}

/** A register tile: output channels × consecutive positions of one stride phase on the last axis. */
export interface Tile {
  /** Output channels per invocation. */
  readonly channels: number;
  /** Positions per invocation along the last axis (outputs `φ + s·j`, `j = j0 … j0 + positions − 1`). */
  readonly positions: number;
}

/**
 * The tile a geometry takes: 8 × 4 with many output channels per group (each step over the input
 * channels loads 8 weights and 4 inputs for 32 multiply-adds, instead of 2 loads per multiply-add
 * in the direct kernel), 4 × 4 with a few, and for thin groups (depthwise, iSTFT-like layers with
 * one output channel) exactly the channels there are × 8 positions.
 */
export function chooseTile(g: ConvTransposeGeometry): Tile {
  const c = g.outChannelsPerGroup;
  if (c >= 8) return { channels: 8, positions: 4 };
  if (c >= 4) return { channels: 4, positions: 4 };
  return { channels: c, positions: c <= 2 ? 4 : 8 };
}

/**
 * The stride-phase implicit GEMM of a transposed convolution with register tiles. On each axis
 * the outputs `φ, φ+s, φ+2s, …` (one stride phase) are reached by the same taps, each reading the
 * input at a fixed shift: `i = j + (φ + padBegin − k·dilation)/s`. An invocation computes a tile of
 * `channels` output channels × `positions` consecutive phase positions of the last axis, for one
 * phase and one position on the other axes, so every tap and input channel costs
 * `channels + positions` loads for `channels·positions` multiply-adds and no multiplication by a
 * zero a stride inserts. Invocations are ordered position-fastest within a phase, so a workgroup
 * shares its phase and taps unless a phase is smaller than a workgroup. Inputs outside the input read as zero through a
 * clamped index and a select; outputs past the end are not written. Any spatial rank.
 */
export function convTransposeTiled(g: ConvTransposeGeometry, tile: Tile = chooseTile(g)): KernelSpec {
  const r = g.rank;
  const L = r - 1;
  const TM = tile.channels;
  const TN = tile.positions;
  const { table, offsets, steps } = firstTaps(g);
  const phaseLength = g.outputSize.map((o, a) => Math.ceil(o / g.stride[a]!));
  const blocks = Math.ceil(phaseLength[L]! / TN);
  const channelBlocks = Math.ceil(g.outChannelsPerGroup / TM);
  const kPlane = product(g.kernelSize);
  const p = params([
    ['cin', g.inChannels],
    ['cinG', g.inChannelsPerGroup],
    ['cout', g.outChannels],
    ['coutG', g.outChannelsPerGroup],
    ['groups', g.groups],
    ['cob', channelBlocks],
    ['blocks', blocks],
    ['inPlane', product(g.inputSize)],
    ['outPlane', product(g.outputSize)],
    ['kPlane', kPlane],
    ['wStep', g.outChannelsPerGroup * kPlane],
    ['hasBias', 0],
    ...axisFields('out', g.outputSize),
    ...axisFields('in', g.inputSize),
    ...axisFields('k', g.kernelSize),
    ...axisFields('s', g.stride),
    ...axisFields('d', g.dilation),
    ...axisFields('pb', g.padBegin),
    ...axisFields('tab', offsets),
    ...axisFields('step', steps),
    ...axisFields(
      'di',
      steps.map((st, a) => (st * g.dilation[a]!) / g.stride[a]!),
    ),
    ...axisFields('J', phaseLength),
    ...axisFields('xs', rowMajorStrides(g.inputSize)),
    ...axisFields('ws', rowMajorStrides(g.kernelSize)),
    ...axisFields('ys', rowMajorStrides(g.outputSize)),
  ]);
  const total =
    g.batch * g.groups * channelBlocks * product(g.stride) * product(phaseLength.slice(0, L)) * blocks;
  p.values[2] = total;
  const wg = tiledWorkgroup(total);
  const M = Array.from({ length: TM }, (_, m) => m);
  const T = Array.from({ length: TN }, (_, t) => t);
  const source = (): string => {
    const A = axes(r);
    let s = bindings(['x', 'w', 'bias'], true, p.names);
    s += entry(wg);
    s += `  var q = idx;\n  let j${L} = (q % p.blocks) * ${TN}; q = q / p.blocks;\n`;
    for (const a of A.slice(0, L).reverse()) s += `  let j${a} = q % p.J${a}; q = q / p.J${a};\n`;
    for (const a of [...A].reverse()) s += `  let f${a} = q % p.s${a}; q = q / p.s${a};\n`;
    s += `  let co0 = (q % p.cob) * ${TM}; q = q / p.cob;
  let g = q % p.groups; let n = q / p.groups;
`;
    for (const a of A) {
      s += `  if (f${a} + p.s${a} * j${a} >= p.out${a}) { return; }
  let t${a} = f${a} + p.pb${a};
  let r${a} = ((t${a} % p.s${a}) + p.s${a}) % p.s${a};
`;
    }
    s += `  let xBase = (n * p.cin + g * p.cinG) * p.inPlane;
  let wBase = (g * p.cinG * p.coutG + co0) * p.kPlane;
`;
    // channels past the group's end read a valid weight (clamped) and are not written
    for (const m of M) s += `  let wm${m} = min(${m}, p.coutG - 1 - co0) * p.kPlane;\n`;
    for (const m of M) for (const t of T) s += `  var a${m}_${t} = 0.0;\n`;
    let ind = '  ';
    for (const a of A) {
      // the input index falls by di = dilation / gcd(stride, dilation) per tap step: one division per axis
      s += `${ind}var k${a} = tab[p.tab${a} + r${a}];
${ind}var i${a} = j${a} + (t${a} - k${a} * p.d${a}) / p.s${a};
${ind}loop {
${ind}  if (k${a} >= p.k${a}) { break; }
`;
      if (a < L) {
        s += `${ind}  if (i${a} < 0) { break; }\n${ind}  if (i${a} >= p.in${a}) { continue; }\n`;
      } else {
        s += `${ind}  if (i${a} + ${TN - 1} < 0) { break; }\n${ind}  if (i${a} >= p.in${a}) { continue; }\n`;
        for (const t of T) {
          s += `${ind}  let v${t} = i${a} + ${t} >= 0 && i${a} + ${t} < p.in${a};
${ind}  let c${t} = clamp(i${a} + ${t}, 0, p.in${a} - 1);
`;
        }
      }
      ind += '  ';
    }
    const xo = ['xBase', ...A.slice(0, L).map((a) => `i${a} * p.xs${a}`)].join(' + ');
    const wo = ['wBase', ...A.map((a) => `k${a} * p.ws${a}`)].join(' + ');
    s += `${ind}var xo = ${xo};\n${ind}var wo = ${wo};\n${ind}for (var c = 0; c < p.cinG; c = c + 1) {\n`;
    for (const t of T) s += `${ind}  let x${t} = select(0.0, x[xo + c${t}], v${t});\n`;
    for (const m of M) s += `${ind}  let w${m} = w[wo + wm${m}];\n`;
    for (const m of M) for (const t of T) s += `${ind}  a${m}_${t} = a${m}_${t} + w${m} * x${t};\n`;
    s += `${ind}  xo = xo + p.inPlane;\n${ind}  wo = wo + p.wStep;\n${ind}}\n`;
    for (const a of [...A].reverse()) {
      ind = ind.slice(2);
      s += `${ind}  continuing { k${a} = k${a} + p.step${a}; i${a} = i${a} - p.di${a}; }\n${ind}}\n`;
    }
    const yo = A.slice(0, L).map((a) => `(f${a} + p.s${a} * j${a}) * p.ys${a}`);
    s += `  let yBase = (n * p.cout + g * p.coutG + co0) * p.outPlane${yo.length ? ` + ${yo.join(' + ')}` : ''};\n`;
    for (const m of M) {
      s += `  if (co0 + ${m} < p.coutG) {
    var b${m} = 0.0;
    if (p.hasBias != 0) { b${m} = bias[g * p.coutG + co0 + ${m}]; }
`;
      for (const t of T) {
        s += `    let o${m}_${t} = f${L} + p.s${L} * (j${L} + ${t});
    if (o${m}_${t} < p.out${L}) { y[yBase + ${m} * p.outPlane + o${m}_${t}] = a${m}_${t} + b${m}; }
`;
      }
      s += '  }\n';
    }
    return `${s}}\n`;
  };
  return {
    key: `convTranspose-tiled-${r}-${TM}x${TN}-${wg}`,
    source,
    params: p,
    total,
    workgroupSize: wg,
    operands: 3,
    table,
  };
}
