import { relative, sep } from 'node:path';
import type { DemoOptions } from './args';
import { HELP, parseCliArgs, UsageError } from './args';
import type { UnavailableBackend } from './backends';
import { loadBackends, unavailableLine } from './backends';
import type { CrossCheck } from './cross-check';
import { crossCheck, crossCheckTable, failureLines, summaryLine } from './cross-check';
import { exampleLines, matrixViewLines, runExamples, runMatrixView } from './examples';
import { exchangeLines, runExchange } from './exchange';
import { writePictures } from './pictures';
import { train, trainingLines, writeTrainingPictures } from './training';
import { runShapes, shapeLines } from './shapes';
import type { Paint } from './table';
import { paintFor } from './table';

function progressReporter(paint: Paint): (backend: string, done: number, total: number, id: string) => void {
  const tty = process.stderr.isTTY === true;
  let start = performance.now();
  return (backend, done, total, id) => {
    if (done === 1) start = performance.now();
    if (tty) {
      const bar = '#'.repeat(Math.round((done / total) * 20)).padEnd(20, '.');
      const head = `${backend.padEnd(7)} [${bar}] ${done}/${total} `;
      // One line that never wraps, or the carriage return would not return to its start.
      const room = Math.max(0, (process.stderr.columns ?? 80) - 1 - head.length);
      process.stderr.write(`\r\u001b[K${head}${paint.dim(id.slice(0, room))}`);
      if (done === total) process.stderr.write('\r\u001b[K');
    }
    if (done === total) {
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      process.stderr.write(`${backend}: ${total} conformance cases run in ${seconds} s\n`);
    }
  };
}

/** Everything one run computed: the kit's cross-check, the documents' examples, gradients, pictures. */
interface Results {
  check: CrossCheck;
  /** Requested backends this runtime lacks (WebGPU in Node): reported, not cross-checked. */
  unavailable: UnavailableBackend[];
  examples: Awaited<ReturnType<typeof runExamples>>;
  matrixView: Awaited<ReturnType<typeof runMatrixView>>;
  shapes: Awaited<ReturnType<typeof runShapes>>;
  pictures: Awaited<ReturnType<typeof writePictures>> | null;
  exchange: Awaited<ReturnType<typeof runExchange>>;
  training: ReturnType<typeof train>;
  examplesOk: boolean;
  gradientsOk: boolean;
  ok: boolean;
}

async function compute(options: DemoOptions): Promise<Results> {
  const errPaint = paintFor(process.stderr, options.color);
  const { backends, unavailable } = await loadBackends(options.backends);
  const filter = options.filter;
  const check: CrossCheck = await crossCheck(backends, {
    ...(filter === null
      ? {}
      : {
          filter: (c) => [c.id, c.source, ...c.tags].some((text) => text.toLowerCase().includes(filter)),
        }),
    onProgress: progressReporter(errPaint),
  });
  const examples = await runExamples(backends);
  const matrixView = await runMatrixView(backends);
  const shapes = await runShapes(backends);
  const pictures = options.out === null ? null : await writePictures(options.out, backends);
  const exchange = await runExchange(backends);
  const training = train();
  if (pictures !== null && options.out !== null)
    pictures.pictures.push(...writeTrainingPictures(options.out, training));

  const examplesOk =
    examples.every((e) => e.outputs.every((o) => o.ok)) &&
    matrixView.ok &&
    shapes.every((s) => s.coreOk && s.backends.every((b) => b.ok));
  const picturesOk = pictures === null || pictures.errors.length === 0;
  const gradientsOk = exchange.every((e) => e.ok) && training.ok;
  // A run that checked no backend (only webgpu asked for, in Node) proves nothing: it fails.
  const ok =
    check.ok && examplesOk && picturesOk && gradientsOk && check.rows.length > 0 && backends.length > 0;
  return {
    check,
    unavailable,
    examples,
    matrixView,
    shapes,
    pictures,
    exchange,
    training,
    examplesOk,
    gradientsOk,
    ok,
  };
}

