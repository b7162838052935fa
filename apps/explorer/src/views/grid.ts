/** Grids of numbers as HTML tables, editable or not, with per-cell classes. */
import type { Tensor } from '@tconv/core';
import { formatNumber, h } from '../dom';

/** How one cell is drawn. */
export interface CellStyle {
  readonly className?: string;
  readonly title?: string;
}

/** Options of {@link numberGrid}. */
export interface GridOptions {
  readonly caption?: string;
  readonly testId?: string;
  /** Row and column offsets: cell (r, c) shows value (r + rowStart, c + colStart) when inside. */
  readonly style?: (row: number, col: number) => CellStyle | undefined;
  /** Makes the cells editable; called with the flat index and the new value. */
  readonly onEdit?: (index: number, value: number) => void;
  /** id prefix of editable cells, so focus survives a re-render. */
  readonly idPrefix?: string;
  /** Largest |value| (for the shading); default: the grid's own. */
  readonly scale?: number;
}

/** A `rows × cols` table of `values[offset + r·cols + c]`. */
export function numberGrid(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  options: GridOptions = {},
  offset = 0,
): HTMLTableElement {
  let scale = options.scale ?? 0;
  if (options.scale === undefined) {
    for (let i = 0; i < rows * cols; i++) scale = Math.max(scale, Math.abs(values[offset + i]!));
  }
  const body = h('tbody');
  for (let r = 0; r < rows; r++) {
    const tr = h('tr');
    for (let c = 0; c < cols; c++) {
      const index = r * cols + c;
      const v = values[offset + index]!;
      const style = options.style?.(r, c);
      const shade = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
      const td = h('td', {
        className: ['cell', style?.className].filter(Boolean).join(' '),
        title: style?.title,
        style: `--shade: ${shade.toFixed(3)}`,
      });
      if (options.onEdit) {
        const edit = options.onEdit;
        const input = h('input', {
          type: 'number',
          step: 'any',
          value: formatNumber(v),
          id: options.idPrefix ? `${options.idPrefix}-${index}` : undefined,
          'aria-label': `${options.caption ?? 'value'} row ${r + 1} column ${c + 1}`,
          onChange: (e) => {
            const n = Number((e.target as HTMLInputElement).value);
            if (Number.isFinite(n)) edit(offset + index, n);
          },
        });
        td.append(input);
      } else {
        td.textContent = formatNumber(v);
      }
      tr.append(td);
    }
    body.append(tr);
  }
  return h(
    'table',
    { className: cols > 10 ? 'grid compact' : 'grid', 'data-testid': options.testId },
    options.caption ? h('caption', {}, options.caption) : null,
    body,
  );
}

/** The `[rows, cols]` plane `(n, c)` of a `[N, C, H, W]` tensor, as a grid. */
export function tensorPlane(t: Tensor, channel: number, options: GridOptions = {}): HTMLTableElement {
  const [, c, rows, cols] = t.shape as [number, number, number, number];
  return numberGrid(t.data, rows, cols, options, Math.min(channel, c - 1) * rows * cols);
}
