import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Backend, ConvOptions, ConvTransposeOptions, DType, Tensor } from '@tconv/core';
import { isTconvError, resolveConv, resolveConvTranspose, seeded, tensor } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { createWasmBackend } from '@tconv/backend-wasm';
import { expectNearDefinition } from '../src/near';

// Issue #16: hostile geometries against every backend. Each call must return the definition's
// result within the kit's rounding bound or throw a TconvError — never another error, never a
// hang, never a blow-up in memory. Seeded (fixed runs), each backend a few seconds.

/** Values a hostile caller reaches for: around int32, around 2^53, and plain large numbers. */
const HUGE = [1e3, 1e8, 2 ** 20, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, 2 ** 52, 2 ** 53 - 1];

const big = fc.constantFrom(...HUGE);
const small = (max: number) => fc.integer({ min: 1, max });

/** One spatial axis: small or huge stride and dilation, pads small, huge, or aligned with them. */
const axisArb = fc.record({
  n: fc.oneof(fc.constant(1), small(5)),
  k: small(5),
  s: fc.oneof({ weight: 3, arbitrary: small(4) }, { weight: 1, arbitrary: big }),
  d: fc.oneof({ weight: 3, arbitrary: small(3) }, { weight: 1, arbitrary: big }),
  // how padBegin is made: small, huge, or a multiple of the dilation / stride (so a tap still lands)
  pbKind: fc.constantFrom('small', 'huge', 'tap', 'stride'),
  pbSmall: fc.integer({ min: 0, max: 3 }),
  pbHuge: big,
  tap: fc.nat(4),
  // the output length the end pad aims for (huge pads that crop down to a few outputs)
  length: small(9),
  op: fc.nat(3),
});

type Axis = typeof axisArb extends fc.Arbitrary<infer A> ? A : never;

const problemArb = fc.record({
  op: fc.constantFrom('convTranspose', 'conv'),
  axes: fc.array(axisArb, { minLength: 1, maxLength: 2 }),
  padding: fc.constantFrom('explicit', 'symmetric', 'same-upper', 'same-lower', 'same', 'valid', 'none'),
  withOutputSize: fc.boolean(),
  batch: small(2),
  groups: small(2),
  cinG: small(3),
  coutG: small(2),
  bias: fc.boolean(),
  dtype: fc.constantFrom('float32', 'float32', 'float64'),
  seed: fc.nat(),
});

type Problem = typeof problemArb extends fc.Arbitrary<infer P> ? P : never;

function padBegin(a: Axis): number {
  if (a.pbKind === 'small') return a.pbSmall;
  if (a.pbKind === 'huge') return a.pbHuge;
  if (a.pbKind === 'tap') return (a.tap % a.k) * a.d + a.pbSmall;
  return a.s * a.pbSmall + (a.tap % 2);
}

/** The options of a problem; the end pad aims at `length` outputs (may be invalid on purpose). */
function optionsOf(p: Problem): ConvTransposeOptions {
  const o: ConvTransposeOptions = {
    stride: p.axes.map((a) => a.s),
    dilation: p.axes.map((a) => a.d),
    groups: p.groups,
  };
  const begin = p.axes.map(padBegin);
  if (p.padding === 'explicit') {
    // exact arithmetic (the point is values past 2^53): the end pad that leaves `length` outputs
    const end = p.axes.map((a, i) => {
      const full = BigInt(a.n - 1) * BigInt(a.s) + BigInt(a.d) * BigInt(a.k - 1) + 1n;
      const pe = p.op === 'conv' ? BigInt(a.pbSmall) : full - BigInt(begin[i]!) - BigInt(a.length);
      return Number(pe < 0n ? 0n : pe);
    });
    o.padding = { begin, end };
  } else if (p.padding === 'symmetric') o.padding = begin;
  else if (p.padding !== 'none') o.padding = p.padding;
  if (p.op === 'convTranspose') {
    if (p.withOutputSize) o.outputSize = p.axes.map((a) => a.length);
    else if (p.padding !== 'same' && p.padding !== 'valid') o.outputPadding = p.axes.map((a) => a.op);
  }
  if (p.bias) o.bias = Array.from({ length: p.groups * p.coutG }, (_, i) => (i % 3) - 1);
  return o;
}

function shapesOf(p: Problem): { inputShape: number[]; weightShape: number[] } {
  const cin = p.groups * p.cinG;
  const kernel = p.axes.map((a) => a.k);
  return {
    inputShape: [p.batch, cin, ...p.axes.map((a) => a.n)],
    weightShape:
      p.op === 'convTranspose' ? [cin, p.coutG, ...kernel] : [p.groups * p.coutG, p.cinG, ...kernel],
  };
}

/** The most output elements a fuzzed call may have: the float64 reference must stay quick. */
const MAX_CHECKED_OUTPUT = 1 << 15;
/** Longest a single call may take (generous: the machine is shared; a hang is minutes). */
const CALL_TIMEOUT_MS = 5_000;
/** How much the resident set may grow over a backend's whole run. */
const MAX_RSS_GROWTH = 512 * 2 ** 20;

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const describeProblem = (p: Problem, options: object) =>
  `${p.op} ${JSON.stringify(shapesOf(p))} ${JSON.stringify(options)}`;

