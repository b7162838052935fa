import type { ConvTransposeGeometry } from './geometry';
import type { AxisPhase, StridePhases } from './phases';
import { axisPhases, slotOffsets, tapTables } from './phases';
import { product } from './product';

/*
 * The stride-phase layout: everything a backend needs to run the stride-phase (sub-pixel)
 * decomposition of a transposed convolution as dense register-tiled correlations, computed once in
 * core. The CPU backend executes it (backend-cpu/src/stride-phases.ts); the WebAssembly backend
 * serialises the same tables into its parameter block; a WebGPU backend can upload them as buffers.
 *
 * The layout, per batch item and group:
 * - the input is copied into a zero-margined buffer, one plane per input channel, `padPlane`
 *   elements apart; input row `q` (its leading coordinates, row-major) goes to
 *   `inputRowOffsets[q]` within a plane, its `rowLength` elements contiguous;
 * - each entry (one combination of residues, one per axis, that has outputs and taps) is a dense
 *   correlation: output `j` of its row `q` (`0 ≤ j < count`, `0 ≤ q < rows`) is
 *   `Σ_slot Σ_ci W[ci][co][kernelOffsets[slot]] · X[ci][rowInput[q] + j + shifts[slot]]`, written to
 *   `rowOutput[q] + j·stride[last]` of output channel `co`'s plane — no bounds checks, the margins
 *   keep every read inside;
 * - the weights are packed per entry, the entries one after another: tap `t` is slot `tapSlot[t]`
 *   of entry `tapEntry[t]`, whose slots start `entries[e].slotsBefore` slots into the packed panel
 *   (a backend multiplies by its slot size: input channels × its tile rows, plus any padding).
 *
 * Cost is bounded by the problem, not by its parameters: only residues below an axis' output
 * length have outputs, and only those are planned, so a stride of 1e8 on a three-element output
 * plans three residues (issue #16). Entries ≤ outputs; row tables ≤ output rows × residues of the
 * last axis; input row table = input rows; tap tables = kernel taps.
 */

/** What differs between backends that run the layout. */
export interface PhaseLayoutOptions {
  /**
   * Elements per cache line of the backend's element type: channel planes of the margined input
   * are an odd number of lines apart, so a tile's reads from every channel do not share an L1 set
   * (as a power-of-two distance would). Default 8 (float64 on 64-byte lines); 16 for float32.
   */
  readonly lineElements?: number;
}

/** One dense sub-problem of the layout: a combination of residues that has outputs and taps. */
export interface PhaseEntry {
  /** The residue on each axis: the entry holds outputs `residue + stride·j` on every axis. */
  readonly residues: readonly number[];
  /** Outputs along the last axis per row. */
  readonly count: number;
  /** Rows of outputs: the product of the other axes' output counts. */
  readonly rows: number;
  /** Tap combinations (slots) that reach it: the product of the axes' tap counts. */
  readonly taps: number;
  /** Slots of the entries before it: where its weights start in a packed panel, in slots. */
  readonly slotsBefore: number;
  /** Per slot: where it reads in a margined plane, relative to the position being computed. */
  readonly shifts: Int32Array;
  /** Per slot: the kernel tap (row-major over the kernel) whose weights it multiplies. */
  readonly kernelOffsets: Int32Array;
  /** Per row: the margined-plane offset of the row's output 0 (reads at `+ j + shifts[slot]`). */
  readonly rowInput: Int32Array;
  /** Per row: the offset of its output 0 in an output channel plane (output j at `+ j·stride[last]`). */
  readonly rowOutput: Int32Array;
}

/** The stride-phase layout of a transposed convolution; see the module comment. */
export interface PhaseLayout {
  /** Per axis, the phases of the residues that have outputs (`min(stride, output length)`). */
  readonly axes: readonly (readonly AxisPhase[])[];
  /** Per axis, zeros before and after the input so that every read of every entry is inside. */
  readonly marginBegin: readonly number[];
  readonly marginEnd: readonly number[];
  /** Row-major strides of a margined plane. */
  readonly pitch: readonly number[];
  /** Elements of one margined plane: `∏(input + margins)`. */
  readonly planeElements: number;
  /** Elements between margined channel planes: `planeElements` rounded up to an odd number of lines. */
  readonly padPlane: number;
  /** The nonempty entries, row-major over the residues (the last axis fastest). */
  readonly entries: readonly PhaseEntry[];
  /** Slots of all entries: the packed panel of one output channel tile holds this many. */
  readonly slots: number;
  /** Per kernel tap: the entry it contributes to, or −1 when it reaches no output. */
  readonly tapEntry: Int32Array;
  /** Per kernel tap: its slot within its entry (−1 with `tapEntry` −1). */
  readonly tapSlot: Int32Array;
  /** Per input row (leading coordinates, row-major): where its first element goes in a margined plane. */
  readonly inputRowOffsets: Int32Array;
  /** Input elements per row: the last axis' input length. */
  readonly rowLength: number;
}

