import { describe, expect, it } from 'vitest';
import type { KernelCalibrator } from '@tconv/core';
import {
  createCalibrator,
  isCloseCall,
  OptionError,
  resolveConv,
  resolveConvTranspose,
  shapeClassKey,
} from '@tconv/core';

type K = 'a' | 'b' | 'c';

/** A clock the test moves: each call's duration is added between choose and finish. */
function clocked(options: Parameters<typeof createCalibrator>[0] = {}) {
  let t = 1000;
  const cal: KernelCalibrator<K> = createCalibrator<K>({ ...options, now: () => t });
  /** One call of class `key` taking `ms`: the kernel it ran. */
  const call = (key: string, candidates: readonly K[], ms: number, forced?: K): K => {
    const trial = cal.choose(key, candidates, forced);
    t += ms;
    trial.finish();
    return trial.kernel;
  };
  return { cal, call };
}

describe('close calls and shape-class keys', () => {
  it('a close call is within 2× of the threshold on either side', () => {
    expect([31, 32, 64, 127, 128].map((v) => isCloseCall(v, 64))).toEqual([false, true, true, true, false]);
    expect(isCloseCall(3, 4, 1.5)).toBe(true);
    expect(isCloseCall(2, 4, 1.5)).toBe(false);
  });

  it('keys differ for every field that changes the cost, not for the bias', () => {
    const base = shapeClassKey(resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 2 }));
    const variants = [
      resolveConvTranspose([2, 8, 4, 4], [8, 2, 3, 3], { stride: 2 }),
      resolveConvTranspose([1, 8, 4, 5], [8, 2, 3, 3], { stride: 2 }),
      resolveConvTranspose([1, 8, 4, 4], [8, 3, 3, 3], { stride: 2 }),
      resolveConvTranspose([1, 8, 4, 4], [8, 1, 3, 3], { stride: 2, groups: 2 }),
      resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 1 }),
      resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 2, dilation: 2 }),
      resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 2, padding: 1 }),
      resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 2, outputPadding: 1 }),
      resolveConv([1, 8, 4, 4], [2, 8, 3, 3], { stride: 2 }),
    ].map((g) => shapeClassKey(g));
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    const withBias = resolveConvTranspose([1, 8, 4, 4], [8, 2, 3, 3], { stride: 2, bias: [1, 2] });
    expect(shapeClassKey(withBias)).toBe(base);
    expect(shapeClassKey(withBias, 'float64')).not.toBe(base);
  });
});

describe('the calibrator state machine', () => {
  it('explores rule, runner-up, rule, runner-up, then commits to the faster best time', () => {
    const { cal, call } = clocked();
    const ran = [10, 6, 9, 7].map((ms) => call('x', ['a', 'b'], ms));
    expect(ran).toEqual(['a', 'b', 'a', 'b']);
    expect(cal.state('x')).toEqual({ candidates: ['a', 'b'], samples: [2, 2], best: [9, 6], committed: 'b' });
    expect([1, 100, 1].map((ms) => call('x', ['a', 'b'], ms))).toEqual(['b', 'b', 'b']);
    expect(cal.state('x')!.samples).toEqual([2, 2]);
  });

  it('keeps the rule when it is faster, or when the runner-up wins by less than the margin', () => {
    const { cal, call } = clocked();
    for (const ms of [5, 8, 6, 7]) call('faster', ['a', 'b'], ms);
    expect(cal.state('faster')!.committed).toBe('a');
    for (const ms of [10, 9.8, 10, 9.7]) call('tie', ['a', 'b'], ms);
    expect(cal.state('tie')!.committed).toBe('a');
  });

  it('three candidates: each in turn, the best of two samples each', () => {
    const { cal, call } = clocked();
    const ran = [9, 8, 20, 9, 8, 3].map((ms) => call('k', ['a', 'b', 'c'], ms));
    expect(ran).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(cal.state('k')!.committed).toBe('c');
  });

  it('commits after one round when one candidate is decisively faster (3×), or when the rule is too short to matter', () => {
    const { cal, call } = clocked();
    call('d', ['a', 'b'], 30);
    call('d', ['a', 'b'], 9);
    expect(cal.state('d')!.committed).toBe('b');
    call('short', ['a', 'b'], 0.2);
    expect(cal.state('short')).toMatchObject({ samples: [1, 0], committed: 'a' });
  });

  it('a trial never finished (a queued or failed call) is no sample: the next call explores the same kernel', () => {
    const { cal, call } = clocked();
    expect(cal.choose('q', ['a', 'b']).kernel).toBe('a');
    expect(call('q', ['a', 'b'], 4)).toBe('a');
    const trial = cal.choose('q', ['a', 'b']);
    expect(trial.kernel).toBe('b');
    trial.finish();
    trial.finish();
    expect(cal.state('q')!.samples).toEqual([1, 1]);
  });

  it('a forced kernel and a single candidate skip calibration and keep no state', () => {
    const { cal, call } = clocked();
    expect(call('f', ['a', 'b'], 5, 'c')).toBe('c');
    expect(cal.choose('f', ['a', 'b'], 'c').measuring).toBe(false);
    expect(call('one', ['b'], 5)).toBe('b');
    expect(cal.keys()).toEqual([]);
  });

  it('enabled: false (calibrate: false) always takes the rule, never measuring', () => {
    const { cal, call } = clocked({ enabled: false });
    expect([1, 50, 1, 50, 1].map((ms) => call('x', ['a', 'b'], ms))).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(cal.enabled).toBe(false);
    expect(cal.keys()).toEqual([]);
  });

  it('remembers at most `capacity` shape classes, dropping the least recently used', () => {
    const { cal, call } = clocked({ capacity: 3 });
    for (const key of ['k1', 'k2', 'k3']) call(key, ['a', 'b'], 5);
    call('k1', ['a', 'b'], 5); // k1 is now the most recently used
    call('k4', ['a', 'b'], 5);
    expect(cal.keys()).toEqual(['k3', 'k1', 'k4']);
    expect(cal.state('k2')).toBeUndefined();
    expect(cal.state('k1')!.samples).toEqual([1, 1]);
    // a dropped class starts over
    expect(call('k2', ['a', 'b'], 5)).toBe('a');
    cal.clear();
    expect(cal.keys()).toEqual([]);
  });

  it('rejects invalid options naming them', () => {
    expect(() => createCalibrator({ rounds: 0 })).toThrow(OptionError);
    expect(() => createCalibrator({ capacity: 1.5 })).toThrow(/capacity must be an integer ≥ 1, but got 1.5/);
    expect(() => createCalibrator({ margin: Number.NaN })).toThrow(/margin/);
    expect(() => createCalibrator().choose('x', [])).toThrow(/at least one candidate/);
  });
});
