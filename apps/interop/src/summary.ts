import type { Matrix, MatrixResult, MatrixStatus } from './matrix';

/** Pass / fail / cannot-express counts. */
export type Counts = Record<MatrixStatus, number>;

const empty = (): Counts => ({ pass: 0, fail: 0, 'cannot-express': 0 });

/** The case groups in the order they first appear in the results. */
export function groupsOf(m: Matrix): string[] {
  return [...new Set(m.results.map((r) => r.group))];
}

/** Counts per engine and group (`''` as the group key is the engine's total). */
export function countByEngineAndGroup(m: Matrix): Map<string, Map<string, Counts>> {
  const out = new Map<string, Map<string, Counts>>();
  for (const e of m.engines) out.set(e.name, new Map([['', empty()]]));
  for (const r of m.results) {
    const byGroup = out.get(r.engine) ?? new Map<string, Counts>([['', empty()]]);
    out.set(r.engine, byGroup);
    const c = byGroup.get(r.group) ?? empty();
    byGroup.set(r.group, c);
    c[r.status]++;
    byGroup.get('')![r.status]++;
  }
  return out;
}

/** The failing results, engine by engine. */
export const failures = (m: Matrix): MatrixResult[] => m.results.filter((r) => r.status === 'fail');
