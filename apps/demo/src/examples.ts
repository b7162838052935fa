import { convolutionMatrix } from '@tconv/backend-sparse';
import type { ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';
import type { Matrix, WorkedExample } from '@tconv/conformance/examples';
import { D2L_MATRIX, WORKED_EXAMPLES } from '@tconv/conformance/examples';
import type { DemoBackend } from './backends';
import type { Paint } from './table';
import { matrixBlock, sideBySideWrapped } from './table';

/** A matrix as a `[1, 1, h, w]` tensor. */
export function matrixTensor(m: Matrix): Tensor {
  return tensor(m.flat(), [1, 1, m.length, m[0]?.length ?? 0]);
}

/** The last two axes of a `[1, 1, h, w]` tensor as rows. */
export function tensorMatrix(t: Tensor): number[][] {
  const h = t.shape[t.shape.length - 2] ?? 1;
  const w = t.shape[t.shape.length - 1] ?? 1;
  return Array.from({ length: h }, (_, i) => Array.from(t.data.subarray(i * w, (i + 1) * w)));
}

/** Exact equality of two matrices (the documents' examples are small integers: no rounding). */
export function sameMatrix(a: Matrix, b: Matrix): boolean {
  return (
    a.length === b.length &&
    a.every((row, i) => row.length === b[i]!.length && row.every((v, j) => v === b[i]![j]))
  );
}

/** One backend's answer to one example. */
export interface BackendOutput {
  readonly backend: string;
  readonly output?: number[][];
  readonly error?: string;
  readonly ok: boolean;
}

/** An example with every backend's output. */
export interface ExampleResult {
  readonly example: WorkedExample;
  readonly outputs: readonly BackendOutput[];
}

async function runOne(
  backend: DemoBackend,
  operation: 'convTranspose' | 'conv',
  input: Matrix,
  kernel: Matrix,
  options: ConvTransposeOptions,
  expected: Matrix,
): Promise<BackendOutput> {
  try {
    const x = matrixTensor(input);
    const k = matrixTensor(kernel);
    const y =
      operation === 'conv'
        ? await backend.backend.conv(x, k, options as ConvOptions)
        : await backend.backend.convTranspose(x, k, options);
    const output = tensorMatrix(y);
    return { backend: backend.name, output, ok: sameMatrix(output, expected) };
  } catch (error) {
    return { backend: backend.name, error: (error as Error).message, ok: false };
  }
}

/** Runs every worked example of the documents (the kit's data) on every backend. */
export async function runExamples(backends: readonly DemoBackend[]): Promise<ExampleResult[]> {
  const out: ExampleResult[] = [];
  for (const example of WORKED_EXAMPLES) {
    const outputs: BackendOutput[] = [];
    for (const b of backends) {
      outputs.push(
        await runOne(b, example.operation, example.input, example.kernel, example.options, example.expected),
      );
    }
    out.push({ example, outputs });
  }
  return out;
}

/** d2l 13.10.3's matrix view: W from the sparse package and the check Wᵀ·y = transposed convolution. */
export interface MatrixView {
  /** W as `convolutionMatrix` builds it. */
  readonly w: number[][];
  /** Whether it equals the 4×9 matrix the section prints. */
  readonly wMatchesDocument: boolean;
  /** W·vec(X), reshaped 2×2: the convolution as a product. */
  readonly wx: number[][];
  readonly wxMatchesDocument: boolean;
  /** Wᵀ·vec(Y), reshaped 3×3: the transposed convolution as a product. */
  readonly wty: number[][];
  /** Each backend's transposed convolution of Y with K, and whether it equals Wᵀ·y. */
  readonly outputs: readonly BackendOutput[];
  /** `true` when every check holds. */
  readonly ok: boolean;
}

function reshape(values: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => values[i * cols + j]!),
  );
}

/**
 * Builds d2l's W through `convolutionMatrix`, checks it against the section's printed matrix,
 * and checks Wᵀ·y against each backend's transposed convolution of Y = corr2d(X, K) with K.
 */
