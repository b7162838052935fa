import type { Backend, Tensor } from '@tconv/core';
import type { Matrix } from '@tconv/conformance/examples';
import { D2L_MATRIX } from '@tconv/conformance/examples';
import type { DemoBackend } from './backends';
import { matrixTensor, sameMatrix, tensorMatrix } from './examples';
import type { Paint } from './table';
import { matrixBlock, sideBySideWrapped } from './table';

/**
 * d2l 13.10.3's closing sentence, run: "the transposed convolution can just exchange the forward
 * propagation function and the backpropagation function of the convolutional layer". On the
 * section's X = arange(9).reshape(3, 3) and K = [[1, 2], [3, 4]]:
 * - the transposed convolution's backward is the convolution's forward:
 *   `convTransposeBackward(∂y = X, x = Y, K).input = conv(X, K) = Y = [[27, 37], [57, 67]]`;
 * - the convolution's backward is the transposed convolution's forward:
 *   `convBackward(∂y = Y, x = X, K).input = convTranspose(Y, K)`.
 */
export interface ExchangeResult {
  readonly backend: string;
  /** Whether the backend has both gradient methods (otherwise nothing else is set). */
  readonly available: boolean;
  readonly error?: string;
  /** `convTransposeBackward(X, Y, K).input`. */
  readonly transposeBackward?: number[][];
  /** `conv(X, K)`. */
  readonly convForward?: number[][];
  /** `convBackward(Y, X, K).input`. */
  readonly convBackward?: number[][];
  /** `convTranspose(Y, K)`. */
  readonly transposeForward?: number[][];
  /** Both pairs equal, and the first equals the section's printed Y. */
  readonly ok: boolean;
}

const X: Matrix = D2L_MATRIX.input;
const K: Matrix = D2L_MATRIX.kernel;
const Y: Matrix = D2L_MATRIX.output;

async function exchangeOn(name: string, backend: Backend): Promise<ExchangeResult> {
  const { convTransposeBackward, convBackward } = backend;
  if (!convTransposeBackward || !convBackward) return { backend: name, available: false, ok: true };
  try {
    const x = matrixTensor(X);
    const k = matrixTensor(K);
    const y = matrixTensor(Y);
    const m = (t: Tensor) => tensorMatrix(t);
    const transposeBackward = m((await convTransposeBackward.call(backend, x, y, k, {})).input);
    const convForward = m(await backend.conv(x, k));
    const convGrad = m((await convBackward.call(backend, y, x, k, {})).input);
    const transposeForward = m(await backend.convTranspose(y, k));
    const ok =
      sameMatrix(transposeBackward, convForward) &&
      sameMatrix(transposeBackward, Y) &&
      sameMatrix(convGrad, transposeForward);
    return {
      backend: name,
      available: true,
      transposeBackward,
      convForward,
      convBackward: convGrad,
      transposeForward,
      ok,
    };
  } catch (error) {
    return { backend: name, available: true, error: (error as Error).message, ok: false };
  }
}

/** Runs the exchange on every backend that has the gradient methods. */
export async function runExchange(backends: readonly DemoBackend[]): Promise<ExchangeResult[]> {
  const out: ExchangeResult[] = [];
  for (const { name, backend } of backends) out.push(await exchangeOn(name, backend));
  return out;
}

/** The exchange as text: per backend, each backward next to the forward it must equal. */
export function exchangeLines(results: readonly ExchangeResult[], paint: Paint, width: number): string[] {
  const mark = (ok: boolean) => (ok ? paint.green('✓') : paint.red('✗'));
  const out: string[] = [
    paint.bold('d2l 13.10.3: "exchange the forward propagation function and the backpropagation function"'),
    `  X = arange(9).reshape(3, 3), K = [[1, 2], [3, 4]], Y = corr2d(X, K) = [[27, 37], [57, 67]]`,
    '',
  ];
  for (const r of results) {
    if (!r.available) {
      out.push(
        `  ${r.backend}: ${paint.dim('no gradient methods (convTransposeBackward / convBackward): skipped')}`,
        '',
      );
      continue;
    }
    if (r.error !== undefined) {
      out.push(`  ${r.backend}: ${paint.red('failed')} ${r.error}`, '');
      continue;
    }
    out.push(`  ${paint.bold(r.backend)} ${mark(r.ok)}`);
    const blocks = [
      matrixBlock('convTransposeBackward(∂y=X, Y, K).input', r.transposeBackward!),
      matrixBlock('= conv(X, K)', r.convForward!),
      matrixBlock('convBackward(∂y=Y, X, K).input', r.convBackward!),
      matrixBlock('= convTranspose(Y, K)', r.transposeForward!),
    ];
    out.push(...sideBySideWrapped(blocks, width - 4).map((l) => `    ${l}`), '');
  }
  return out;
}
