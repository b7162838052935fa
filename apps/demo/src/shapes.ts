import type { ConvOptions, Tensor } from '@tconv/core';
import {
  convOutputShape,
  convOutputSize,
  convTransposeOutputShape,
  convTransposeOutputSize,
  resolveConv,
  resolveConvTranspose,
  seeded,
  shapeSize,
  tensor,
} from '@tconv/core';
import type { SizeExample, SizeStep } from '@tconv/conformance/examples';
import { SIZE_EXAMPLES } from '@tconv/conformance/examples';
import type { DemoBackend } from './backends';
import type { Paint, TableRow } from './table';
import { renderTable } from './table';

/**
 * The output size of one step on the first spatial axis, written out with the numbers
 * substituted (the documents' form) and the result computed by core: the per-axis values come
 * from core's resolved geometry, not from re-reading the options.
 */
export function stepFormula(inputShape: readonly number[], step: SizeStep): string {
  const n = inputShape[2]!;
  const k = step.weightShape[2]!;
  if (step.operation === 'conv') {
    const g = resolveConv(inputShape, step.weightShape, step.options as ConvOptions);
    const [s, p] = [g.stride[0]!, g.padBegin[0]!];
    const size = convOutputSize(n, k, { stride: s, padding: [p, g.padEnd[0]!] });
    return `⌊(${n}+2·${p}-${k})/${s}⌋+1 = ${size}`;
  }
  const g = resolveConvTranspose(inputShape, step.weightShape, step.options);
  const [s, p, op, size] = [g.stride[0]!, g.padBegin[0]!, g.outputPadding[0]!, g.outputSize[0]!];
  const { padding } = step.options;
  if (padding === 'valid') return `${n}·${s}+max(${k}-${s},0) = ${size}`;
  if (padding === 'same') return `${n}·${s} = ${size}`;
  const check = convTransposeOutputSize(n, k, { stride: s, padding: [p, g.padEnd[0]!], outputPadding: op });
  return `(${n}-1)·${s}+${k}-2·${p}+${op} = ${check}`;
}

/** The output shape of every step, through core's shape functions. */
export function coreShapes(example: SizeExample): number[][] {
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
  return tensor(seeded(shapeSize(shape), shape.length), shape);
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
  readonly example: SizeExample;
  readonly formula: string;
  /** Core's output shape after the last step. */
  readonly core: readonly number[];
  readonly coreOk: boolean;
  readonly backends: readonly ShapeOutcome[];
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Computes every size example of the documents (the kit's data) through core and through each backend (running real tensors). */
export async function runShapes(backends: readonly DemoBackend[]): Promise<ShapeResult[]> {
  const out: ShapeResult[] = [];
  for (const example of SIZE_EXAMPLES) {
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
      r.example.doc,
      `${r.example.description} of ${shapeText(r.example.inputShape)}`,
      r.formula,
      r.coreOk ? `${shapeText(r.core)} ${paint.green('✓')}` : paint.red(`${shapeText(r.core)} ✗`),
      ...cells,
    ]);
    rows.push({ note: paint.dim(`document: ${shapeText(r.example.expected)}  «${r.example.quote}»`) });
  }
  return renderTable(['doc', 'example', 'size on one axis (core)', 'core', ...backendNames], rows);
}
