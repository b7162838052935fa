import { firstCallMarkdown } from '../report-markdown';
import { describeMachine } from '../row';
import type { BrowserBenchResult } from './types';

/**
 * The browser benchmark as Markdown: GFLOP/s per workload and engine, then tconv's ratios to the
 * peer on the same runtime (WebGPU: onnxruntime-web-webgpu and tfjs-webgpu; WebAssembly:
 * onnxruntime-web-wasm) — the figures that count, since on SwiftShader the absolute numbers are CPU
 * figures.
 */
export function browserMarkdown(r: BrowserBenchResult): string {
  const engines = [...new Set(r.rows.map((x) => x.engine))];
  const workloads = [...new Set(r.rows.map((x) => x.workload))];
  const find = (w: string, e: string) => r.rows.find((x) => x.workload === w && x.engine === e);
  const cell = (w: string, e: string) => {
    const x = find(w, e);
    if (!x) return '';
    if (x.gflops !== null) return x.gflops.toFixed(x.gflops < 10 ? 2 : 1);
    return x.note?.startsWith('n/a') ? 'n/a' : x.note?.startsWith('disagrees') ? '✗ wrong' : 'failed';
  };
  const swift = /swiftshader/i.test(r.adapter);
  const lines = [
    `Browser benchmark, headless Chromium (${r.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? r.userAgent}), WebGPU adapter: ${r.adapter}${swift ? ' — SwiftShader is a CPU implementation of the GPU: absolute WebGPU figures are CPU figures; the ratios between engines in this same run are what counts' : ''}.`,
    `Machine: ${describeMachine(r.machine, r.features)} (engines of a workload timed interleaved), ${r.date}${r.quick ? ' (quick mode)' : ''}.`,
    'GFLOP/s = useful FLOPs (2·N·Cin·∏in·(Cout/groups)·∏kernel) / median time of one call; float32; every result checked against the definition first. tconv-webgpu and onnxruntime-web: upload, compute, read back (what a caller of a Tensor API waits for); tfjs-webgpu and tconv-webgpu (resident, read back): operands already on the GPU, compute, read back; tconv-webgpu (resident, chained): the GPU-resident call until the GPU is done, no read (a layer in a chain).',
    '',
    `| workload | MFLOP | ${engines.join(' | ')} |`,
    `|---|---|${engines.map(() => '---').join('|')}|`,
  ];
  for (const w of workloads) {
    lines.push(
      `| ${w} | ${find(w, engines[0]!)?.mflop.toFixed(1) ?? ''} | ${engines.map((e) => cell(w, e)).join(' | ')} |`,
    );
  }
  // like against like: onnxruntime-web uploads its feeds on every run (as the Tensor API does);
  // the tfjs peer keeps its operands on the GPU and reads the result back (as the resident call does)
  const pairs: [string, string][] = [
    ['tconv-webgpu', 'onnxruntime-web-webgpu'],
    ['tconv-webgpu (resident, read back)', 'tfjs-webgpu'],
    ['tconv-webgpu', 'tfjs-webgpu'],
    ['tconv-wasm 1t', 'onnxruntime-web-wasm 1t'],
  ];
  const present = pairs.filter(([a, b]) => engines.includes(a) && engines.includes(b));
  if (present.length > 0) {
    lines.push(
      '',
      'Speed-up (same run; > 1 means tconv is faster; "refuses" where the peer cannot run the layer):',
      '',
    );
    lines.push(
      `| workload | ${present.map(([a, b]) => `${a} / ${b}`).join(' | ')} |`,
      `|---|${present.map(() => '---').join('|')}|`,
    );
    for (const w of workloads) {
      const ratios = present.map(([a, b]) => {
        const mine = find(w, a);
        const theirs = find(w, b);
        if (!mine?.gflops) return '–';
        if (!theirs?.gflops)
          return theirs?.note?.startsWith('n/a')
            ? 'refuses'
            : theirs?.note?.startsWith('disagrees')
              ? 'peer wrong'
              : 'peer failed';
        return `${(mine.gflops / theirs.gflops).toFixed(2)}×`;
      });
      lines.push(`| ${w} | ${ratios.join(' | ')} |`);
    }
  }
  if (r.firstCall.length > 0) {
    lines.push('', ...firstCallMarkdown(r.firstCall, 'a new WebGPU device per row, in the same page'));
  }
  const notes = r.rows.filter((x) => !x.ok && x.note && !x.note.startsWith('n/a'));
  if (notes.length > 0) {
    lines.push('', 'Not timed:', '');
    for (const x of notes) lines.push(`- ${x.workload}, ${x.engine}: ${x.note}`);
  }
  return `${lines.join('\n')}\n`;
}
