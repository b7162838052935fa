import os from 'node:os';
import type { ConformanceCase, ConformanceResult, KitCase } from '@tconv/conformance';
import { cases as kitCases, runConformance } from '@tconv/conformance';
import type { MatrixEngine } from './engines';

/** What one engine did on one case. */
export type MatrixStatus = 'pass' | 'fail' | 'cannot-express';

/** One cell of the matrix. */
export interface MatrixResult {
  engine: string;
  case: string;
  group: string;
  status: MatrixStatus;
  maxError?: number;
  message?: string;
}

/** `results/matrix.json`: every engine on every case of the kit. */
export interface Matrix {
  generated: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; platform: string };
  engines: { name: string; version: string; runtime: string; control: boolean }[];
  results: MatrixResult[];
}

/** Options of {@link runMatrix}. */
export interface MatrixOptions {
  /** Default: the whole kit. */
  cases?: readonly ConformanceCase[];
  onProgress?: (engine: string, done: number, total: number) => void;
}

const groupOf = (c: ConformanceCase): string => (c as Partial<KitCase>).group ?? 'other';

/**
 * How a kit result reads in the matrix: outside the engine's capabilities or rejected with core's
 * `UnsupportedError` is "cannot express" (the engine has no way to say it); any other rejection or
 * mismatch is a failure.
 */
export function statusOf(r: ConformanceResult): MatrixStatus {
  if (r.ok) return 'pass';
  if (r.skipped) return 'cannot-express';
  // core's code (a brand check, across copies of core); the error's name for adapters with their own class
  if (r.code === 'UNSUPPORTED' || r.message?.startsWith('UnsupportedError')) return 'cannot-express';
  return 'fail';
}

/** Runs the kit on every engine, one after the other (engines share the machine). */
export async function runMatrix(
  engines: readonly MatrixEngine[],
  options: MatrixOptions = {},
): Promise<Matrix> {
  const selected = options.cases ?? kitCases;
  const groups = new Map(selected.map((c) => [c.id, groupOf(c)]));
  const results: MatrixResult[] = [];
  for (const e of engines) {
    const report = await runConformance(e.backend, {
      cases: selected,
      onProgress: (_r, done, total) => options.onProgress?.(e.info.name, done, total),
    });
    for (const r of report.results) {
      const status = statusOf(r);
      results.push({
        engine: e.info.name,
        case: r.id,
        group: groups.get(r.id) ?? 'other',
        status,
        ...(r.maxError !== undefined && Number.isFinite(r.maxError) ? { maxError: r.maxError } : {}),
        ...(r.message !== undefined && status !== 'pass' ? { message: r.message } : {}),
      });
    }
  }
  return {
    generated: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    engines: engines.map((e) => ({ ...e.info, control: e.control })),
    results,
  };
}
