// Kernel choice that adapts to the machine: a backend's shape rule picks a kernel; where the shape
// sits close to one of the rule's thresholds (a "close call"), the backend times its candidate
// kernels on the user's own calls and commits to the faster one for that shape class. This module
// is the pure part both CPU-side backends share: the close-call test, the shape-class key and the
// calibrator, a small state machine per key (explore → committed) with an LRU bound and an
// injectable clock. It holds no global state: each backend instance creates its own calibrator.
import { describe, OptionError } from './errors';
import type { ConvGeometry, ConvTransposeGeometry } from './geometry';

/**
 * How far (as a ratio) a shape's deciding feature may sit from a rule's threshold and still be a
 * close call: within 2× either side. The thresholds are break-evens measured on one machine; on
 * another the break-even moves, by the measured differences between machine kinds (AMD EPYC,
 * Intel Xeon) well under 2×, so a shape outside the band gets the rule's kernel on any machine.
 */
export const CLOSE_CALL_RATIO = 2;

/**
 * Below this many FLOPs a call is never calibrated: it takes well under a millisecond, so the
 * kernel choice cannot matter much to the caller, and timer noise (and browsers' coarsened
 * `performance.now()`) would decide rather than speed.
 */
export const MIN_CALIBRATED_FLOPS = 2_000_000;

/**
 * Whether `value` is a close call for a rule that switches kernels at `threshold` (the rule's side
 * changes between `threshold − 1` and `threshold`, i.e. the rule tests `value < threshold`):
 * `threshold / ratio ≤ value < threshold · ratio`.
 * @example
 * ```ts
 * isCloseCall(64, 128); // true: within 2× of the break-even
 * isCloseCall(16, 128); // false: far below it, the rule's kernel on any machine
 * ```
 */
export function isCloseCall(value: number, threshold: number, ratio: number = CLOSE_CALL_RATIO): boolean {
  return value >= threshold / ratio && value < threshold * ratio;
}

/**
 * The shape-class key of a call: every field of the geometry that changes what a kernel costs
 * (kind, batch, channels, groups, every spatial size, stride, dilation, pads), exactly, plus what
 * the backend adds (a float type, "backward"). Exact sizes, not buckets: a model calls the same few
 * layer shapes over and over, so exact keys cost no hit rate, and a bucket would let one shape's
 * measurement decide for another whose break-even differs. A bias and the data are not in it:
 * they do not change which kernel is faster.
 * @example
 * ```ts
 * shapeClassKey(resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 2 }), 'float32');
 * // 'convTranspose|1|8|2|1|4,4|3,3|2,2|1,1|0,0|0,0|9,9|float32'
 * ```
 */
export function shapeClassKey(
  g: ConvTransposeGeometry | ConvGeometry,
  ...extra: readonly (string | number)[]
): string {
  const parts: (string | number)[] = [
    g.kind,
    g.batch,
    g.inChannels,
    g.outChannels,
    g.groups,
    g.inputSize.join(','),
    g.kernelSize.join(','),
    g.stride.join(','),
    g.dilation.join(','),
    g.padBegin.join(','),
    g.padEnd.join(','),
    g.outputSize.join(','),
    ...extra,
  ];
  return parts.join('|');
}

/**
 * Timed calls per candidate kernel before a shape class commits (by default): the first call of a
 * kernel is often cold (memory growth, scratch allocation, JIT tiers), so each runs twice and its
 * best time counts. A caller that wants steady-state timings (a benchmark) makes at least
 * `CALIBRATION_ROUNDS × (kernels)` warm-up calls per shape.
 */
export const CALIBRATION_ROUNDS = 2;

