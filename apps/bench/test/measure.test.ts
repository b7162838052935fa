import { describe, expect, it } from 'vitest';
import { measureInterleaved } from '../src/measure';

describe('measureInterleaved', () => {
  it('times every engine once per round, the order rotating, after one warm-up call each', async () => {
    const order: string[] = [];
    const runs = ['a', 'b', 'c'].map((name) => async () => {
      order.push(name);
    });
    const timings = await measureInterleaved(runs, 0, 4, 4);
    expect(timings.map((t) => t.runs)).toEqual([4, 4, 4]);
    // warm-up a b c, then rounds a b c / b c a / c a b / a b c
    expect(order.join('')).toBe('abc' + 'abc' + 'bca' + 'cab' + 'abc');
    for (const t of timings) expect(t.min <= t.median && t.median <= t.max).toBe(true);
  });

  it('gives each engine its own times: a slow engine beside a fast one is measured as slow', async () => {
    const wait = (ms: number) => () => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const [fast, slow] = await measureInterleaved([wait(0), wait(15)], 0, 3, 3);
    expect(slow!.median).toBeGreaterThanOrEqual(14);
    expect(fast!.median).toBeLessThan(slow!.median);
  });

  it('runs at least minRuns rounds and at most maxRuns', async () => {
    const noop = async () => {};
    expect((await measureInterleaved([noop], 0, 2, 9))[0]!.runs).toBe(2);
    expect((await measureInterleaved([noop], 1e9, 2, 7))[0]!.runs).toBe(7);
  });
});
