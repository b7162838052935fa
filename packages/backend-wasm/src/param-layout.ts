// The one definition of every parameter block the JavaScript side writes into linear memory and
// the kernels in assembly/ read: names, order, sizes, and the few layout constants both sides use.
// scripts/build-wasm.mjs generates assembly/layout.generated.ts from this file (so a kernel reads
// `load<i32>(p + (PHASES_K << 2))`, never a bare index), and compiles a checksum of it into the
// binaries: instantiating kernels built from another layout is an error, not corrupted memory.

/**
 * A parameter block: `words` i32 words in this order, then (when `axes` is given) one array of
 * `rank` words per axis field, in this order.
 */
export interface BlockSchema {
  readonly words: readonly string[];
  readonly axes?: readonly string[];
}

/** Every parameter block and table entry, by name. */
export const BLOCKS = {
  /**
   * The direct kernels: transposed convolution by GEMM + col2im (`convTranspose`), and the
   * convolution (`conv`). Pointers are byte addresses; `c0`/`c1` are the output channels of each
   * group this part computes; `cols`/`colsCapacity` the column buffer (elements); `table` the tap
   * table the kernel fills (per tap its coordinates, then the strides of the side the taps reach);
   * `packed` the convolution's transposed weights (its part's channels); `columnPanel` the
   * transposed convolution's GEMM scratch for one block of 8 input columns ([cinG][8]).
   */
  direct: {
    words: [
      'rank',
      'batch',
      'inChannels',
      'outChannels',
      'groups',
      'inChannelsPerGroup',
      'outChannelsPerGroup',
      'x',
      'w',
      'out',
      'bias',
      'cols',
      'colsCapacity',
      'table',
      'c0',
      'c1',
      'packed',
      'columnPanel',
    ],
    axes: ['inputSize', 'outputSize', 'kernelSize', 'stride', 'dilation', 'padBegin'],
  },
  /**
   * The stride-phase kernels (`convTransposePhases`, `convTransposeThin`); followed by their tables,
   * whose pointers (`rowDst`, `tapInfo`, `phaseTable`, `dest`) are byte offsets from the block.
   * `padded` is the margined input (every batch item of one group), `padPlane` the elements between
   * its channel planes, `rowDst` per input row its element offset in a margined plane, `panel` the
   * packed weights, `blockChannels` the output channels packed at once (a multiple of
   * {@link PANEL_TILE_CHANNELS}), `dest` 2 words of scratch per tap for the packing.
   */
  phases: {
    words: [
      'batch',
      'groups',
      'inChannels',
      'outChannels',
      'inChannelsPerGroup',
      'outChannelsPerGroup',
      'x',
      'w',
      'out',
      'bias',
      'taps',
      'inPlane',
      'outPlane',
      'c0',
      'c1',
      'padded',
      'padPlane',
      'inputRows',
      'rowDst',
      'rowLength',
      'panel',
      'blockChannels',
      'tapInfo',
      'phaseCount',
      'phaseTable',
      'lastStride',
      'dest',
    ],
  },
  /**
   * One entry of the phases' phase table: outputs along the last axis, rows, taps, taps of the
   * phases before it, then byte offsets (from the block) of its shifts (per slot, the element
   * offset of its reads in the margined input), its rows (2 words each: the margined-input offset
   * of the row's first read, the output offset of its first output) and its kernel offsets (per
   * slot, the tap's index in a row of K weights); its residue on the last axis and the index of
   * its residues on the other axes.
   */
  phaseEntry: {
    words: [
      'count',
      'rows',
      'taps',
      'before',
      'shifts',
      'rowTable',
      'kernelOffsets',
      'lastResidue',
      'leadingResidues',
    ],
  },
  /** Per kernel tap in the phases' tap table: taps of its phase before it, its slot, its phase's taps. */
  tapInfo: { words: ['before', 'slot', 'phaseTaps'] },
  /**
   * The weight gradient (`weightGradient`): per group, dW[r][c·K + k] += Σ_i a[r][i] · b[c][i·stride
   * + k·dilation − padBegin] over the batch, `a` the tensor whose positions are summed (the input of
   * a transposed convolution, gradOutput of a convolution) and `b` the one read through the taps.
   * `c0`/`c1`: the `b` channels of each group this part computes; `aT`/`bT` its scratch for one
   * chunk of `chunk` positions (transposed copies), `table` the tap table it fills.
   */
  weightGradient: {
    words: [
      'rank',
      'batch',
      'groups',
      'aChannels',
      'aPerGroup',
      'bChannels',
      'bPerGroup',
      'a',
      'b',
      'out',
      'aT',
      'bT',
      'chunk',
      'table',
      'c0',
      'c1',
    ],
    axes: ['aSize', 'bSize', 'kernelSize', 'stride', 'dilation', 'padBegin'],
  },
  /**
   * The weight gradient by stride phases of the last axis (`weightGradientPhases`): the same sum as
   * `weightGradient`, with b's rows split per batch item into their phases (`phased`: per channel
   * c of a block of `blockChannels`, row of b and phase, `phaseLength` floats starting at shift
   * `minShift`, then a row of zeros), so every tap reads contiguous rows. `table`: per (tap, row of
   * `a`) the offset of the row it reads, then the kernel's own words (assembly/weight-gradient-phases.ts).
   */
  weightGradientPhases: {
    words: [
      'rank',
      'batch',
      'groups',
      'aChannels',
      'aPerGroup',
      'bChannels',
      'bPerGroup',
      'a',
      'b',
      'out',
      'c0',
      'c1',
      'phased',
      'phaseLength',
      'minShift',
      'table',
      'blockChannels',
    ],
    axes: ['aSize', 'bSize', 'kernelSize', 'stride', 'dilation', 'padBegin'],
  },
  /**
   * The lanes kernel (`convTransposeLanes`): cols = Wᵀ·X in 4 × 8 register tiles whose lanes run
   * along Wᵀ's rows (output channel, tap: the kernel's last axis, contiguous in the output when its
   * dilation is 1) and whose rows are 4 input positions of one input row, each tile added straight
   * into the output. `batch` and `groups` come first, at the indices they have in `phases` (a
   * batch or group split overwrites them by those indices). `packedX` holds every batch item's
   * input of one group as [position tile][cinG][4]; `packedW` one block of `blockTiles` tiles of
   * 8 rows of Wᵀ as [tile][cinG][8]; `leadTable` per (leading input position, leading tap) the
   * output offset of their leading coordinates, or −1 outside. `residueLo`/`residueHi`: a part of
   * a stride-phase split computes only the taps whose last-axis index modulo the last stride is
   * in [residueLo, residueHi) (multiples of 8, so whole tiles) and writes only the outputs they
   * reach (those whose last coordinate plus the padding has that residue); residueHi 0: every tap.
   */
  lanes: {
    words: [
      'batch',
      'groups',
      'rank',
      'inChannels',
      'outChannels',
      'inChannelsPerGroup',
      'outChannelsPerGroup',
      'x',
      'w',
      'out',
      'bias',
      'c0',
      'c1',
      'packedX',
      'packedW',
      'blockTiles',
      'leadTable',
      'residueLo',
      'residueHi',
    ],
    axes: ['inputSize', 'outputSize', 'kernelSize', 'stride', 'dilation', 'padBegin'],
  },
  /**
   * The convolution over the stride phases of its input's last axis (`convPhases`, the backward's
   * input gradient): `c0`/`c1` the output channels of each group this part computes; `phased` per
   * input channel of one group its rows' phases (`phaseLength` floats each, from shift `minShift`)
   * then a row of zeros; `table` per (tap, output row) the phase row it reads; `taps` one output
   * row's of them; `packed` the part's weights as panels of 4 output channels ([depth][4]).
   */
  convPhases: {
    words: [
      'rank',
      'batch',
      'groups',
      'inChannels',
      'outChannels',
      'inChannelsPerGroup',
      'outChannelsPerGroup',
      'x',
      'w',
      'out',
      'c0',
      'c1',
      'phased',
      'phaseLength',
      'minShift',
      'table',
      'taps',
      'packed',
    ],
    axes: ['outputSize', 'inputSize', 'kernelSize', 'stride', 'dilation', 'padBegin'],
  },
  /**
   * The convolution for few output positions (`convDot`, the backward's input gradient of layers
   * like DCGAN's 4×4 one): `cols` per output position its reads of every (input channel, tap) of
   * one group, then dot products with the weights' rows; `c0`/`c1` the output channels per group.
   */
  convDot: {
    words: [
      'rank',
      'batch',
      'groups',
      'inChannels',
      'outChannels',
      'inChannelsPerGroup',
      'outChannelsPerGroup',
      'x',
      'w',
      'out',
      'cols',
      'c0',
      'c1',
    ],
    axes: ['inputSize', 'outputSize', 'kernelSize', 'stride', 'dilation', 'padBegin'],
  },
} as const satisfies Record<string, BlockSchema>;

