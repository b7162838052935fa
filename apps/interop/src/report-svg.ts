import type { Matrix } from './matrix';
import { countByEngineAndGroup, groupsOf } from './summary';

const COLORS = { pass: '#3a9d5d', fail: '#d64545', 'cannot-express': '#b8b8b8' } as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * `matrix.svg`: one row per engine, one column per case group (plus the total); each cell a bar
 * split into pass (green), fail (red) and cannot express (grey), with the counts written on it.
 */
export function svgMatrix(m: Matrix): string {
  const counts = countByEngineAndGroup(m);
  const columns = [...groupsOf(m), ''];
  const labelWidth = 190;
  const cellWidth = 104;
  const rowHeight = 30;
  const top = 56;
  const width = labelWidth + columns.length * cellWidth + 10;
  const height = top + m.engines.length * rowHeight + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">The conformance kit on every engine (pass / fail / cannot express)</text>`,
  ];
  columns.forEach((g, i) => {
    out.push(
      `<text x="${labelWidth + i * cellWidth + cellWidth / 2}" y="${top - 8}" text-anchor="middle" font-weight="bold">${esc(g || 'total')}</text>`,
    );
  });
  m.engines.forEach((e, row) => {
    const y = top + row * rowHeight;
    out.push(`<text x="10" y="${y + 19}">${esc(e.name)}${e.control ? ' (control)' : ''}</text>`);
    columns.forEach((g, i) => {
      const c = counts.get(e.name)?.get(g);
      const x0 = labelWidth + i * cellWidth + 2;
      const w = cellWidth - 4;
      const total = c ? c.pass + c.fail + c['cannot-express'] : 0;
      if (!c || total === 0) {
        out.push(`<text x="${x0 + w / 2}" y="${y + 19}" text-anchor="middle" fill="#888">–</text>`);
        return;
      }
      let x = x0;
      for (const k of ['pass', 'fail', 'cannot-express'] as const) {
        const part = (c[k] / total) * w;
        if (part > 0)
          out.push(
            `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${part.toFixed(1)}" height="${rowHeight - 8}" fill="${COLORS[k]}"/>`,
          );
        x += part;
      }
      out.push(
        `<text x="${x0 + w / 2}" y="${y + 19}" text-anchor="middle" fill="#000">${c.pass} / ${c.fail} / ${c['cannot-express']}</text>`,
      );
    });
  });
  const ly = top + m.engines.length * rowHeight + 22;
  (['pass', 'fail', 'cannot-express'] as const).forEach((k, i) => {
    out.push(`<rect x="${10 + i * 130}" y="${ly - 10}" width="12" height="12" fill="${COLORS[k]}"/>`);
    out.push(`<text x="${26 + i * 130}" y="${ly}">${k === 'cannot-express' ? 'cannot express' : k}</text>`);
  });
  out.push(
    `<text x="${width - 10}" y="${ly}" text-anchor="end" fill="#666">${esc(m.generated)}</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
