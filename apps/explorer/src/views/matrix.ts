/**
 * View 3: the matrix. W (from `@tconv/backend-sparse`: the convolution this layer transposes, rows
 * = this layer's input elements, columns = its output elements) and Wᵀ as heat maps; hovering or
 * focusing a row or column highlights the input and output positions it connects. Below, d2l
 * 13.10.3's exchange: the forward pass multiplies by Wᵀ, the backward pass by W (shown next to the
 * CPU backend's `convTransposeBackward` where the backend has it).
 */
import { cpuBackend } from '@tconv/backend-cpu';
import type { SparseMatrix } from '@tconv/backend-sparse';
import { prepareSparseConvTranspose } from '@tconv/backend-sparse';
import type { Backend, Tensor } from '@tconv/core';
import { adjointGeometry, tensor } from '@tconv/core';
import { maxAbsDiff, roundingBound } from '../backends';
import { formatNumber, h, sizeText } from '../dom';
import type { Problem } from '../layer';
import { defaultValues, errorText } from '../layer';
import { tensorPlane } from './grid';

/** The largest matrix drawn cell by cell. */
const MAX_DRAWN_CELLS = 4096;

function heatMap(dense: number[][], label: string, kind: 'W' | 'Wt'): HTMLElement {
  let scale = 0;
  for (const row of dense) for (const v of row) scale = Math.max(scale, Math.abs(v));
  const small = dense.length * (dense[0]?.length ?? 0) <= 400;
  const body = h('tbody');
  dense.forEach((row, r) => {
    const tr = h(
      'tr',
      {},
      h('th', { scope: 'row', tabindex: 0, 'data-line': `${kind}-row-${r}`, className: 'line' }, String(r)),
    );
    row.forEach((v, c) => {
      tr.append(
        h(
          'td',
          {
            className: `heat${v === 0 ? ' zero' : ''}`,
            style: `--shade: ${(scale ? Math.abs(v) / scale : 0).toFixed(3)}`,
            'data-r': r,
            'data-c': c,
          },
          small && v !== 0 ? formatNumber(v) : '',
        ),
      );
    });
    body.append(tr);
  });
  const head = h(
    'tr',
    {},
    h('th', {}, ''),
    (dense[0] ?? []).map((_, c) =>
      h('th', { scope: 'col', tabindex: 0, 'data-line': `${kind}-col-${c}`, className: 'line' }, String(c)),
    ),
  );
  return h(
    'div',
    { className: 'scroll' },
    h(
      'table',
      { className: `heatmap ${small ? '' : 'dense'}`, 'data-testid': `heatmap-${kind}` },
      h('caption', {}, label),
      h('thead', {}, head),
      body,
    ),
  );
}

/** Marks the cells of the input/output grids connected by a row or column of W. */
function connect(root: HTMLElement, W: number[][], line: string | null): void {
  root.querySelectorAll('.lit').forEach((el) => el.classList.remove('lit'));
  if (!line) return;
  const [kind, axis, n] = line.split('-') as ['W' | 'Wt', 'row' | 'col', string];
  const i = Number(n);
  // In W, rows are this layer's input elements and columns its output elements; Wᵀ swaps them.
  const isInput = (kind === 'W') === (axis === 'row');
  const inputs: number[] = [];
  const outputs: number[] = [];
  if (isInput) {
    inputs.push(i);
    W[i]!.forEach((v, c) => v !== 0 && outputs.push(c));
  } else {
    outputs.push(i);
    W.forEach((row, r) => row[i] !== 0 && inputs.push(r));
  }
  const mark = (sel: string) => root.querySelectorAll(sel).forEach((el) => el.classList.add('lit'));
  inputs.forEach((k) => mark(`[data-in="${k}"]`));
  outputs.forEach((k) => mark(`[data-out="${k}"]`));
  mark(`[data-line="${line}"]`);
  if (kind === 'W')
    mark(
      axis === 'row'
        ? `[data-testid="heatmap-W"] td[data-r="${i}"]`
        : `[data-testid="heatmap-W"] td[data-c="${i}"]`,
    );
  else
    mark(
      axis === 'row'
        ? `[data-testid="heatmap-Wt"] td[data-r="${i}"]`
        : `[data-testid="heatmap-Wt"] td[data-c="${i}"]`,
    );
}

function indexed(t: Tensor, attr: 'data-in' | 'data-out', caption: string, testId: string): HTMLElement {
  const [, c] = t.shape as [number, number];
  const plane = t.data.length / c;
  const grids = Array.from({ length: c }, (_, ch) => {
    const table = tensorPlane(t, ch, {
      caption: c > 1 ? `${caption} channel ${ch}` : caption,
      testId: `${testId}-${ch}`,
    });
    table.querySelectorAll('td').forEach((td, k) => td.setAttribute(attr, String(ch * plane + k)));
    return table;
  });
  return h('div', { className: 'grids' }, grids);
}

/**
 * The convolution this layer transposes, run by the CPU backend on g with the pads of core's
 * `adjointGeometry`: d2l's point that W·g is a plain convolution (TDS's 4×4 → 2×2, d2l's corr2d).
 */
function adjointConv(p: Problem, gradOutput: Tensor, viaW: Tensor): HTMLElement {
  try {
    const a = adjointGeometry(p.geometry);
    const y = cpuBackend.conv(gradOutput, p.weight, {
      stride: [...a.stride],
      dilation: [...a.dilation],
      groups: a.groups,
      padding: { begin: [...a.padBegin], end: [...a.padEnd] },
    });
    const diff = maxAbsDiff(y.data, viaW.data);
    return h(
      'div',
      {},
      indexed(y, 'data-in', 'conv(g, K), cpu', 'grad-conv'),
      h(
        'p',
        { 'data-testid': 'conv-match' },
        diff <= roundingBound(gradOutput.data, p.weight.data)
          ? `✓ W·g is the convolution of g (pads ${a.padBegin.join('×')} / ${a.padEnd.join('×')} from core's adjointGeometry)`
          : `✗ differs by ${diff}`,
      ),
    );
  } catch (e) {
    return h('p', { className: 'error-text' }, `The convolution as options: ${errorText(e)}`);
  }
}

