import type { Tensor } from '@tconv/core';
import type { Workload } from '@tconv/testing';
import type { EngineFeatures } from './row';

/** A prepared run: computes the workload on the engine's own data layout and returns NCHW float32. */
export interface Prepared {
  /** The timed call. */
  run(): Promise<void>;
  /** The result in NCHW, for the correctness gate (not timed). */
  output(): Promise<Float32Array>;
  dispose?(): Promise<void> | void;
}

/** An engine of the benchmark: a tconv backend or a peer library. Plain data plus functions. */
export interface Engine {
  readonly name: string;
  readonly threads: number;
  /** `true`, or the reason the engine cannot express the workload. */
  supports(w: Workload): true | string;
  /** Sets up the workload (layout conversion, sessions, prepared operators) outside the timed region. */
  prepare(w: Workload, x: Tensor, weight: Tensor): Promise<Prepared>;
  dispose?(): Promise<void> | void;
  /** What the engine runs with (threads it really got, SIMD builds), for the run's record. */
  features?(): EngineFeatures;
}
