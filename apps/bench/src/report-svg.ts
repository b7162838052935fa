import type { BenchResult } from './run';

const COLORS = [
  '#1b9e77',
  '#66a61e',
  '#2c7fb8',
  '#253494',
  '#d95f02',
  '#e7298a',
  '#7570b3',
  '#a6761d',
  '#666666',
  '#e6ab02',
];

/** A grouped bar chart of GFLOP/s (log scale) per workload and engine, as a standalone SVG. */
export function svgChart(result: BenchResult): string {
  const engines = [...new Set(result.rows.map((r) => `${r.engine} ${r.threads}t`))];
  const workloads = [...new Set(result.rows.map((r) => r.workload))];
  const bar = 9;
  const group = engines.length * bar + 14;
  const left = 60;
  const top = 30;
  const height = 300;
  const width = left + workloads.length * group + 20;
  const legend = engines.length * 16 + 20;
  const maxG = Math.max(1, ...result.rows.map((r) => r.gflops ?? 0));
  const lo = 0.1;
  const y = (g: number) =>
    top + height - (Math.log10(Math.max(g, lo) / lo) / Math.log10((maxG * 1.2) / lo)) * height;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 90 + legend}" font-family="sans-serif" font-size="10">`,
    `<text x="${left}" y="16" font-size="13">Transposed convolution, GFLOP/s (log scale), float32 — ${result.machine.cpus}</text>`,
  ];
  for (const g of [0.1, 1, 10, 100]) {
    if (g > maxG * 1.2) continue;
    out.push(
      `<line x1="${left}" x2="${width - 10}" y1="${y(g)}" y2="${y(g)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(g) + 3}" text-anchor="end">${g}</text>`,
    );
  }
  workloads.forEach((w, i) => {
    const x0 = left + i * group + 7;
    engines.forEach((e, j) => {
      const r = result.rows.find((row) => row.workload === w && `${row.engine} ${row.threads}t` === e);
      if (!r?.gflops) return;
      out.push(
        `<rect x="${x0 + j * bar}" y="${y(r.gflops)}" width="${bar - 1}" height="${top + height - y(r.gflops)}" fill="${COLORS[j % COLORS.length]}"><title>${w} · ${e}: ${r.gflops.toFixed(2)} GFLOP/s</title></rect>`,
      );
    });
    out.push(
      `<text transform="translate(${x0 + (engines.length * bar) / 2},${top + height + 10}) rotate(40)">${w}</text>`,
    );
  });
  engines.forEach((e, j) => {
    const ly = top + height + 80 + j * 16;
    out.push(
      `<rect x="${left}" y="${ly - 9}" width="10" height="10" fill="${COLORS[j % COLORS.length]}"/>`,
      `<text x="${left + 16}" y="${ly}">${e}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