export async function runMatrixView(backends: readonly DemoBackend[]): Promise<MatrixView> {
  const x = matrixTensor(D2L_MATRIX.input);
  const k = matrixTensor(D2L_MATRIX.kernel);
  const y = matrixTensor(D2L_MATRIX.output);
  const matrix = convolutionMatrix(x.shape, k);
  const w = matrix.toDense();
  const wx = reshape(matrix.multiply(x.data), 2, 2);
  const wty = reshape(matrix.transpose().multiply(y.data), 3, 3);
  const outputs: BackendOutput[] = [];
  for (const b of backends)
    outputs.push(await runOne(b, 'convTranspose', D2L_MATRIX.output, D2L_MATRIX.kernel, {}, wty));
  const wMatchesDocument = sameMatrix(w, D2L_MATRIX.matrix);
  const wxMatchesDocument = sameMatrix(wx, D2L_MATRIX.output);
  return {
    w,
    wMatchesDocument,
    wx,
    wxMatchesDocument,
    wty,
    outputs,
    ok: wMatchesDocument && wxMatchesDocument && outputs.every((o) => o.ok),
  };
}

function mark(ok: boolean, paint: Paint): string {
  return ok ? paint.green('✓') : paint.red('✗');
}

function outputBlock(o: BackendOutput, paint: Paint, label = o.backend): string[] {
  if (o.output) return matrixBlock(`${label} ${mark(o.ok, paint)}`, o.output);
  return [`${label} ${mark(false, paint)}`, paint.red((o.error ?? 'no output').slice(0, 60))];
}

/** The examples as matrices side by side: input, kernel, each backend's output, the document's. */
export function exampleLines(results: readonly ExampleResult[], paint: Paint, width: number): string[] {
  const out: string[] = [];
  for (const { example, outputs } of results) {
    const opts = Object.entries(example.options)
      .map(([k, v]) => `${k} ${String(v)}`)
      .join(', ');
    out.push(
      paint.bold(example.title),
      paint.dim(
        `  ${example.operation}(input, kernel${opts ? `, { ${opts} }` : ''}) — document: ${example.doc} ${example.where}`,
      ),
    );
    const blocks = [
      matrixBlock('input', example.input),
      matrixBlock('kernel', example.kernel),
      ...outputs.map((o) => outputBlock(o, paint)),
      matrixBlock('document', example.expected),
    ];
    out.push(...sideBySideWrapped(blocks, width - 2).map((l) => `  ${l}`), '');
  }
  return out;
}

/** d2l 13.10.3's W, W·x and the check Wᵀ·y = transposed convolution, side by side. */
export function matrixViewLines(view: MatrixView, paint: Paint, width: number): string[] {
  const out: string[] = [
    paint.bold(
      "d2l 13.10.3: the convolution as a matrix W (convolutionMatrix), and why it's called transposed",
    ),
    paint.dim(
      '  W = convolutionMatrix([1, 1, 3, 3], K) with K = [[1, 2], [3, 4]]; x = vec(X), X = arange(9) as 3×3',
    ),
  ];
  out.push(
    ...sideBySideWrapped(
      [
        matrixBlock(`W (4×9) ${mark(view.wMatchesDocument, paint)} = document`, view.w),
        matrixBlock(`W·x ${mark(view.wxMatchesDocument, paint)} = Y`, view.wx),
        matrixBlock('Y = corr2d(X, K)', D2L_MATRIX.output),
      ],
      width - 2,
    ).map((l) => `  ${l}`),
    '',
    paint.dim(
      '  Z = convTranspose(Y, K) on each backend, next to Wᵀ·vec(Y) (the 9×4 transposed matrix times Y):',
    ),
    ...sideBySideWrapped(
      [
        matrixBlock('Wᵀ·y', view.wty),
        ...view.outputs.map((o) => outputBlock(o, paint, `${o.backend} Z`)),
        matrixBlock('X (same shape, other values)', D2L_MATRIX.input),
      ],
      width - 2,
    ).map((l) => `  ${l}`),
    '',
  );
  return out;
}
