import type { ConvGeometry } from '@tconv/core';
import type { KernelSpec } from '../kernel-spec';
import { axes, bindings, DIV_HELPERS, entry } from '../kernel-spec';
import { axisFields, params, product, rowMajorStrides } from '../params';
import type { Tile } from './phase-tiled';

/** Threads per workgroup of the tiled convolution. */
export const CONV_TILED_WORKGROUP = 64;

/** The register tile of a convolution: as the transposed kernel's, by output channels per group. */
export function chooseConvTile(g: ConvGeometry): Tile {
  const c = g.outChannelsPerGroup;
  if (c >= 8) return { channels: 8, positions: 4 };
  if (c >= 4) return { channels: 4, positions: 4 };
  return { channels: c, positions: c <= 2 ? 16 : 8 };
}

/**
 * The convolution (cross-correlation) as an implicit GEMM with register tiles: an invocation
 * computes `channels` output channels × `positions` consecutive outputs of the last axis. On the
 * other axes only the taps inside the input are visited; on the last axis the taps that reach
 * the input for some output of the tile, each output reading zero outside it (clamped index,
 * select). Per tap and input channel: `channels + positions` loads for `channels·positions`
 * multiply-adds. Any spatial rank. Also the input gradient of a transposed convolution (the
 * convolution on its adjoint geometry).
 */
export function convTiled(g: ConvGeometry, tile: Tile = chooseConvTile(g)): KernelSpec {
  const r = g.rank;
  const L = r - 1;
  const TM = tile.channels;
  const TN = tile.positions;
  const blocks = Math.ceil(g.outputSize[L]! / TN);
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
    ['wCo', g.inChannelsPerGroup * kPlane],
    ['hasBias', 0],
    ...axisFields('out', g.outputSize),
    ...axisFields('in', g.inputSize),
    ...axisFields('k', g.kernelSize),
    ...axisFields('s', g.stride),
    ...axisFields('d', g.dilation),
    ...axisFields('pb', g.padBegin),
    ...axisFields('xs', rowMajorStrides(g.inputSize)),
    ...axisFields('ws', rowMajorStrides(g.kernelSize)),
    ...axisFields('ys', rowMajorStrides(g.outputSize)),
  ]);
  const total = g.batch * g.groups * channelBlocks * product(g.outputSize.slice(0, L)) * blocks;
  p.values[2] = total;
  const M = Array.from({ length: TM }, (_, m) => m);
  const T = Array.from({ length: TN }, (_, t) => t);
  const source = (): string => {
    const A = axes(r);
    let s = DIV_HELPERS + bindings(['x', 'w', 'bias'], false, p.names) + entry(CONV_TILED_WORKGROUP);
    s += `  var q = idx;\n  let o${L} = (q % p.blocks) * ${TN}; q = q / p.blocks;\n`;
    for (const a of A.slice(0, L).reverse()) s += `  let o${a} = q % p.out${a}; q = q / p.out${a};\n`;
    s += `  let co0 = (q % p.cob) * ${TM}; q = q / p.cob;
  let g = q % p.groups; let n = q / p.groups;
  let xBase = (n * p.cin + g * p.cinG) * p.inPlane;
  let wBase = (g * p.coutG + co0) * p.wCo;
`;
    for (const a of A) {
      // taps reaching the input: t + k·d in [0, in) (on the last axis for some output of the tile)
      const last = a === L ? ` + ${TN - 1} * p.s${a}` : '';
      s += `  let t${a} = o${a} * p.s${a} - p.pb${a};
  let lo${a} = max(0, ceilDiv(-(t${a}${last}), p.d${a}));
  let hi${a} = min(p.k${a}, floorDiv(p.in${a} - 1 - t${a}, p.d${a}) + 1);
`;
    }
    for (const m of M) s += `  let wm${m} = min(${m}, p.coutG - 1 - co0) * p.wCo;\n`;
    for (const m of M) for (const t of T) s += `  var a${m}_${t} = 0.0;\n`;
    let ind = '  ';
    for (const a of A) {
      s += `${ind}for (var k${a} = lo${a}; k${a} < hi${a}; k${a} = k${a} + 1) {\n`;
      ind += '  ';
    }
    s += `${ind}let iL = t${L} + k${L} * p.d${L};\n`;
    for (const t of T) {
      s += `${ind}let v${t} = iL + ${t} * p.s${L} >= 0 && iL + ${t} * p.s${L} < p.in${L};
${ind}let c${t} = clamp(iL + ${t} * p.s${L}, 0, p.in${L} - 1);
`;
    }
    const xo = ['xBase', ...A.slice(0, L).map((a) => `(t${a} + k${a} * p.d${a}) * p.xs${a}`)].join(' + ');
    const wo = ['wBase', ...A.map((a) => `k${a} * p.ws${a}`)].join(' + ');
    s += `${ind}var xo = ${xo};\n${ind}var wo = ${wo};\n${ind}for (var c = 0; c < p.cinG; c = c + 1) {\n`;
    for (const t of T) s += `${ind}  let x${t} = select(0.0, x[xo + c${t}], v${t});\n`;
    for (const m of M) s += `${ind}  let w${m} = w[wo + wm${m}];\n`;
    for (const m of M) for (const t of T) s += `${ind}  a${m}_${t} = a${m}_${t} + w${m} * x${t};\n`;
    s += `${ind}  xo = xo + p.inPlane;\n${ind}  wo = wo + p.kPlane;\n${ind}}\n`;
    for (const _ of A) {
      ind = ind.slice(2);
      s += `${ind}}\n`;
    }
    const yo = A.slice(0, L).map((a) => `o${a} * p.ys${a}`);
    s += `  let yBase = (n * p.cout + g * p.coutG + co0) * p.outPlane${yo.length ? ` + ${yo.join(' + ')}` : ''} + o${L};\n`;
    for (const m of M) {
      s += `  if (co0 + ${m} < p.coutG) {
    var b${m} = 0.0;
    if (p.hasBias != 0) { b${m} = bias[g * p.coutG + co0 + ${m}]; }
`;
      for (const t of T) {
        s += `    if (o${L} + ${t} < p.out${L}) { y[yBase + ${m} * p.outPlane + ${t}] = a${m}_${t} + b${m}; }\n`;
      }
      s += '  }\n';
    }
    return `${s}}\n`;
  };
  return {
    key: `conv-tiled-${r}-${TM}x${TN}`,
    source,
    params: p,
    total,
    workgroupSize: CONV_TILED_WORKGROUP,
    operands: 3,
  };
}
