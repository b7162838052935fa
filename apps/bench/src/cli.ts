import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FirstCallRow } from './first-call-row';
import type { Row } from './run';
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
  --no-first-call       skip the first-call section (a fresh Node process per tconv backend and
                        workload: call 1, call 2 and the steady median of a fresh backend)
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
  const child = argv.indexOf('--first-call-child');
  if (child >= 0) {
    // a fresh process for one first-call row: nothing else is imported before the backend starts
    const { firstCallChild } = await import('./first-call');
    await firstCallChild(argv[child + 1] ?? '');
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
  const { allEngines } = await import('./engines');
  const { markdownReport } = await import('./report-markdown');
  const { svgChart } = await import('./report-svg');
  const { runBench } = await import('./run');
  const { childFirstCall, FIRST_CALL_SPECS } = await import('./first-call');
  const engines = (await allEngines(process.env.TCONV_BENCH_INJECT_WRONG === '1')).filter(
    (e) => !engineFilter || engineFilter.some((f) => e.name.includes(f)),
  );
  const firstCallSpecs = FIRST_CALL_SPECS.filter(
    (s) => !engineFilter || engineFilter.some((f) => `${s.engine} ${s.threads}t`.includes(f)),
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
    ...(argv.includes('--no-first-call') || firstCallSpecs.length === 0
      ? {}
      : {
          firstCall: {
            specs: firstCallSpecs,
            mode: 'a fresh Node process per row',
            run: childFirstCall(process.argv[1]!),
            onRow: (r: FirstCallRow) => {
              const f = (v: number | null) => (v === null ? '-' : v.toFixed(2));
              process.stdout.write(
                `${r.workload.padEnd(16)} ${`${r.engine} ${r.threads}t first call`.padEnd(26)} ${f(r.firstMs).padStart(10)} / ${f(r.steadyMs)} ms (${f(r.firstRatio)}×, create ${f(r.createMs)} ms)  ${r.note ?? ''}\n`,
              );
            },
          },
        }),
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
