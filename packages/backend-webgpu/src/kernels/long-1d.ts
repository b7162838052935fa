import type { ConvTransposeGeometry } from '@tconv/core';
import type { KernelSpec } from '../kernel-spec';
import { bindings, entry } from '../kernel-spec';
import { params } from '../params';

/** Threads per workgroup of the long-kernel path. */
export const LONG_WORKGROUP = 64;

/**
 * Whether a transposed convolution takes the long-kernel path: one spatial axis, no dilation, a
 * stride of at least 4, a kernel at least twice the stride, and one or two output channels per
 * group — an inverse STFT or a vocoder's output layer (input [1, 512, 128], weight
 * [512, 1, 2048], stride 512), where the channel tile of the stride-phase GEMM has nothing to tile.
 */
export function takesLong1d(g: ConvTransposeGeometry): boolean {
  const s = g.stride[0]!;
  return (
    g.rank === 1 && g.dilation[0] === 1 && s >= 4 && g.kernelSize[0]! >= 2 * s && g.outChannelsPerGroup <= 2
  );
}

/**
 * The long-kernel transposed convolution in 1D. With dilation 1, output `o = r + s·u − padBegin`
 * (residue `r`) takes taps `k = r + s·m` and reads input `u − m`: consecutive residues share the
 * input they read and use consecutive taps. An invocation computes `TP` consecutive residues × `TN`
 * consecutive `u` (× the group's one or two output channels), so each input channel and tap row `m`
 * costs `TP` contiguous weight loads and `TN` input loads, shared, for `TP·TN` multiply-adds.
 * Taps past the kernel and residues past the stride read zero weights (clamped index, select).
 */
export function convTransposeLong1d(g: ConvTransposeGeometry): KernelSpec {
  const s = g.stride[0]!;
  const pb = g.padBegin[0]!;
  const out = g.outputSize[0]!;
  const TM = g.outChannelsPerGroup;
  const TP = TM === 1 ? 8 : 4;
  const TN = 8;
  const floorDiv = (a: number, b: number) => Math.floor(a / b);
  const u0 = floorDiv(pb, s);
  const uCount = floorDiv(pb + out - 1, s) - u0 + 1;
  const residueBlocks = Math.ceil(s / TP);
  const uBlocks = Math.ceil(uCount / TN);
  const K = g.kernelSize[0]!;
  const p = params([
    ['cin', g.inChannels],
    ['cinG', g.inChannelsPerGroup],
    ['cout', g.outChannels],
    ['coutG', TM],
    ['groups', g.groups],
    ['rb', residueBlocks],
    ['ub', uBlocks],
    ['u0', u0],
    ['s', s],
    ['pb', pb],
    ['out', out],
    ['inLen', g.inputSize[0]!],
    ['K', K],
    ['mMax', Math.ceil(K / s) - 1],
    ['wStep', TM * K],
    ['hasBias', 0],
  ]);
  const total = g.batch * g.groups * residueBlocks * uBlocks;
  p.values[2] = total;
  const C = Array.from({ length: TM }, (_, c) => c);
  const P = Array.from({ length: TP }, (_, i) => i);
  const T = Array.from({ length: TN }, (_, t) => t);
  const source = (): string => {
    let s2 = bindings(['x', 'w', 'bias'], false, p.names) + entry(LONG_WORKGROUP);
    s2 += `  var q = idx;
  let ua = p.u0 + (q % p.ub) * ${TN}; q = q / p.ub;
  let r0 = (q % p.rb) * ${TP}; q = q / p.rb;
  let g = q % p.groups; let n = q / p.groups;
  let xBase = (n * p.cin + g * p.cinG) * p.inLen;
  let wBase = g * p.cinG * p.wStep;
  // taps rows m with an input u − m inside [0, inLen) for some u of the tile
  let mLo = max(0, ua - p.inLen + 1);
  let mHi = min(p.mMax, ua + ${TN - 1});
`;
    for (const c of C) for (const i of P) for (const t of T) s2 += `  var a${c}_${i}_${t} = 0.0;\n`;
    s2 += `  for (var m = mLo; m <= mHi; m = m + 1) {
    let kRow = r0 + p.s * m;
`;
    for (const i of P) {
      s2 += `    let wv${i} = r0 + ${i} < p.s && kRow + ${i} < p.K;\n    let wk${i} = min(kRow + ${i}, p.K - 1);\n`;
    }
    for (const t of T) {
      s2 += `    let xv${t} = ua + ${t} - m >= 0 && ua + ${t} - m < p.inLen;\n    let xk${t} = clamp(ua + ${t} - m, 0, p.inLen - 1);\n`;
    }
    s2 += `    var xo = xBase;
    var wo = wBase;
    for (var ci = 0; ci < p.cinG; ci = ci + 1) {
`;
    for (const t of T) s2 += `      let x${t} = select(0.0, x[xo + xk${t}], xv${t});\n`;
    for (const c of C) {
      for (const i of P) s2 += `      let w${c}_${i} = select(0.0, w[wo + ${c} * p.K + wk${i}], wv${i});\n`;
      for (const i of P)
        for (const t of T) s2 += `      a${c}_${i}_${t} = a${c}_${i}_${t} + w${c}_${i} * x${t};\n`;
    }
    s2 += `      xo = xo + p.inLen;
      wo = wo + p.wStep;
    }
  }
`;
    for (const c of C) {
      s2 += `  var b${c} = 0.0;
  if (p.hasBias != 0) { b${c} = bias[g * p.coutG + ${c}]; }
  let yBase${c} = (n * p.cout + g * p.coutG + ${c}) * p.out;
`;
      for (const i of P) {
        for (const t of T) {
          s2 += `  { let o = r0 + ${i} + p.s * (ua + ${t}) - p.pb;
    if (r0 + ${i} < p.s && o >= 0 && o < p.out) { y[yBase${c} + o] = a${c}_${i}_${t} + b${c}; } }
`;
        }
      }
    }
    return `${s2}}\n`;
  };
  return {
    key: `convTranspose-long1d-${TM}`,
    source,
    params: p,
    total,
    workgroupSize: LONG_WORKGROUP,
    operands: 3,
  };
}
