import type { ConvGeometry, ConvOptions, FloatArray, GeometryBase, Tensor } from '@tconv/core';
import {
  allocationFailed,
  checkTensor,
  describeValue,
  LimitError,
  product,
  resolveConv,
  ShapeError,
} from '@tconv/core';
import type { CsrMatrix } from './csr';
import { csrMatrix } from './csr';
import { MAX_NONZEROS } from './limits';

/**
 * The index map of a convolution, which is all the matrix needs: output position `o` and tap `k`
 * read input `o*stride + k*dilation - padBegin` on each axis. Weight `[outChannels, inChannels/groups, ...kernel]`.
 * Any `ConvGeometry` is one; so is core's `adjointGeometry(g)` of a transposed convolution `g`,
 * whose matrix W gives the transposed convolution as Wᵀ.
 */
export type ConvIndexMap = Pick<
  GeometryBase,
  | 'inChannels'
  | 'outChannels'
  | 'inChannelsPerGroup'
  | 'outChannelsPerGroup'
  | 'inputSize'
  | 'outputSize'
  | 'kernelSize'
  | 'stride'
  | 'dilation'
  | 'padBegin'
>;

/**
 * A convolution matrix: a {@link CsrMatrix} whose nonzero `j` is the weight element
 * `weight.data[weightIndex[j]]` (each weight tap appears once per output position it reaches).
 */
export interface ConvolutionMatrix extends CsrMatrix {
  readonly weightIndex: Int32Array;
}

/** For each axis and output position, the taps that read inside the input and where. */
function validTaps(map: ConvIndexMap): { taps: number[][][]; positions: number[][][] } {
  const taps: number[][][] = [];
  const positions: number[][][] = [];
  map.outputSize.forEach((out, a) => {
    const t: number[][] = [];
    const p: number[][] = [];
    for (let o = 0; o < out; o++) {
      const ks: number[] = [];
      const ps: number[] = [];
      for (let k = 0; k < map.kernelSize[a]!; k++) {
        const pos = o * map.stride[a]! + k * map.dilation[a]! - map.padBegin[a]!;
        if (pos >= 0 && pos < map.inputSize[a]!) {
          ks.push(k);
          ps.push(pos);
        }
      }
      t.push(ks);
      p.push(ps);
    }
    taps.push(t);
    positions.push(p);
  });
  return { taps, positions };
}

/**
 * The exact number of nonzeros of the matrix, from the geometry alone, in O(rank·size·kernel):
 * `outChannels · inChannels/groups · ∏_axes Σ_o (valid taps at o)`.
 */
export function countNonzeros(map: ConvIndexMap): number {
  let perPair = 1;
  map.outputSize.forEach((out, a) => {
    let count = 0;
    for (let o = 0; o < out; o++) {
      for (let k = 0; k < map.kernelSize[a]!; k++) {
        const pos = o * map.stride[a]! + k * map.dilation[a]! - map.padBegin[a]!;
        if (pos >= 0 && pos < map.inputSize[a]!) count++;
      }
    }
    perPair *= count;
  });
  return map.outChannels * map.inChannelsPerGroup * perPair;
}

/**
 * Builds the CSR matrix of a convolution over one batch item straight from its index map:
 * rows are output elements `(channel, ...position)` row-major, columns input elements; each row
 * lists its nonzeros in increasing column order. Never forms a dense matrix.
 * Each nonzero also records which weight element it holds (`weightIndex`): the weight gradient is
 * accumulated through it.
 * @throws `LimitError` when the exact nonzero count exceeds {@link MAX_NONZEROS}
 */
