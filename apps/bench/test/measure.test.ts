import { describe, expect, it } from 'vitest';
import { guarded, measureBursts, measureInterleaved } from '../src/measure';
import { SETTLE_MAX_MS, untilQuiet } from '../src/settle';

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

describe('untilQuiet', () => {
  it('waits while the process uses CPU, and resolves once a window is quiet', async () => {
    // a scripted CPU clock: busy (10 ms of CPU per read) for the first 4 reads, then idle
    let reads = 0;
    let cpu = 0;
    const cpuUsage = () => {
      if (reads++ < 4) cpu += 10_000;
      return { user: cpu, system: 0 };
    };
    await untilQuiet(cpuUsage);
    // two reads per window: two busy windows, then a quiet one
    expect(reads).toBe(6);
  });

  it('gives up after SETTLE_MAX_MS on a process that never goes quiet', async () => {
    let cpu = 0;
    const t0 = performance.now();
    await untilQuiet(() => ({ user: (cpu += 50_000), system: 0 }));
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(SETTLE_MAX_MS);
    expect(waited).toBeLessThan(SETTLE_MAX_MS + 200);
  });
});

describe('measureInterleaved with settle', () => {
  it('settles after every call of the warm-up and every turn, untimed', async () => {
    const order: string[] = [];
    const runs = ['a', 'b'].map((name) => async () => {
      order.push(name);
    });
    const settle = async () => {
      order.push('|');
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const timings = await measureInterleaved(runs, 0, 2, 2, settle);
    expect(order.join('')).toBe('a|b|' + 'aa|bb|' + 'bb|aa|');
    for (const t of timings) expect(t.median).toBeLessThan(15);
  });
});

describe('measureBursts', () => {
  it('alternates bursts of each run, the first call of a burst untimed', async () => {
    const order: string[] = [];
    const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    // a run whose first call of a burst is slow (after the other run) and the rest quick
    let last = '';
    const run = (name: string) => async () => {
      order.push(name);
      await wait(last === name ? 0 : 20);
      last = name;
    };
    const [a, b] = await measureBursts([run('a'), run('b')], 2, 3);
    expect(order.join('')).toBe('aaabbb' + 'bbbaaa');
    expect(a).toBeLessThan(15);
    expect(b).toBeLessThan(15);
  });
});

describe('guarded', () => {
  it('records the first failure of a run and makes no further calls to it; the others go on', async () => {
    let calls = 0;
    let good = 0;
    const { runs, failures } = guarded([
      async () => {
        calls++;
        throw new Error('boom');
      },
      async () => {
        good++;
      },
    ]);
    for (let i = 0; i < 3; i++) for (const run of runs) await run();
    expect(calls).toBe(1);
    expect(good).toBe(3);
    expect((failures[0] as Error).message).toBe('boom');
    expect(failures[1]).toBeUndefined();
  });

  it('records a falsy throw as an Error', async () => {
    const { runs, failures } = guarded([() => Promise.reject(undefined)]);
    await runs[0]!();
    expect(failures[0]).toBeInstanceOf(Error);
  });
});