/** Options of {@link createCalibrator}; every field has a default. */
export interface CalibratorOptions {
  /** `false`: no calibration, every call takes the rule's kernel (bit-reproducible runs). Default `true`. */
  readonly enabled?: boolean;
  /** Timed calls per candidate before committing: default {@link CALIBRATION_ROUNDS}. */
  readonly rounds?: number;
  /** Shape classes remembered (least recently used dropped first). Default 256. */
  readonly capacity?: number;
  /**
   * A runner-up replaces the rule's kernel only when its best time is below the rule's best by
   * this fraction (the rule was measured; a tie keeps it). Default 0.05.
   */
  readonly margin?: number;
  /**
   * After the first round, a candidate at least this many times faster than every other is
   * committed at once (no cold start explains such a gap). Default 3.
   */
  readonly decisive?: number;
  /**
   * A rule's-kernel call faster than this (ms) commits to the rule at once: too short for the
   * choice to matter or for a timer to tell kernels apart. Default 0.5.
   */
  readonly minSampleMs?: number;
  /** The clock, in milliseconds. Default `performance.now`. */
  readonly now?: () => number;
}

/** What a calibrator knows about one shape class (a snapshot, for tests and diagnostics). */
export interface CalibrationState<K extends string> {
  /** The candidates, the rule's kernel first. */
  readonly candidates: readonly K[];
  /** Timed calls recorded per candidate, in the candidates' order. */
  readonly samples: readonly number[];
  /** The best time (ms) per candidate, `Infinity` before its first sample. */
  readonly best: readonly number[];
  /** The kernel committed to, once exploration is over. */
  readonly committed: K | undefined;
}

/** One call's kernel, and how to report its time. */
export interface KernelTrial<K extends string> {
  /** The kernel this call runs. */
  readonly kernel: K;
  /** Whether this call is an exploration sample (its time is wanted). */
  readonly measuring: boolean;
  /**
   * Records the time since the trial was chosen as this call's sample (no-op when not
   * measuring, or when called twice). A call that is not representative (queued behind another,
   * failed) simply never calls it; the next call of its class explores again.
   */
  finish(): void;
}

/** The per-backend-instance calibrator: shape class → explore schedule → committed kernel. */
export interface KernelCalibrator<K extends string> {
  /** Whether it calibrates (`false`: every trial is the rule's kernel, never measured). */
  readonly enabled: boolean;
  /**
   * The kernel for one call of class `key`. `candidates` lists the kernels that may run it, the
   * rule's kernel first (one candidate: no close call, no state kept); `forced` (a `kernel` option)
   * wins without any state. While exploring, the candidate with the fewest samples runs (ties in
   * order: rule, runner-up, rule, runner-up…); then the committed one.
   */
  choose(key: string, candidates: readonly K[], forced?: K): KernelTrial<K>;
  /** A snapshot of one shape class, or `undefined` when it is not (or no longer) remembered. */
  state(key: string): CalibrationState<K> | undefined;
  /** Shape classes remembered, least recently used first. */
  keys(): string[];
  /** Forgets every shape class. */
  clear(): void;
}

/** One shape class's mutable state. */
interface Entry<K extends string> {
  readonly candidates: readonly K[];
  readonly samples: number[];
  readonly best: number[];
  committed: K | undefined;
}

const DEFAULTS = { rounds: CALIBRATION_ROUNDS, capacity: 256, margin: 0.05, decisive: 3, minSampleMs: 0.5 };

/** A trial with nothing to measure. */
function fixed<K extends string>(kernel: K): KernelTrial<K> {
  return { kernel, measuring: false, finish() {} };
}

/** The candidate to explore next: the fewest samples, the earliest on a tie. */
function nextCandidate<K extends string>(e: Entry<K>): number {
  let at = 0;
  for (let i = 1; i < e.samples.length; i++) if (e.samples[i]! < e.samples[at]!) at = i;
  return at;
}

/**
 * Records `ms` for candidate `i`, then commits when exploration is over: at once to the rule when
 * its call was too short to matter, or to a decisively faster candidate after the first round;
 * else after `rounds` samples each, to the fastest best time (the rule kept unless beaten by `margin`).
 */