function jsonReport(r: Results, options: DemoOptions): string {
  const { check, examples, matrixView, shapes, pictures, exchange, training } = r;
  const json = {
    ok: r.ok,
    backends: check.backends,
    unavailable: r.unavailable,
    summary: check.summaries,
    cases: check.rows,
    examples: examples.map(({ example, outputs }) => ({ ...example, outputs })),
    matrixView,
    shapes: shapes.map(({ example, ...rest }) => ({ ...example, ...rest })),
    pictures: pictures === null ? null : { dir: options.out, ...pictures },
    exchange,
    training: {
      losses: training.losses,
      initialKernel: training.initialKernel,
      learnedKernel: training.learnedKernel,
      bilinear: training.bilinear,
      maxKernelError: training.maxKernelError,
      testLoss: training.test.loss,
      ok: training.ok,
    },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

function textReport(r: Results, options: DemoOptions): string {
  const { check, examples, matrixView, shapes, pictures, exchange, training } = r;
  const paint = paintFor(process.stdout, options.color);
  const width = Math.max(60, process.stdout.columns ?? 120);
  const out: string[] = [];
  const section = (title: string): void => {
    out.push(
      paint.bold(`== ${title} ${'='.repeat(Math.max(0, Math.min(width, 100) - title.length - 4))}`),
      '',
    );
  };
  section("The documents' worked examples, on every backend");
  out.push(...exampleLines(examples, paint, width));
  out.push(...matrixViewLines(matrixView, paint, width));
  section("Gradients: d2l 13.10.3's exchange on every backend, and a layer that learns");
  out.push(...exchangeLines(exchange, paint, width), ...trainingLines(training, paint));
  section("Shape walkthrough: the documents' size examples, through core and every backend");
  out.push(...shapeLines(shapes, paint), '');
  if (pictures !== null && options.out !== null) {
    section('Pictures');
    const shown = relative(process.cwd(), options.out) || '.';
    out.push(`  in ${shown}${sep}`);
    const nameWidth = Math.max(0, ...pictures.pictures.map((p) => p.file.length));
    for (const p of pictures.pictures) {
      out.push(`  ${p.file.padEnd(nameWidth)}  ${p.width}×${p.height}  ${paint.dim(p.description)}`);
    }
    for (const e of pictures.errors) out.push(`  ${paint.red('could not draw')} ${e}`);
    out.push('');
  }
  section(`Conformance: ${check.rows.length} cases × ${check.backends.length} backends`);
  out.push(...crossCheckTable(check, paint), '');
  const failures = failureLines(check, paint);
  if (failures.length > 0) out.push(...failures, '');
  if (!r.gradientsOk)
    out.push(paint.red('A gradient check above failed (✗): the exchange or the training did not come out.'));
  if (!r.examplesOk)
    out.push(paint.red('A worked example or a shape check above disagrees with its document (✗).'));
  for (const u of r.unavailable) out.push(unavailableLine(u));
  if (check.rows.length === 0)
    out.push(paint.red(`--filter ${JSON.stringify(options.filter)} selected no case.`));
  out.push(summaryLine(check, paint));
  return `${out.join('\n')}\n`;
}

async function run(options: DemoOptions): Promise<number> {
  const results = await compute(options);
  process.stdout.write(options.json ? jsonReport(results, options) : textReport(results, options));
  return results.ok ? 0 : 1;
}

async function main(): Promise<void> {
  let options: DemoOptions;
  try {
    options = parseCliArgs(process.argv.slice(2), process.env, process.cwd());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`tconv-demo: ${error.message}\nRun with --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return;
  }
  const code = await run(options);
  process.exitCode = code;
  // Worker threads or other handles a backend keeps must not hold the process open once the
  // output is written; an unref'd timer only fires if something else keeps the loop alive.
  setTimeout(() => process.exit(code), 2000).unref();
}

main().catch((error: unknown) => {
  process.stderr.write(`tconv-demo: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
