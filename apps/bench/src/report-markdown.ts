import type { FirstCallRow } from './first-call-row';
import { describeMachine } from './row';
import type { BenchResult, Row } from './run';

const label = (r: Pick<Row, 'engine' | 'threads'>) => `${r.engine} ${r.threads}t`;

/** A Markdown table: workloads × engines in GFLOP/s, then each tconv backend's ratio to each peer. */
export function markdownReport(result: BenchResult): string {
  const engines = [...new Set(result.rows.map(label))];
  const workloads = [...new Set(result.rows.map((r) => r.workload))];
  const cell = (w: string, e: string) => {
    const r = result.rows.find((x) => x.workload === w && label(x) === e);
    if (!r) return '';
    if (r.gflops !== null) return r.gflops.toFixed(r.gflops < 10 ? 2 : 1);
    return r.note?.startsWith('n/a') ? 'n/a' : r.note?.startsWith('disagrees') ? '✗ wrong' : 'failed';
  };
  const lines = [
    `GFLOP/s (useful FLOPs 2·N·Cin·∏in·(Cout/groups)·∏kernel / median time), float32 — ${describeMachine(result.machine, result.features)}, ${result.date}${result.quick ? ' (quick mode)' : ''}`,
    '',
    `| workload | MFLOP | ${engines.join(' | ')} |`,
    `|---|---|${engines.map(() => '---').join('|')}|`,
  ];
  for (const w of workloads) {
    const mflop = result.rows.find((r) => r.workload === w)!.mflop;
    lines.push(`| ${w} | ${mflop.toFixed(1)} | ${engines.map((e) => cell(w, e)).join(' | ')} |`);
  }
  const ours = engines.filter((e) => e.startsWith('tconv'));
  const peers = engines.filter((e) => !e.startsWith('tconv') && !e.startsWith('wrong'));
  lines.push('', 'Speed-up of each tconv backend over each peer (same run; >1 means tconv is faster):', '');
  lines.push(
    `| workload | tconv backend | ${peers.join(' | ')} |`,
    `|---|---|${peers.map(() => '---').join('|')}|`,
  );
  for (const w of workloads) {
    for (const o of ours) {
      const mine = result.rows.find((r) => r.workload === w && label(r) === o)?.gflops;
      if (!mine) continue;
      const ratios = peers.map((p) => {
        const theirs = result.rows.find((r) => r.workload === w && label(r) === p)?.gflops;
        return theirs ? `${(mine / theirs).toFixed(2)}×` : '–';
      });
      lines.push(`| ${w} | ${o} | ${ratios.join(' | ')} |`);
    }
  }
  lines.push(...threadsMarkdown(result.rows, workloads));
  if (result.firstCall) lines.push('', ...firstCallMarkdown(result.firstCall.rows, result.firstCall.mode));
  const flagged = result.rows.filter((r) => !r.ok && !r.note?.startsWith('n/a'));
  if (flagged.length) {
    lines.push('', 'Not timed:', '');
    for (const r of flagged) lines.push(`- ${r.workload} / ${label(r)}: ${r.note}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Two threads ÷ one, per engine that ran both: of the timed (steady) calls, and of the calls right
 * after other engines' (`coldMs`), when the rows have them.
 */
function threadsMarkdown(rows: readonly Row[], workloads: readonly string[]): string[] {
  const find = (w: string, engine: string, threads: number) =>
    rows.find((r) => r.workload === w && r.engine === engine && r.threads === threads);
  const both = [...new Set(rows.map((r) => r.engine))].filter((e) =>
    workloads.some((w) => find(w, e, 1)?.medianMs && find(w, e, 2)?.medianMs),
  );
  if (both.length === 0) return [];
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a && b ? `${(a / b).toFixed(2)}×` : '–';
  const lines = [
    '',
    "Two threads ÷ one thread, same run: steady calls (the timed ones) / calls right after other engines' (threads parked, caches cold) / calls back to back (bursts of the two alternating, threads never idle):",
    '',
    `| workload | MFLOP | ${both.join(' | ')} |`,
    `|---|---|${both.map(() => '---').join('|')}|`,
  ];
  for (const w of workloads) {
    const cells = both.map((e) => {
      const [one, two] = [find(w, e, 1), find(w, e, 2)];
      return `${ratio(one?.medianMs, two?.medianMs)} / ${ratio(one?.coldMs, two?.coldMs)} / ${ratio(one?.loopMs, two?.loopMs)}`;
    });
    lines.push(`| ${w} | ${rows.find((r) => r.workload === w)!.mflop.toFixed(1)} | ${cells.join(' | ')} |`);
  }
  return lines;
}

const ms = (v: number) => v.toFixed(v < 10 ? 2 : 1);

/**
 * The first-call section: per workload and tconv backend, first call / steady median in ms and
 * their ratio (a fresh backend; `mode` says how fresh), and each backend's creation time.
 */
export function firstCallMarkdown(rows: readonly FirstCallRow[], mode: string): string[] {
  const label = (r: FirstCallRow) => `${r.engine} ${r.threads}t`;
  const engines = [...new Set(rows.map(label))];
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const lines = [
    `First call of a fresh backend (${mode}): call 1 ms / steady ms (median of the last calls) and call 1 ÷ steady; call 2 ÷ steady after it:`,
    '',
    `| workload | ${engines.join(' | ')} |`,
    `|---|${engines.map(() => '---').join('|')}|`,
  ];
  for (const w of workloads) {
    const cells = engines.map((e) => {
      const r = rows.find((x) => x.workload === w && label(x) === e);
      if (!r) return '';
      if (r.firstMs === null || r.steadyMs === null) return r.note ?? 'failed';
      return `${ms(r.firstMs)} / ${ms(r.steadyMs)} (${r.firstRatio!.toFixed(2)}×; 2nd ${r.secondRatio!.toFixed(2)}×)`;
    });
    lines.push(`| ${w} | ${cells.join(' | ')} |`);
  }
  const creation = engines.map((e) => {
    const c = rows.filter((r) => label(r) === e && r.createMs !== null).map((r) => r.createMs!);
    return c.length ? `${e} ${ms(c.sort((a, b) => a - b)[c.length >> 1]!)} ms` : `${e} –`;
  });
  lines.push('', `Creating the backend (median over the workloads): ${creation.join(', ')}.`);
  return lines;
}