function record<K extends string>(e: Entry<K>, i: number, ms: number, o: typeof DEFAULTS): void {
  if (e.committed !== undefined || e.samples[i]! >= o.rounds) return;
  e.samples[i]! += 1;
  e.best[i] = Math.min(e.best[i]!, ms);
  if (i === 0 && ms < o.minSampleMs) {
    e.committed = e.candidates[0];
    return;
  }
  const least = Math.min(...e.samples);
  if (least === 0) return;
  let win = 0;
  for (let j = 1; j < e.best.length; j++) if (e.best[j]! < e.best[win]!) win = j;
  const others = e.best.filter((_, j) => j !== win);
  if (least === 1 && e.best[win]! * o.decisive <= Math.min(...others)) {
    e.committed = e.candidates[win];
    return;
  }
  if (least < o.rounds) return;
  e.committed = win !== 0 && e.best[win]! < e.best[0]! * (1 - o.margin) ? e.candidates[win] : e.candidates[0];
}

/** Checks one numeric option: a finite number in `[min, ∞)`, integer when asked. */
function checked(name: string, value: number | undefined, fallback: number, min: number, integer: boolean) {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new OptionError(
      'INVALID_OPTION',
      name,
      `calibrator option ${name} must be a${integer ? 'n integer' : ' finite number'} ≥ ${min}, but got ${describe(v)}`,
    );
  }
  return v;
}

/**
 * Creates a calibrator for one backend instance (its state lives and dies with that instance; no
 * global registry). Calls whose shape is a close call for the backend's rule are timed with the
 * rule's kernel and the runner-up(s) in turn, then the class commits to the faster one for the
 * calibrator's life. Results can therefore differ at float32-rounding level between the first
 * calls of a shape and later ones; `enabled: false` makes every call take the rule's kernel.
 * @example
 * ```ts
 * let t = 0;
 * const cal = createCalibrator<'a' | 'b'>({ now: () => t });
 * for (const ms of [10, 4, 12, 5]) {
 *   const trial = cal.choose('layer1', ['a', 'b']); // a, b, a, b
 *   t += ms;
 *   trial.finish();
 * }
 * cal.choose('layer1', ['a', 'b']).kernel; // 'b'
 * ```
 */
export function createCalibrator<K extends string>(options: CalibratorOptions = {}): KernelCalibrator<K> {
  const o = {
    rounds: checked('rounds', options.rounds, DEFAULTS.rounds, 1, true),
    capacity: checked('capacity', options.capacity, DEFAULTS.capacity, 1, true),
    margin: checked('margin', options.margin, DEFAULTS.margin, 0, false),
    decisive: checked('decisive', options.decisive, DEFAULTS.decisive, 1, false),
    minSampleMs: checked('minSampleMs', options.minSampleMs, DEFAULTS.minSampleMs, 0, false),
  };
  const enabled = options.enabled ?? true;
  const now = options.now ?? (() => performance.now());
  const entries = new Map<string, Entry<K>>();

  /** The entry of `key`, moved to most recently used (created, evicting the least, when new). */
  function touch(key: string, candidates: readonly K[]): Entry<K> {
    let e = entries.get(key);
    if (e) entries.delete(key);
    else {
      e = {
        candidates: [...candidates],
        samples: candidates.map(() => 0),
        best: candidates.map(() => Infinity),
        committed: undefined,
      };
      if (entries.size >= o.capacity) entries.delete(entries.keys().next().value!);
    }
    entries.set(key, e);
    return e;
  }

  return {
    enabled,
    choose(key, candidates, forced) {
      if (forced !== undefined) return fixed(forced);
      if (candidates.length === 0)
        throw new OptionError(
          'INVALID_OPTION',
          'candidates',
          'calibrator: choose needs at least one candidate, but got none',
        );
      if (!enabled || candidates.length === 1) return fixed(candidates[0]!);
      const e = touch(key, candidates);
      if (e.committed !== undefined) return fixed(e.committed);
      const i = nextCandidate(e);
      const start = now();
      let done = false;
      return {
        kernel: e.candidates[i]!,
        measuring: true,
        finish() {
          if (done) return;
          done = true;
          record(e, i, now() - start, o);
        },
      };
    },
    state(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      return { candidates: e.candidates, samples: [...e.samples], best: [...e.best], committed: e.committed };
    },
    keys: () => [...entries.keys()],
    clear: () => entries.clear(),
  };
}
