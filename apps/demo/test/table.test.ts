import { describe, expect, it } from 'vitest';
import { formatNumber, matrixBlock, paintFor, renderTable, sideBySide, visibleWidth } from '../src/table';

describe('text layout', () => {
  it('formats integers exactly and other numbers to 6 significant digits', () => {
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(400)).toBe('400');
    expect(formatNumber(1 / 3)).toBe('0.333333');
    expect(formatNumber(2.384185791015625e-7)).toBe('2.38e-7');
  });

  it('colours only when asked or on a terminal, and widths ignore the escape codes', () => {
    expect(paintFor({ isTTY: false }).green('pass')).toBe('pass');
    const coloured = paintFor({ isTTY: false }, true).green('pass');
    expect(coloured).not.toBe('pass');
    expect(visibleWidth(coloured)).toBe(4);
  });

  it('renders aligned columns, group headings and notes', () => {
    const lines = renderTable(
      ['case', 'cpu'],
      [{ group: 'd2l' }, ['a', 'pass 0'], { note: 'n' }, ['long-id', 'FAIL 3']],
    );
    expect(lines).toEqual([
      'case    | cpu',
      '--------+-------',
      '-- d2l ---------',
      'a       | pass 0',
      '  n',
      'long-id | FAIL 3',
    ]);
  });

  it('places matrices side by side, right-aligned within each', () => {
    const lines = sideBySide([
      matrixBlock('x', [
        [0, 1],
        [2, 3],
      ]),
      matrixBlock('y', [
        [0, 4, 1],
        [8, 16, 6],
      ]),
    ]);
    expect(lines).toEqual(['x      y', '0 1    0  4 1', '2 3    8 16 6']);
  });
});
