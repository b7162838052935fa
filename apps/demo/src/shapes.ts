import type { ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import {
  convOutputShape,
  convOutputSize,
  convTransposeOutputShape,
  convTransposeOutputSize,
  tensor,
} from '@tconv/core';
import type { DemoBackend } from './backends';
import type { Paint, TableRow } from './table';
import { renderTable } from './table';

/** One step of a shape example: a convolution or a transposed convolution. */
export interface ShapeStep {
  readonly operation: 'conv' | 'convTranspose';
  /** `[Cout, Cin/groups, ...k]` for a convolution, `[Cin, Cout/groups, ...k]` for a transposed one. */
  readonly weightShape: readonly number[];
  readonly options: ConvTransposeOptions;
}

/** A size example from the documents: an input shape, one or two steps, and the shape the document states. */
export interface ShapeExample {
  readonly id: string;
  readonly document: string;
  readonly description: string;
  /** Channels-first `[N, C, ...spatial]`. */
  readonly inputShape: readonly number[];
  readonly steps: readonly ShapeStep[];
  /** The document's result, channels-first. */
  readonly expected: readonly number[];
  /** The document's words for it. */
  readonly quote: string;
}

/**
 * The documents' size examples. Keras shapes `(N, H, W, C)` are written channels-first here;
 * `quote` keeps the document's own form.
 */
export const SHAPE_EXAMPLES: readonly ShapeExample[] = [
  {
    id: 'gfg-example-1',
    document: 'GfG',
    description: 'Ex. 1: transposed k2 s1 p0',
    inputShape: [1, 1, 2, 2],
    steps: [{ operation: 'convTranspose', weightShape: [1, 1, 2, 2], options: {} }],
    expected: [1, 1, 3, 3],
    quote: 'O_h = (2-1)×1 + 2 - 2×0 = 3',
  },
  {
    id: 'gfg-keras-valid',
    document: 'GfG',
    description: "Ex. 2: Keras transposed k3 s2 'valid'",
    inputShape: [1, 3, 4, 4],
    steps: [
      { operation: 'convTranspose', weightShape: [3, 1, 3, 3], options: { stride: 2, padding: 'valid' } },
    ],
    expected: [1, 1, 9, 9],
    quote: '(1, 9, 9, 1)',
  },
  {
    id: 'gfg-keras-same',
    document: 'GfG',
    description: "Ex. 3: Keras transposed k3 s2 'same'",
    inputShape: [1, 3, 4, 4],
    steps: [
      { operation: 'convTranspose', weightShape: [3, 1, 3, 3], options: { stride: 2, padding: 'same' } },
    ],
    expected: [1, 1, 8, 8],
    quote: '(1, 8, 8, 1)',
  },
  {
    id: 'aim-conv-7',
    document: 'AIM',
    description: 'conv k3 s1 p0',
    inputShape: [1, 1, 7, 7],
    steps: [{ operation: 'conv', weightShape: [1, 1, 3, 3], options: {} }],
    expected: [1, 1, 5, 5],
    quote: 'Size of output = 5',
  },
  {
    id: 'aim-transposed-7',
    document: 'AIM',
    description: 'transposed k3 s1 p1',
    inputShape: [1, 1, 7, 7],
    steps: [{ operation: 'convTranspose', weightShape: [1, 1, 3, 3], options: { padding: 1 } }],
    expected: [1, 1, 7, 7],
    quote: '(7-1)*1 + 3 – 2*1 + 0 = 7',
  },
  {
    id: 'aim-k3-s4-op1',
    document: 'AIM',
    description: 'transposed k3 s4 op1, RGB',
    inputShape: [1, 3, 4, 4],
    steps: [
      {
        operation: 'convTranspose',
        weightShape: [3, 1, 3, 3],
        options: { stride: 4, outputPadding: 1, groups: 3 },
      },
    ],
    expected: [1, 3, 16, 16],
    quote: '(4-1) * 4 + 3 – 2 * 0 + 1 = 16',
  },
  {
    id: 'aim-k4-s4',
    document: 'AIM',
    description: 'transposed k4 s4, RGB',
    inputShape: [1, 3, 4, 4],
    steps: [{ operation: 'convTranspose', weightShape: [3, 1, 4, 4], options: { stride: 4, groups: 3 } }],
    expected: [1, 3, 16, 16],
    quote: '(4-1) * 4 + 4 – 2 * 0 + 0 = 16',
  },
  {
    id: 'tds-conv-k3',
    document: 'TDS',
    description: 'conv k3',
    inputShape: [1, 1, 4, 4],
    steps: [{ operation: 'conv', weightShape: [1, 1, 3, 3], options: {} }],
    expected: [1, 1, 2, 2],
    quote: 'transforms a 4×4 matrix into a 2×2 matrix',
  },
  {
    id: 'tds-transposed-k3',
    document: 'TDS',
    description: 'transposed k3 (back to 4×4)',
    inputShape: [1, 1, 2, 2],
    steps: [{ operation: 'convTranspose', weightShape: [1, 1, 3, 3], options: {} }],
    expected: [1, 1, 4, 4],
    quote: 'go backward from a 2×2 matrix to a 4×4 matrix',
  },
  {
    id: 'tds-conv-k2',
    document: 'TDS',
    description: 'conv k2',
    inputShape: [1, 1, 4, 4],
    steps: [{ operation: 'conv', weightShape: [1, 1, 2, 2], options: {} }],
    expected: [1, 1, 3, 3],
    quote: 'with a 2×2 kernel will yield a 3×3 output matrix',
  },
  {
    id: 'notes-conv-k3s2p1',
    document: 'notes',
    description: 'conv k3s2p1',
    inputShape: [1, 1, 4, 4],
    steps: [{ operation: 'conv', weightShape: [1, 1, 3, 3], options: { stride: 2, padding: 1 } }],
    expected: [1, 1, 2, 2],
    quote: '⌊(4+2×1-3)/2⌋ + 1 = 2 ⇒ 2×2',
  },
  {
    id: 'notes-k3s2-op1',
    document: 'notes',
    description: 'ConvTranspose2d(3, 1) k3 s2 op1',
    inputShape: [1, 3, 2, 2],
    steps: [
      { operation: 'convTranspose', weightShape: [3, 1, 3, 3], options: { stride: 2, outputPadding: 1 } },
    ],
    expected: [1, 1, 6, 6],
    quote: 'torch.Size([1, 1, 6, 6])',
  },
  {
    id: 'd2l-basic',
    document: 'd2l',
    description: '13.10.1 transposed k2',
    inputShape: [1, 1, 2, 2],
    steps: [{ operation: 'convTranspose', weightShape: [1, 1, 2, 2], options: {} }],
    expected: [1, 1, 3, 3],
    quote: '(n_h + k_h - 1) × (n_w + k_w - 1)',
  },
  {
    id: 'd2l-padding-1',
    document: 'd2l',
    description: '13.10.2 transposed k2 p1',
    inputShape: [1, 1, 2, 2],
    steps: [{ operation: 'convTranspose', weightShape: [1, 1, 2, 2], options: { padding: 1 } }],
    expected: [1, 1, 1, 1],
    quote: 'tensor([[[[4.]]]])',
  },
  {
    id: 'd2l-stride-2',
    document: 'd2l',
    description: '13.10.2 transposed k2 s2',
    inputShape: [1, 1, 2, 2],
    steps: [{ operation: 'convTranspose', weightShape: [1, 1, 2, 2], options: { stride: 2 } }],
    expected: [1, 1, 4, 4],
    quote: 'tensor([[[[0., 0., 0., 1.], …, [4., 6., 6., 9.]]]])',
  },
  {
    id: 'd2l-round-trip',
    document: 'd2l',
    description: '13.10.2 conv k5 p2 s3, transposed back',
    inputShape: [1, 10, 16, 16],
    steps: [
      { operation: 'conv', weightShape: [20, 10, 5, 5], options: { padding: 2, stride: 3 } },
      { operation: 'convTranspose', weightShape: [20, 10, 5, 5], options: { padding: 2, stride: 3 } },
    ],
    expected: [1, 10, 16, 16],
    quote: 'tconv(conv(X)).shape == X.shape: True',
  },
];

function axisOption(value: number | readonly number[] | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? value : (value[0] ?? fallback);
}

/**
 * The output size of one step on the first spatial axis, written out with the numbers
 * substituted (the documents' form) and the result computed by core.
 */
export function stepFormula(inputShape: readonly number[], step: ShapeStep): string {
  const n = inputShape[2]!;
  const k = step.weightShape[2]!;
  const s = axisOption(step.options.stride, 1);
  const { padding } = step.options;
  if (step.operation === 'conv') {
    const p = axisOption(typeof padding === 'number' || Array.isArray(padding) ? padding : 0, 0);
    const size = convOutputSize(n, k, { stride: s, padding: p });
    return `⌊(${n}+2·${p}-${k})/${s}⌋+1 = ${size}`;
  }
  const size = convTransposeOutputShape(inputShape, step.weightShape, step.options)[2]!;
  if (padding === 'valid') return `${n}·${s}+max(${k}-${s},0) = ${size}`;
  if (padding === 'same') return `${n}·${s} = ${size}`;
  const p = axisOption(typeof padding === 'number' || Array.isArray(padding) ? padding : 0, 0);
  const op = axisOption(step.options.outputPadding, 0);
  const check = convTransposeOutputSize(n, k, { stride: s, padding: p, outputPadding: op });
  return `(${n}-1)·${s}+${k}-2·${p}+${op} = ${check}`;
}

/** The output shape of every step, through core's shape functions. */
export function coreShapes(example: ShapeExample): number[][] {
  const shapes: number[][] = [];
  let shape: readonly number[] = example.inputShape;
  for (const step of example.steps) {
    shape =
      step.operation === 'conv'
        ? convOutputShape(shape, step.weightShape, step.options as ConvOptions)
        : convTransposeOutputShape(shape, step.weightShape, step.options);
    shapes.push([...shape]);
  }
  return shapes;
}

// Deterministic, non-trivial values: a shape check should still run real data through a backend.
function filled(shape: readonly number[]): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = ((i * 7) % 11) / 11 - 0.5;
  return tensor(data, shape);
}