/** Output channels per register tile of the phases, and per packed row of their weight panels. */
export const PANEL_TILE_CHANNELS = 4;

/**
 * Floats of padding after each tap's packed weights in a panel tile (one cache line): keeps the
 * taps' streams out of one L1 set when 16·cinG floats is a multiple of 4 KiB.
 */
export const PANEL_TAP_PADDING = 16;

/**
 * Floats of zeros after a margined input: the last 8-position tile of a row reads (and discards)
 * up to 7 positions past it.
 */
export const MARGIN_SLACK = 8;

/**
 * Floats a kernel may add to a scratch matrix's row (assembly/gemm.ts `rowPitch`: an odd number of
 * cache lines, so a column's reads do not share one L1 set): scratch is sized for it.
 */
export const ROW_PITCH_SLACK = 32;

/**
 * Outputs along the last axis per register tile of the stride-phase convolution
 * (assembly/conv-phases.ts: two vectors); its phase rows are padded to whole tiles.
 */
export const CONV_TILE_OUTPUTS = 8;

/**
 * Columns per block of the transposed convolution's GEMM (assembly/gemm.ts `gemmTN`: its 4×8
 * tiles' width, which the copy and the tiles hard-wire, so it must stay 8): a block of the input is copied into the `direct` block's `columnPanel`, [cinG][8]
 * contiguous, before its row tiles read it. In place its rows are an input plane apart — 4 KiB on
 * DCGAN's RGB layer, every row in one L1 set — so each row tile re-read them from L2 (7–9 % of
 * that layer's call, 2-core AMD EPYC Zen 3, A/B in one process).
 */
