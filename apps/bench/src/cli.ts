import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allEngines } from './engines';
import { markdownReport } from './report-markdown';
import { svgChart } from './report-svg';
import type { Row } from './run';
import { runBench } from './run';
import { TINY, WORKLOADS } from '@tconv/testing';

const HELP = `tconv bench — every tconv backend side by side with TensorFlow.js and ONNX Runtime

  --quick               a smoke run: the tiny workload plus fewer, shorter repetitions
  --workload a,b        only workloads whose name contains one of the strings
  --engine a,b          only engines whose name contains one of the strings
  --out <dir>           where to write latest.json / latest.md / latest.svg (default apps/bench/results,
                        or apps/bench/results/quick with --quick)
  --browser             the browser benchmark in headless Chromium: tconv-webgpu against onnxruntime-web
                        WebGPU and tfjs-webgpu, tconv-wasm against onnxruntime-web wasm (browser.json/.md)
  --backward            input + weight gradients beside forward: tconv-cpu, tconv-wasm, tfjs-cpu and
                        tfjs-wasm's tf.grads of conv2dTranspose (backward.json / backward.md)
  --help                this text

Environment: TCONV_BENCH_INJECT_WRONG=1 adds an engine 'wrong' (results × 1.001) that the
correctness gate must flag.
`;

function list(argv: string[], flag: string): string[] | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? (argv[i + 1] ?? '').split(',').filter(Boolean) : undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const quick = argv.includes('--quick');
  const workloadFilter = list(argv, '--workload');
  const engineFilter = list(argv, '--engine');
  const outIndex = argv.indexOf('--out');
  // a quick smoke run must not overwrite the committed full results
  const out = resolve(
    outIndex >= 0
      ? argv[outIndex + 1]!
      : join(import.meta.dirname, '..', 'results', ...(quick ? ['quick'] : [])),
  );
  if (argv.includes('--browser')) {
    const { runBrowserBench } = await import('./browser/run-browser');
    await runBrowserBench({ quick, workloads: workloadFilter, engines: engineFilter }, out);
    return 0;
  }
  const workloads = (quick ? [TINY, ...WORKLOADS.slice(1, 2)] : WORKLOADS).filter(
    (w) => !workloadFilter || workloadFilter.some((f) => w.name.includes(f)),
  );
  if (argv.includes('--backward')) {
    const { runBackwardCli } = await import('./backward-cli');
    await runBackwardCli(workloads, engineFilter, out);
    return 0;
  }
  const engines = (await allEngines(process.env.TCONV_BENCH_INJECT_WRONG === '1')).filter(
    (e) => !engineFilter || engineFilter.some((f) => e.name.includes(f)),
  );
  process.stdout.write(
    `${'workload'.padEnd(16)} ${'engine'.padEnd(26)} ${'median ms'.padStart(10)} ${'GFLOP/s'.padStart(9)}  note\n`,
  );
  const result = await runBench({
    workloads,
    engines,
    quick,
    onProgress: (r: Row, done, total) => {
      const ms = r.medianMs === null ? '-' : r.medianMs.toFixed(2);
      const g = r.gflops === null ? '-' : r.gflops.toFixed(2);
      process.stdout.write(
        `${r.workload.padEnd(16)} ${`${r.engine} ${r.threads}t`.padEnd(26)} ${ms.padStart(10)} ${g.padStart(9)}  ${r.ok ? '' : r.note}  [${done}/${total}]\n`,
      );
    },
  });
  await Promise.all(engines.map((e) => e.dispose?.()));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = markdownReport(result);
  writeFileSync(join(out, 'latest.md'), md);
  writeFileSync(join(out, 'latest.svg'), svgChart(result));
  process.stdout.write(`\n${md}\nwrote ${join(out, 'latest.json')}, latest.md, latest.svg\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