/** One fuzzed call: the definition's result within the bound, or a TconvError; bounded in time. */
async function checkOne(backend: Backend, p: Problem): Promise<void> {
  const options = optionsOf(p);
  const { inputShape, weightShape } = shapesOf(p);
  let valid = true;
  try {
    const g =
      p.op === 'convTranspose'
        ? resolveConvTranspose(inputShape, weightShape, options)
        : resolveConv(inputShape, weightShape, options as ConvOptions);
    if (g.outputShape.reduce((a, b) => a * b, 1) > MAX_CHECKED_OUTPUT) return; // too big to check quickly
  } catch (e) {
    if (!isTconvError(e))
      throw new Error(`core threw a non-TconvError for ${describeProblem(p, options)}: ${e}`);
    valid = false;
  }
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const dtype = p.dtype as DType;
  const x = tensor(seeded(size(inputShape), p.seed, dtype), inputShape);
  const w = tensor(seeded(size(weightShape), p.seed + 1, dtype), weightShape);
  const started = performance.now();
  let y: Tensor;
  try {
    const call = () =>
      p.op === 'convTranspose'
        ? backend.convTranspose(x, w, options)
        : backend.conv(x, w, options as ConvOptions);
    y = await withTimeout(
      Promise.resolve().then(call),
      CALL_TIMEOUT_MS,
      `${backend.name} ${describeProblem(p, options)}`,
    );
  } catch (e) {
    if (isTconvError(e)) return; // a clear rejection (a backend may have tighter limits than core)
    throw new Error(
      `${backend.name} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} for ${describeProblem(p, options)}`,
    );
  }
  const elapsed = performance.now() - started;
  // a synchronous backend cannot be interrupted: at least say how long it took
  expect(elapsed, `${backend.name} took ${elapsed} ms for ${describeProblem(p, options)}`).toBeLessThan(
    CALL_TIMEOUT_MS,
  );
  if (!valid) throw new Error(`${backend.name} accepted what core rejects: ${describeProblem(p, options)}`);
  try {
    expectNearDefinition(p.op, y, x, w, options, dtype);
  } catch (e) {
    // the reference itself rejecting (limits of the float64 definition) is a TconvError too
    if (isTconvError(e)) return;
    throw new Error(`${backend.name} ${describeProblem(p, options)}: ${e instanceof Error ? e.message : e}`);
  }
}

const backends: [string, () => Promise<Backend>][] = [
  ['cpu', async () => cpuBackend],
  ['sparse', async () => sparseBackend],
  ['wasm', () => createWasmBackend()],
];

const junk = fc.anything({
  withBigInt: true,
  withNullPrototype: true,
  withTypedArray: true,
  withSparseArray: true,
});

/** Tensors a hostile caller makes by hand: wrong data types, mismatched lengths, odd shapes. */
const junkTensorArb = fc.oneof(
  junk,
  fc.record({
    shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }), junk),
    data: fc.oneof(
      fc.integer({ min: 0, max: 40 }).map((n) => new Float32Array(n)),
      fc.integer({ min: 0, max: 40 }).map((n) => new Float64Array(n)),
      fc.integer({ min: 0, max: 8 }).map((n) => new Int32Array(n)),
      fc.integer({ min: 0, max: 8 }).map((n) => new BigInt64Array(n)),
      fc.array(fc.oneof(fc.double(), fc.string()), { maxLength: 8 }),
      junk,
    ),
  }),
);

describe('#16 fuzz: hand-made tensors and options on every backend', () => {
  for (const [name, make] of backends) {
    it(`${name}: any tensor and options object gives a tensor or a TconvError`, async () => {
      const backend = await make();
      await fc.assert(
        fc.asyncProperty(
          junkTensorArb,
          junkTensorArb,
          fc.oneof(junk, fc.constant(undefined)),
          async (x, w, o) => {
            for (const call of [
              () => backend.convTranspose(x as Tensor, w as Tensor, o as ConvTransposeOptions),
              () => backend.conv(x as Tensor, w as Tensor, o as ConvOptions),
            ]) {
              try {
                await withTimeout(
                  Promise.resolve().then(call),
                  CALL_TIMEOUT_MS,
                  `${name} on hand-made input`,
                );
              } catch (e) {
                if (!isTconvError(e)) {
                  throw new Error(
                    `${name} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
                  );
                }
              }
            }
          },
        ),
        { seed: 16_16, numRuns: 1000 },
      );
    }, 60_000);
  }
});

describe('#16 fuzz: hostile geometries on every backend', () => {
  for (const [name, make] of backends) {
    it(`${name}: the definition's result within the bound or a TconvError, in bounded time and memory`, async () => {
      const backend = await make();
      const rss = process.memoryUsage().rss;
      await fc.assert(
        fc.asyncProperty(problemArb, async (p) => {
          await checkOne(backend, p);
          expect(process.memoryUsage().rss - rss).toBeLessThan(MAX_RSS_GROWTH);
        }),
        { seed: 16_2026, numRuns: 500, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false },
      );
    }, 60_000);
  }
});