/** What a backend gave for one shape example. */
export interface ShapeOutcome {
  readonly backend: string;
  readonly shape?: readonly number[];
  readonly error?: string;
  readonly ok: boolean;
}

/** A shape example with core's answer and every backend's. */
export interface ShapeResult {
  readonly example: ShapeExample;
  readonly formula: string;
  /** Core's output shape after the last step. */
  readonly core: readonly number[];
  readonly coreOk: boolean;
  readonly backends: readonly ShapeOutcome[];
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Computes every size example through core and through each backend (running real tensors). */
export async function runShapes(backends: readonly DemoBackend[]): Promise<ShapeResult[]> {
  const out: ShapeResult[] = [];
  for (const example of SHAPE_EXAMPLES) {
    const shapes = coreShapes(example);
    const core = shapes[shapes.length - 1]!;
    let shape: readonly number[] = example.inputShape;
    const formula = example.steps
      .map((step, i) => {
        const text = stepFormula(shape, step);
        shape = shapes[i]!;
        return text;
      })
      .join(' → ');
    const outcomes: ShapeOutcome[] = [];
    for (const { name, backend } of backends) {
      try {
        let t = filled(example.inputShape);
        for (const step of example.steps) {
          const w = filled(step.weightShape);
          t =
            step.operation === 'conv'
              ? await backend.conv(t, w, step.options as ConvOptions)
              : await backend.convTranspose(t, w, step.options);
        }
        outcomes.push({ backend: name, shape: [...t.shape], ok: sameShape(t.shape, example.expected) });
      } catch (error) {
        outcomes.push({ backend: name, error: (error as Error).message, ok: false });
      }
    }
    out.push({ example, formula, core, coreOk: sameShape(core, example.expected), backends: outcomes });
  }
  return out;
}

const shapeText = (s: readonly number[]): string => s.join('×');

/** The walkthrough as a table: each example, core's formula and shape, each backend's, then the document's words. */
export function shapeLines(results: readonly ShapeResult[], paint: Paint): string[] {
  const backendNames = results[0]?.backends.map((b) => b.backend) ?? [];
  const rows: TableRow[] = [];
  for (const r of results) {
    const cells = r.backends.map((b) => {
      if (b.ok) return paint.green('✓');
      return paint.red(`✗ ${b.shape ? shapeText(b.shape) : (b.error ?? '').slice(0, 40)}`);
    });
    rows.push([
      r.example.document,
      `${r.example.description} of ${shapeText(r.example.inputShape)}`,
      r.formula,
      r.coreOk ? `${shapeText(r.core)} ${paint.green('✓')}` : paint.red(`${shapeText(r.core)} ✗`),
      ...cells,
    ]);
    rows.push({ note: paint.dim(`document: ${shapeText(r.example.expected)}  «${r.example.quote}»`) });
  }
  return renderTable(['doc', 'example', 'size on one axis (core)', 'core', ...backendNames], rows);
}
