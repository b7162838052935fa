/**
 * One axis of a layer written in each framework's words. Every size and crop here is core's
 * (`resolveConvTranspose` on a one-axis problem, ONNX attributes through `fromOnnx`); the page only
 * tries the spellings and compares what core resolves. Two spellings are the same layer when core
 * gives them the same output length and the same crop at the start (the rest follows: positions
 * past the full scatter are zeros).
 */
import type { ConvTransposeOptions, OnnxConvTransposeAttributes } from '@tconv/core';
import { fromOnnx, resolveConvTranspose } from '@tconv/core';
import { errorText } from './layer';

/** One axis of a transposed convolution: input n, kernel k, stride s, dilation d. */
export interface Axis {
  readonly n: number;
  readonly k: number;
  readonly s: number;
  readonly d: number;
}

/** What core resolves for one spelling. */
export interface Resolved {
  /** Output length. */
  readonly length: number;
  /** Crop at the start (negative: zeros added before the first scattered element). */
  readonly begin: number;
  /** Crop at the end, before output padding is added back. */
  readonly end: number;
  readonly outputPadding: number;
}

/** A spelling of the layer in one framework's words. */
export interface Spelling {
  readonly framework: 'PyTorch' | 'Keras' | 'ONNX';
  /** The framework's own words, e.g. `padding=1, output_padding=1`. */
  readonly words: string;
  /** The size formula with this axis' numbers substituted, ending in core's length. */
  readonly formula: string;
  readonly resolved?: Resolved;
  readonly error?: string;
  /** Whether it is the same layer as the one on the page. */
  readonly same: boolean;
  /** A plain spelling (no output_padding), shown for comparison even when it is another layer. */
  readonly base: boolean;
}

/** Core's resolution of one axis with tconv options. */
export function resolveAxis(a: Axis, options: ConvTransposeOptions): Resolved {
  const g = resolveConvTranspose([1, 1, a.n], [1, 1, a.k], { stride: a.s, dilation: a.d, ...options });
  return {
    length: g.outputSize[0]!,
    begin: g.padBegin[0]!,
    end: g.padEnd[0]!,
    outputPadding: g.outputPadding[0]!,
  };
}

/** Core's resolution of one axis with ONNX attributes (through `fromOnnx`). */
export function resolveOnnxAxis(a: Axis, attributes: OnnxConvTransposeAttributes): Resolved {
  const options = fromOnnx({ strides: [a.s], dilations: [a.d], ...attributes }, [1, 1, a.n], [1, 1, a.k]);
  return resolveAxis(a, options);
}

function attempt(
  framework: Spelling['framework'],
  words: string,
  formula: (r: Resolved) => string,
  resolve: () => Resolved,
  target: Resolved | null,
  base = false,
): Spelling {
  try {
    const resolved = resolve();
    const same = target !== null && resolved.length === target.length && resolved.begin === target.begin;
    return { framework, words, formula: formula(resolved), resolved, same, base };
  } catch (e) {
    return { framework, words, formula: '', error: errorText(e), same: false, base };
  }
}

const kd = (a: Axis) => (a.d === 1 ? `${a.k}` : `${a.d}·(${a.k} − 1) + 1`);

/** PyTorch's formula with the numbers in. */
function pytorchFormula(a: Axis, p: number, op: number) {
  return (r: Resolved) => `(${a.n} − 1)·${a.s} − 2·${p} + ${a.d}·(${a.k} − 1) + ${op} + 1 = ${r.length}`;
}

/** PyTorch: symmetric `padding` and `output_padding` < max(stride, dilation), and `output_size`. */
function pytorchSpellings(a: Axis, target: Resolved): Spelling[] {
  const out: Spelling[] = [];
  const maxOp = Math.max(a.s, a.d);
  const span = a.d * (a.k - 1) + 1;
  // PyTorch: symmetric padding and output_padding < max(stride, dilation); the target's crop at the start is p.
  let found = false;
  for (let p = 0; p <= span && !found; p++) {
    for (let op = 0; op < maxOp && !found; op++) {
      const sp = attempt(
        'PyTorch',
        `padding=${p}, output_padding=${op}`,
        pytorchFormula(a, p, op),
        () => resolveAxis(a, { padding: p, outputPadding: op }),
        target,
      );
      if (sp.same) {
        out.push(sp);
        out.push(
          attempt(
            'PyTorch',
            `padding=${p}, output_size=${target.length}`,
            (r) =>
              `output_size ${r.length} ∈ [${r.length - r.outputPadding}, ${r.length - r.outputPadding + a.s - 1}] → output_padding ${r.outputPadding}`,
            () => resolveAxis(a, { padding: p, outputSize: [target.length] }),
            target,
          ),
        );
        found = true;
      }
    }
  }
  if (!found) {
    out.push({
      framework: 'PyTorch',
      words: 'no padding/output_padding pair',
      same: false,
      base: true,
      formula: `PyTorch crops the same number p at both ends and adds output_padding < ${maxOp} at the end; this layer crops ${target.begin} at the start and ${target.end - target.outputPadding} at the end`,
    });
  }
  return out;
}