function backward(p: Problem, W: SparseMatrix): HTMLElement {
  const g = p.geometry;
  const outCount = g.outputShape.reduce((a, b) => a * b, 1);
  const gradOutput = tensor(defaultValues('x', outCount), g.outputShape);
  const viaW = tensor(W.multiply(Float32Array.from(gradOutput.data)), p.inputShape);
  const backend: Backend = cpuBackend;
  let grad: HTMLElement;
  if (typeof backend.convTransposeBackward === 'function') {
    try {
      const r = backend.convTransposeBackward(gradOutput, p.input, p.weight, p.options);
      // The CPU backend is synchronous; a promise here would be another backend's.
      if (r instanceof Promise) throw new Error('convTransposeBackward returned a promise');
      const diff = maxAbsDiff(r.input.data, viaW.data);
      grad = h(
        'div',
        {},
        indexed(r.input, 'data-in', 'backward, cpu', 'grad-backend'),
        h(
          'p',
          { 'data-testid': 'backward-match' },
          diff <= roundingBound(gradOutput.data, p.weight.data)
            ? '✓ W·g equals cpuBackend.convTransposeBackward(g, x, K).input'
            : `✗ differs by ${diff}`,
        ),
      );
    } catch (e) {
      grad = h('p', { className: 'error-text' }, errorText(e));
    }
  } else {
    grad = h(
      'p',
      {},
      'This build of the CPU backend has no convTransposeBackward yet; W·g is the input gradient it will return.',
    );
  }
  return h(
    'div',
    { className: 'exchange' },
    h('h3', {}, 'Forward multiplies by Wᵀ, backward by W (d2l 13.10.3)'),
    h(
      'p',
      {},
      `For y = Wᵀx, ∂L/∂x = W·∂L/∂y: the transposed convolution's backward pass is the convolution's forward pass. With ∂L/∂y = g (0, 1, 2, … of size ${sizeText(g.outputSize)}):`,
    ),
    h(
      'div',
      { className: 'grids' },
      indexed(gradOutput, 'data-out', 'g = ∂L/∂y', 'grad-output'),
      indexed(viaW, 'data-in', 'W·g', 'grad-w'),
      adjointConv(p, gradOutput, viaW),
      grad,
    ),
  );
}

/** Renders the matrix view. */
export function matrixView(p: Problem): HTMLElement {
  let op: ReturnType<typeof prepareSparseConvTranspose>;
  try {
    op = prepareSparseConvTranspose(p.inputShape, p.weight, p.options);
  } catch (e) {
    return h(
      'section',
      { className: 'view' },
      h('p', { className: 'error-text', role: 'alert' }, errorText(e)),
    );
  }
  const W = op.matrix;
  const section = h(
    'section',
    { className: 'view', 'aria-labelledby': 'matrix-title' },
    h('h2', { id: 'matrix-title' }, 'The matrix'),
  );
  section.append(
    h(
      'p',
      {},
      `W is the ${W.rows}×${W.cols} matrix of the convolution this layer transposes (${W.nnz} nonzeros, from convolutionMatrix): a row per input element of this layer, a column per output element. The transposed convolution is y = Wᵀ·vec(x).`,
    ),
  );
  if (W.rows * W.cols > MAX_DRAWN_CELLS) {
    section.append(
      h(
        'p',
        { className: 'error-text' },
        `Explorer limit: ${W.rows}×${W.cols} is more than the ${MAX_DRAWN_CELLS} cells this page draws; pick a smaller layer (d2l's and TDS's presets are 4×9 and 4×16).`,
      ),
    );
    return section;
  }
  const dense = W.toDense();
  const y = tensor(W.transpose().multiply(Float32Array.from(p.input.data)), p.geometry.outputShape);
  const direct = cpuBackend.convTranspose(p.input, p.weight, p.options);
  const diff = maxAbsDiff(y.data, direct.data);
  const body = h(
    'div',
    {},
    h(
      'div',
      { className: 'grids' },
      indexed(p.input, 'data-in', 'x (input)', 'matrix-input'),
      indexed(y, 'data-out', 'Wᵀ·vec(x)', 'matrix-output'),
    ),
    h(
      'p',
      { 'data-testid': 'matrix-match' },
      diff <= roundingBound(p.input.data, p.weight.data)
        ? "✓ Wᵀ·vec(x) equals the CPU backend's transposed convolution"
        : `✗ differs from the CPU backend by ${diff}`,
    ),
    h(
      'p',
      { className: 'hint' },
      'Hover or focus a row or column number to see which input and output positions it connects.',
    ),
    h(
      'div',
      { className: 'matrices' },
      heatMap(dense, `W (${W.rows}×${W.cols})`, 'W'),
      heatMap(W.transpose().toDense(), `Wᵀ (${W.cols}×${W.rows})`, 'Wt'),
    ),
    backward(p, W),
  );
  const onLine = (e: Event) => {
    const line = (e.target as HTMLElement).closest('[data-line]')?.getAttribute('data-line') ?? null;
    connect(body, dense, line);
  };
  body.addEventListener('mouseover', onLine);
  body.addEventListener('focusin', onLine);
  section.append(body);
  return section;
}