export function buildConvolutionMatrix(map: ConvIndexMap, weight: FloatArray): ConvolutionMatrix {
  const nnz = countNonzeros(map);
  if (nnz > MAX_NONZEROS) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      'weight',
      `the convolution matrix would have ${nnz} nonzeros, more than the limit of ${MAX_NONZEROS}; use @tconv/backend-cpu for problems this large`,
    );
  }
  const r = map.outputSize.length;
  const outPlane = product(map.outputSize);
  const inPlane = product(map.inputSize);
  const K = product(map.kernelSize);
  const inStride = new Array<number>(r);
  const kStride = new Array<number>(r);
  for (let a = r - 1, s = 1, ks = 1; a >= 0; a--) {
    inStride[a] = s;
    kStride[a] = ks;
    s *= map.inputSize[a]!;
    ks *= map.kernelSize[a]!;
  }
  const { taps, positions } = validTaps(map);
  const rows = map.outChannels * outPlane;
  let rowStart: Int32Array;
  let columns: Int32Array;
  let values: FloatArray;
  let weightIndex: Int32Array;
  try {
    rowStart = new Int32Array(rows + 1);
    columns = new Int32Array(nnz);
    values = weight instanceof Float64Array ? new Float64Array(nnz) : new Float32Array(nnz);
    weightIndex = new Int32Array(nnz);
  } catch (e) {
    // a refused allocation is a LimitError naming the matrix, not a raw RangeError
    return allocationFailed(
      e,
      4 * (rows + 1) + nnz * (12 + (weight instanceof Float64Array ? 4 : 0)),
      'sparse matrix',
    );
  }
  const o = new Array<number>(r).fill(0);
  const pick = new Array<number>(r).fill(0);
  let at = 0;
  for (let co = 0; co < map.outChannels; co++) {
    const group = Math.floor(co / map.outChannelsPerGroup);
    for (let p = 0; p < outPlane; p++) {
      let rest = p;
      for (let a = r - 1; a >= 0; a--) {
        o[a] = rest % map.outputSize[a]!;
        rest = Math.floor(rest / map.outputSize[a]!);
      }
      const lists = o.map((v, a) => taps[a]![v]!);
      const empty = lists.some((l) => l.length === 0);
      if (!empty) {
        for (let cig = 0; cig < map.inChannelsPerGroup; cig++) {
          const ci = group * map.inChannelsPerGroup + cig;
          const wBase = (co * map.inChannelsPerGroup + cig) * K;
          pick.fill(0);
          // odometer over the valid taps of every axis, last axis fastest: columns increase
          for (;;) {
            let col = ci * inPlane;
            let t = 0;
            for (let a = 0; a < r; a++) {
              col += positions[a]![o[a]!]![pick[a]!]! * inStride[a]!;
              t += lists[a]![pick[a]!]! * kStride[a]!;
            }
            columns[at] = col;
            values[at] = weight[wBase + t]!;
            weightIndex[at] = wBase + t;
            at++;
            let a = r - 1;
            while (a >= 0 && ++pick[a]! === lists[a]!.length) {
              pick[a] = 0;
              a--;
            }
            if (a < 0) break;
          }
        }
      }
      rowStart[co * outPlane + p + 1] = at;
    }
  }
  return { ...csrMatrix({ rows, cols: map.inChannels * inPlane, rowStart, columns, values }), weightIndex };
}

/**
 * The matrix W of the forward convolution `y = W·x` over one batch item (contract): rows are the
 * output elements (`C_out · spatial`, row-major), columns the input elements.
 * @param inputShape - `[N, C, ...spatial]` or `[C, ...spatial]`
 * @param weight - `[Cout, Cin/groups, ...kernel]`
 * @param options - the convolution's options
 * @example
 * ```ts
 * // d2l 13.10.3: a 3×3 input and the kernel [[1, 2], [3, 4]] give the 4×9 matrix
 * convolutionMatrix([1, 1, 3, 3], tensor([1, 2, 3, 4], [1, 1, 2, 2])).toDense();
 * // [[1, 2, 0, 3, 4, 0, 0, 0, 0], [0, 1, 2, 0, 3, 4, 0, 0, 0], [0, 0, 0, 1, 2, 0, 3, 4, 0], [0, 0, 0, 0, 1, 2, 0, 3, 4]]
 * ```
 */
export function convolutionMatrix(
  inputShape: readonly number[],
  weight: Tensor,
  options: ConvOptions = {},
): CsrMatrix {
  checkTensor(weight, 'weight');
  if (!Array.isArray(inputShape)) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'inputShape',
      `inputShape must be an array, but got ${describeValue(inputShape)}`,
    );
  }
  const full = inputShape.length === weight.shape.length - 1 ? [1, ...inputShape] : inputShape;
  const g: ConvGeometry = resolveConv(full, weight.shape, options);
  return buildConvolutionMatrix(g, weight.data);
}
