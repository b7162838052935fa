/**
 * Plain-text layout: tables, matrices side by side, and colour that is only switched on for a
 * terminal (so piped output and test snapshots stay plain).
 */

/** Colour helpers; every one is the identity when colour is off. */
export interface Paint {
  readonly enabled: boolean;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/**
 * Colour helpers for a stream: on only when it is a terminal and `NO_COLOR` is unset
 * (https://no-color.org), or when `force` says so.
 */
export function paintFor(stream: { isTTY?: boolean }, force?: boolean): Paint {
  const enabled = force ?? (stream.isTTY === true && !process.env.NO_COLOR);
  return {
    enabled,
    green: wrap(enabled, 32, 39),
    red: wrap(enabled, 31, 39),
    yellow: wrap(enabled, 33, 39),
    dim: wrap(enabled, 2, 22),
    bold: wrap(enabled, 1, 22),
  };
}

// Matches the SGR sequences `wrap` emits, so widths count what is seen on screen.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is the point
const ANSI = /\u001b\[[0-9;]*m/g;

/** Width of a string as displayed: escape sequences take no room. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Pads to a displayed width, on the right (`'left'` alignment) or on the left (`'right'`). */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleWidth(text)));
  return align === 'left' ? text + fill : fill + text;
}

/**
 * A number as a person reads it: integers exactly, others to 6 significant digits; `-0` is `0`.
 */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return '0';
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return value.toExponential(2);
  return String(Number(value.toPrecision(6)));
}

/**
 * A row of a table: cells, a group heading spanning the whole table, or a note line written
 * under the previous row (it does not widen the columns).
 */
export type TableRow = readonly string[] | { readonly group: string } | { readonly note: string };

/**
 * Renders a table with a header, `|`-separated columns and group headings.
 * @param header - the column titles
 * @param rows - cells (already coloured as wanted), `{ group }` headings or `{ note }` lines
 * @param align - per column; default left
 */
export function renderTable(
  header: readonly string[],
  rows: readonly TableRow[],
  align: readonly ('left' | 'right')[] = [],
): string[] {
  const widths = header.map((h) => visibleWidth(h));
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    (row as readonly string[]).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell));
    });
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i] ?? 0, align[i] ?? 'left'))
      .join(' | ')
      .trimEnd();
  const total = widths.reduce((a, w) => a + w, 0) + 3 * (widths.length - 1);
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const row of rows) {
    if (Array.isArray(row)) out.push(line(row as readonly string[]));
    else if ('note' in row) out.push(`  ${row.note}`);
    else {
      const title = ` ${(row as { group: string }).group} `;
      out.push(`--${title}${'-'.repeat(Math.max(0, total - 2 - visibleWidth(title)))}`);
    }
  }
  return out;
}

/**
 * A matrix as right-aligned columns under a title.
 * @param title - shown above the numbers
 * @param matrix - rows of numbers
 */
export function matrixBlock(title: string, matrix: readonly (readonly number[])[]): string[] {
  const cells = matrix.map((row) => row.map(formatNumber));
  const columns = Math.max(0, ...cells.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, j) =>
    Math.max(1, ...cells.map((r) => (r[j] ?? '').length)),
  );
  return [title, ...cells.map((r) => r.map((c, j) => pad(c, widths[j]!, 'right')).join(' '))];
}

/**
 * Blocks of lines placed next to each other, top-aligned, separated by `gap` spaces.
 * @param blocks - each a list of lines
 */
export function sideBySide(blocks: readonly (readonly string[])[], gap = 4): string[] {
  const widths = blocks.map((b) => Math.max(0, ...b.map(visibleWidth)));
  const height = Math.max(0, ...blocks.map((b) => b.length));
  const out: string[] = [];
  for (let i = 0; i < height; i++) {
    out.push(
      blocks
        .map((b, j) => pad(b[i] ?? '', widths[j]!))
        .join(' '.repeat(gap))
        .trimEnd(),
    );
  }
  return out;
}

/**
 * Splits blocks into rows of blocks that fit a width, then lays each row side by side, so a
 * narrow terminal gets several bands instead of wrapped lines.
 */
export function sideBySideWrapped(
  blocks: readonly (readonly string[])[],
  maxWidth: number,
  gap = 4,
): string[] {
  const out: string[] = [];
  let band: (readonly string[])[] = [];
  let width = 0;
  for (const block of blocks) {
    const w = Math.max(0, ...block.map(visibleWidth));
    if (band.length > 0 && width + gap + w > maxWidth) {
      out.push(...sideBySide(band, gap), '');
      band = [];
      width = 0;
    }
    width += (band.length > 0 ? gap : 0) + w;
    band.push(block);
  }
  if (band.length > 0) out.push(...sideBySide(band, gap));
  return out;
}