/** The margins and the margined plane alone: what choosing a kernel needs, without the tables. */
export function phaseMargins(
  g: ConvTransposeGeometry,
  options: PhaseLayoutOptions = {},
): Pick<PhaseLayout, 'axes' | 'marginBegin' | 'marginEnd' | 'pitch' | 'planeElements' | 'padPlane'> {
  const lineElements = options.lineElements ?? 8;
  const axes: AxisPhase[][] = [];
  const marginBegin: number[] = [];
  const marginEnd: number[] = [];
  for (let a = 0; a < g.rank; a++) {
    const axis = axisPhases(g, a, Math.min(g.stride[a]!, g.outputSize[a]!));
    axes.push(axis.phases);
    marginBegin.push(axis.marginBegin);
    marginEnd.push(axis.marginEnd);
  }
  const pitch = new Array<number>(g.rank);
  let p = 1;
  for (let a = g.rank - 1; a >= 0; a--) {
    pitch[a] = p;
    p *= g.inputSize[a]! + marginBegin[a]! + marginEnd[a]!;
  }
  const lines = Math.ceil(p / lineElements);
  const padPlane = (lines % 2 === 0 ? lines + 1 : lines) * lineElements;
  return { axes, marginBegin, marginEnd, pitch, planeElements: p, padPlane };
}

/**
 * The stride-phase layout of a transposed convolution (see the module comment): margins, pitch,
 * plane distance, the nonempty residue combinations with their read offsets, kernel offsets and
 * per-row input and output offsets, where each input row goes, and where each tap is packed.
 * @example
 * ```ts
 * // DCGAN's k4 s2 p1 on 4×4: four entries (even/odd rows × even/odd columns), four taps each
 * const layout = phaseLayout(resolveConvTranspose([1, 8, 4, 4], [8, 8, 4, 4], { stride: 2, padding: 1 }));
 * layout.entries.map((e) => e.taps); // [4, 4, 4, 4]
 * ```
 */
export function phaseLayout(g: ConvTransposeGeometry, options: PhaseLayoutOptions = {}): PhaseLayout {
  const margins = phaseMargins(g, options);
  const { axes, marginBegin, pitch } = margins;
  const r = g.rank;
  const last = r - 1;
  const plan: StridePhases = { axes, marginBegin, marginEnd: margins.marginEnd };
  const outStride = new Array<number>(r);
  const kStride = new Array<number>(r);
  for (let a = last, o = 1, k = 1; a >= 0; a--) {
    outStride[a] = o;
    kStride[a] = k;
    o *= g.outputSize[a]!;
    k *= g.kernelSize[a]!;
  }
  // residue combinations row-major over the planned residues; entry index of each, or -1
  const total = product(axes.map((ph) => ph.length));
  const entryOf = new Int32Array(total).fill(-1);
  const entries: PhaseEntry[] = [];
  let slots = 0;
  for (let c = 0; c < total; c++) {
    const residues = new Array<number>(r);
    let rest = c;
    let taps = 1;
    let rows = 1;
    for (let a = last; a >= 0; a--) {
      const n = axes[a]!.length;
      residues[a] = rest % n;
      rest = (rest - residues[a]!) / n;
      const ph = axes[a]![residues[a]!]!;
      taps *= ph.taps.length;
      if (a < last) rows *= ph.count;
    }
    if (taps === 0) continue;
    entryOf[c] = entries.length;
    entries.push({
      residues,
      count: axes[last]![residues[last]!]!.count,
      rows,
      taps,
      slotsBefore: slots,
      shifts: Int32Array.from(slotOffsets(plan, residues, 'shifts', pitch)),
      kernelOffsets: Int32Array.from(slotOffsets(plan, residues, 'taps', kStride)),
      ...rowTables(g, axes, residues, rows, marginBegin, pitch, outStride),
    });
    slots += taps;
  }
  const { tapEntry, tapSlot } = tapTables(g, axes, entryOf);
  return {
    ...margins,
    entries,
    slots,
    tapEntry,
    tapSlot,
    inputRowOffsets: inputRowOffsets(g, marginBegin, pitch),
    rowLength: g.inputSize[last]!,
  };
}

/** Per row of an entry: the margined-plane offset of its first read and the output offset of its first output. */
function rowTables(
  g: ConvTransposeGeometry,
  axes: readonly (readonly AxisPhase[])[],
  residues: readonly number[],
  rows: number,
  marginBegin: readonly number[],
  pitch: readonly number[],
  outStride: readonly number[],
): { rowInput: Int32Array; rowOutput: Int32Array } {
  const last = g.rank - 1;
  const rowInput = new Int32Array(rows);
  const rowOutput = new Int32Array(rows);
  for (let q = 0; q < rows; q++) {
    let rest = q;
    let xb = marginBegin[last]!;
    let ob = residues[last]!;
    for (let a = last - 1; a >= 0; a--) {
      const count = axes[a]![residues[a]!]!.count;
      const j = rest % count;
      rest = (rest - j) / count;
      xb += (j + marginBegin[a]!) * pitch[a]!;
      ob += (residues[a]! + g.stride[a]! * j) * outStride[a]!;
    }
    rowInput[q] = xb;
    rowOutput[q] = ob;
  }
  return { rowInput, rowOutput };
}

/** Per input row (leading coordinates, row-major): where its first element goes in a margined plane. */
function inputRowOffsets(
  g: ConvTransposeGeometry,
  marginBegin: readonly number[],
  pitch: readonly number[],
): Int32Array {
  const last = g.rank - 1;
  const rows = product(g.inputSize) / g.inputSize[last]!;
  const out = new Int32Array(rows);
  for (let q = 0; q < rows; q++) {
    let rest = q;
    let dst = marginBegin[last]!;
    for (let a = last - 1; a >= 0; a--) {
      const i = rest % g.inputSize[a]!;
      rest = (rest - i) / g.inputSize[a]!;
      dst += (i + marginBegin[a]!) * pitch[a]!;
    }
    out[q] = dst;
  }
  return out;
}
