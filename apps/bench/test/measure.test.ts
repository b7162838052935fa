import { describe, expect, it } from 'vitest';
import { measureInterleaved } from '../src/measure';

describe('measureInterleaved', () => {
  it('gives every engine a turn of two calls per round, the order rotating, after one warm-up call each', async () => {
    const order: string[] = [];
    const runs = ['a', 'b', 'c'].map((name) => async () => {
      order.push(name);
    });
    const timings = await measureInterleaved(runs, 0, 4, 4);
    expect(timings.map((t) => t.runs)).toEqual([4, 4, 4]);
    // warm-up a b c, then rounds aabbcc / bbccaa / ccaabb / aabbcc
    expect(order.join('')).toBe('abc' + 'aabbcc' + 'bbccaa' + 'ccaabb' + 'aabbcc');
    for (const t of timings) expect(t.min <= t.median && t.median <= t.max).toBe(true);
  });

  it("times the second call of a turn, and reports the turns' first calls apart", async () => {
    // an engine whose call after another engine's is slow (threads parked), and quick right after itself
    let last = '';
    const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const engine = (name: string) => async () => {
      await wait(last === name ? 0 : 20);
      last = name;
    };
    const [a] = await measureInterleaved([engine('a'), engine('b')], 0, 3, 3);
    expect(a!.median).toBeLessThan(15);
    expect(a!.coldMedian).toBeGreaterThanOrEqual(19);
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
