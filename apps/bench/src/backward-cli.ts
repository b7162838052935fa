import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from '@tconv/testing';
import type { GradientRow } from './backward';
import { gradientEngines, gradientMarkdown, runGradientBench } from './backward';
import { machineInfo } from './machine';
import { describeMachine } from './row';
import { runFeatures } from './run';

/**
 * `--backward`: runs the backward benchmark with a progress line per row and writes
 * `backward.json` and `backward.md` into `out`.
 */
export async function runBackwardCli(
  workloads: readonly Workload[],
  engineFilter: readonly string[] | undefined,
  out: string,
): Promise<void> {
  const engines = (await gradientEngines()).filter(
    (e) => !engineFilter || engineFilter.some((f) => e.name.includes(f)),
  );
  const f = (v: number | null) => (v === null ? '-' : v.toFixed(2));
  process.stdout.write(
    `${'workload'.padEnd(16)} ${'engine'.padEnd(16)} ${'fwd ms'.padStart(9)} ${'bwd ms'.padStart(9)} ${'bwd/fwd'.padStart(8)}  note\n`,
  );
  const rows = await runGradientBench(workloads, engines, (r: GradientRow) => {
    process.stdout.write(
      `${r.workload.padEnd(16)} ${`${r.engine} ${r.threads}t`.padEnd(16)} ${f(r.forwardMs).padStart(9)} ${f(r.backwardMs).padStart(9)} ${f(r.ratio).padStart(8)}  ${r.note ?? ''}\n`,
    );
  });
  await Promise.all(engines.map((e) => e.dispose?.()));
  const machine = machineInfo();
  const features = runFeatures(engines);
  const date = new Date().toISOString();
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'backward.json'),
    `${JSON.stringify({ date, machine, features, rows }, null, 2)}\n`,
  );
  const md = gradientMarkdown(rows, `${describeMachine(machine, features)}, ${date}`);
  writeFileSync(join(out, 'backward.md'), md);
  process.stdout.write(`\n${md}\nwrote ${join(out, 'backward.json')}, backward.md\n`);
}