/** Keras: `'valid'` / `'same'`, `output_padding` absent or < stride. */
function kerasSpellings(a: Axis, target: Resolved): Spelling[] {
  const out: Spelling[] = [];
  // Keras: 'valid' / 'same', output_padding absent or < stride.
  for (const word of ['valid', 'same'] as const) {
    const base = word === 'valid' ? `${a.n}·${a.s} + max(${kd(a)} − ${a.s}, 0)` : `${a.n}·${a.s}`;
    out.push(
      attempt(
        'Keras',
        `padding='${word}'`,
        (r) => `${base} = ${r.length}`,
        () => resolveAxis(a, { padding: word }),
        target,
        true,
      ),
    );
    for (let op = 0; op < a.s; op++) {
      const f =
        word === 'valid'
          ? `(${a.n} − 1)·${a.s} + ${kd(a)} + ${op}`
          : `(${a.n} − 1)·${a.s} + ${kd(a)} − 2·⌊${kd(a)}/2⌋ + ${op}`;
      out.push(
        attempt(
          'Keras',
          `padding='${word}', output_padding=${op}`,
          (r) => `${f} = ${r.length}`,
          () => resolveAxis(a, { padding: word, outputPadding: op }),
          target,
        ),
      );
    }
  }
  return out;
}

/** ONNX: the `auto_pad` words, explicit `pads`, `output_shape`. */
function onnxSpellings(a: Axis, target: Resolved): Spelling[] {
  const out: Spelling[] = [];
  const maxOp = Math.max(a.s, a.d);
  const span = a.d * (a.k - 1) + 1;
  // ONNX: auto_pad words, explicit pads, output_shape.
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER', 'VALID'] as const) {
    for (let op = 0; op < maxOp; op++) {
      out.push(
        attempt(
          'ONNX',
          `auto_pad=${autoPad}${op ? `, output_padding=[${op}]` : ''}`,
          (r) =>
            autoPad === 'VALID'
              ? `(${a.n} − 1)·${a.s} + ${kd(a)} + ${op} = ${r.length}`
              : `L = ${a.n}·${a.s} = ${r.length}; total = ${a.s}·(${a.n} − 1) + ${op} + ${kd(a)} − ${r.length} = ${r.begin + r.end}, begin ${r.begin}, end ${r.end}`,
          () => resolveOnnxAxis(a, { auto_pad: autoPad, output_padding: [op] }),
          target,
          op === 0,
        ),
      );
    }
  }
  let pads = false;
  for (let b = 0; b <= span && !pads; b++) {
    for (let e = 0; e <= span && !pads; e++) {
      for (let op = 0; op < maxOp && !pads; op++) {
        const sp = attempt(
          'ONNX',
          `pads=[${b}, ${e}], output_padding=[${op}]`,
          (r) => `(${a.n} − 1)·${a.s} − ${b} − ${e} + ${kd(a)} + ${op} = ${r.length}`,
          () => resolveOnnxAxis(a, { pads: [b, e], output_padding: [op] }),
          target,
        );
        if (sp.same) {
          out.push(sp);
          pads = true;
        }
      }
    }
  }
  out.push(
    attempt(
      'ONNX',
      `output_shape=[${target.length}]`,
      (r) =>
        `total = ${a.s}·(${a.n} − 1) + ${kd(a)} − ${target.length} = ${r.begin + r.end}, split by the lower rule: begin ${r.begin}, end ${r.end}`,
      () => resolveOnnxAxis(a, { output_shape: [target.length] }),
      target,
      true,
    ),
  );
  return out;
}

/** Every spelling of one axis of the target layer, in each framework, the matching ones first. */
export function spellAxis(a: Axis, target: Resolved): Spelling[] {
  return [...pytorchSpellings(a, target), ...kerasSpellings(a, target), ...onnxSpellings(a, target)].sort(
    (x, y) => Number(y.same) - Number(x.same),
  );
}

/** A note where conventions or engines differ on this axis, from core's resolutions. */
export function differences(a: Axis, target: Resolved): string[] {
  const notes: string[] = [];
  for (const autoPad of ['SAME_UPPER', 'SAME_LOWER'] as const) {
    try {
      const r = resolveOnnxAxis(a, { auto_pad: autoPad });
      if (r.begin < 0 || r.end < 0) {
        notes.push(
          `ONNX ${autoPad}: total padding ${r.begin + r.end} is negative. The specification (and tconv) splits it by floor division — begin ${r.begin}, end ${r.end} — so the output is extended with zeros at both ends; onnxruntime clamps the total to 0, so its output starts at the first scattered element (shifted by ${-r.begin}).`,
        );
      }
    } catch {
      // an invalid spelling has nothing to compare
    }
  }
  try {
    const same = resolveAxis(a, { padding: 'same' });
    const upper = resolveOnnxAxis(a, { auto_pad: 'SAME_UPPER' });
    const lower = resolveOnnxAxis(a, { auto_pad: 'SAME_LOWER' });
    if (same.begin !== upper.begin || upper.begin !== lower.begin) {
      const why =
        upper.begin < 0
          ? 'Keras clamps a negative total padding to 0 (max(…, 0)) where the ONNX specification keeps it'
          : 'SAME_LOWER puts the odd element of the total padding at the start, Keras and SAME_UPPER at the end';
      notes.push(
        `Crop at the start: Keras 'same' ${same.begin}, ONNX SAME_UPPER ${upper.begin}, SAME_LOWER ${lower.begin} — ${why}.`,
      );
    }
    const implicit = resolveAxis(a, { padding: 'valid' });
    const explicit = resolveAxis(a, { padding: 'valid', outputPadding: 0 });
    if (implicit.length !== explicit.length) {
      notes.push(
        `Keras: passing output_padding=0 explicitly selects another formula when the kernel (${kd(a)}) is smaller than the stride (${a.s}): 'valid' gives ${implicit.length} without it and ${explicit.length} with it.`,
      );
    }
  } catch {
    // likewise
  }
  if (target.begin < 0) {
    notes.push(
      `This layer starts with ${-target.begin} zero(s) before the first scattered element; PyTorch's padding cannot be negative.`,
    );
  }
  return notes;
}
