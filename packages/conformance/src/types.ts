import type { Backend, DType } from '@tconv/core';

/** One conformance case. `run` throws (or rejects) on any mismatch. */
export interface ConformanceCase {
  readonly id: string;
  readonly title: string;
  /** Which document / example / framework the expectation comes from. */
  readonly source: string;
  readonly tags: readonly string[];
  run(backend: Backend): void | Promise<void>;
}

/** What a case needs of a backend; cases a backend's `capabilities` exclude are skipped. */
export interface CaseNeeds {
  readonly ranks: readonly number[];
  readonly dtypes: readonly DType[];
  /** Optional backend methods the case calls (the gradient cases); a backend without them skips it. */
  readonly methods?: readonly GradientMethod[];
}

/** The optional gradient methods of the `Backend` contract. */
export type GradientMethod = 'convTransposeBackward' | 'convBackward';

/** The kit's cases: a {@link ConformanceCase} that also states its needs and reports its largest error. */
export interface KitCase extends ConformanceCase {
  readonly needs: CaseNeeds;
  /** The group the case belongs to (`documents`, `shapes`, `properties`, `fixtures`, `errors`, `dtypes`). */
  readonly group: string;
  /** Runs the case; resolves to the largest absolute error observed (0 for exact or non-numeric checks). */
  measure(backend: Backend): Promise<number>;
}

/** One line of a {@link ConformanceReport}. */
export interface ConformanceResult {
  id: string;
  source: string;
  ok: boolean;
  message?: string;
  /** The case is outside the backend's declared capabilities: neither passed nor failed. */
  skipped?: boolean;
  /** Largest absolute error of a numeric case that ran. */
  maxError?: number;
  /** The `code` of the `TconvError` a failing case threw (checked with `isTconvError`). */
  code?: string;
}

/** What {@link runConformance} reports. */
export interface ConformanceReport {
  readonly backend: string;
  readonly passed: number;
  readonly failed: number;
  /** Cases outside the backend's declared capabilities, counted apart. */
  readonly skipped: number;
  readonly results: readonly ConformanceResult[];
}