export const GEMM_PANEL_COLUMNS = 8;

/** The layout constants generated into assembly/layout.generated.ts besides the blocks. */
export const LAYOUT_CONSTANTS = {
  PANEL_TILE_CHANNELS,
  PANEL_TAP_PADDING,
  MARGIN_SLACK,
  ROW_PITCH_SLACK,
  CONV_TILE_OUTPUTS,
  GEMM_PANEL_COLUMNS,
} as const;

/** A block's word names. */
export type BlockName = keyof typeof BLOCKS;
type Words<B extends BlockName> = (typeof BLOCKS)[B]['words'][number];

/** Word index of every scalar of block `name`. */
export function wordIndex<B extends BlockName>(name: B): { readonly [W in Words<B>]: number } {
  const index: Record<string, number> = {};
  BLOCKS[name].words.forEach((word, i) => {
    index[word] = i;
  });
  return index as { readonly [W in Words<B>]: number };
}

/** Words of a block before its per-axis arrays (its whole size when it has none). */
export const blockWords = (name: BlockName): number => BLOCKS[name].words.length;

/**
 * A checksum (FNV-1a, 31 bits) of the schema: compiled into the binaries as `layoutVersion()`, and
 * compared at instantiation.
 */
export function layoutChecksum(): number {
  const text = JSON.stringify({ BLOCKS, LAYOUT_CONSTANTS });
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 1;
}

const constantName = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** The AssemblyScript source of assembly/layout.generated.ts (what the build script writes). */
export function assemblyScriptConstants(): string {
  const lines = [
    '// Generated by scripts/build-wasm.mjs from src/param-layout.ts: do not edit.',
    '// Word indices of the parameter blocks (see src/param-layout.ts for what each holds).',
    '',
  ];
  for (const [name, schema] of Object.entries(BLOCKS) as [BlockName, BlockSchema][]) {
    const prefix = constantName(name);
    schema.words.forEach((word, i) => {
      lines.push(`export const ${prefix}_${constantName(word)}: i32 = ${i};`);
    });
    lines.push(`export const ${prefix}_WORDS: i32 = ${schema.words.length};`);
    lines.push(`export const ${prefix}_BYTES: i32 = ${schema.words.length * 4};`);
    schema.axes?.forEach((field, i) => {
      lines.push(`export const ${prefix}_AXIS_${constantName(field)}: i32 = ${i};`);
    });
    lines.push('');
  }
  for (const [name, value] of Object.entries(LAYOUT_CONSTANTS)) {
    lines.push(`export const ${name}: i32 = ${value};`);
  }
  lines.push(`export const LAYOUT_VERSION: i32 = ${layoutChecksum()};`, '');
  return lines.join('\n');
}
