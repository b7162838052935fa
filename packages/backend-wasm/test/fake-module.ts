// Hand-assembled WebAssembly modules that look like tconv's kernels from outside (same exports) but
// misbehave on purpose: for the tests of what the backend does when a module or a worker fails.

const KERNEL_EXPORTS = [
  'convTranspose',
  'convTransposePhases',
  'convTransposeThin',
  'conv',
  'weightGradient',
];

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};

const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
};

const name = (s: string): number[] => [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];

/** What the module's start function does when it is instantiated. */
export type StartBehaviour = 'none' | 'trap' | 'trap-after-first';

/**
 * A module exporting tconv's entry points (the kernels do nothing), `layoutVersion()` returning
 * `version`, on an imported shared memory (`shared`) or its own. Its start function traps always
 * (`'trap'`), or on every instantiation after the first (`'trap-after-first'`, an atomic counter in
 * the shared memory: the calling thread's instance succeeds, every worker's traps).
 */
export function fakeKernels(
  version: number,
  shared: boolean,
  start: StartBehaviour = 'none',
): WebAssembly.Module {
  const types = vector([
    [0x60, 0x00, 0x01, 0x7f], // 0: () -> i32
    [0x60, 0x01, 0x7f, 0x00], // 1: (i32) -> ()
    [0x60, 0x00, 0x00], // 2: () -> ()
    [0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f], // 3: (i32, i32) -> i32
    [0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00], // 4: (i32 × 5) -> ()
  ]);
  const functions = [0, 0, ...KERNEL_EXPORTS.map(() => 1), 3, 4, ...(start === 'none' ? [] : [2])];
  const exports: number[][] = [
    [...name('heapBase'), 0x00, 0],
    [...name('layoutVersion'), 0x00, 1],
    ...KERNEL_EXPORTS.map((n, i) => [...name(n), 0x00, i + 2]),
    [...name('nonFinite'), 0x00, KERNEL_EXPORTS.length + 2], // finds none
    [...name('biasGradient'), 0x00, KERNEL_EXPORTS.length + 3], // writes nothing
  ];
  const bodies: number[][] = [
    [0x00, 0x41, ...sleb(1024), 0x0b],
    [0x00, 0x41, ...sleb(version), 0x0b],
    ...KERNEL_EXPORTS.map(() => [0x00, 0x0b]),
    [0x00, 0x41, 0x00, 0x0b],
    [0x00, 0x0b],
  ];
  if (start === 'trap') bodies.push([0x00, 0x00, 0x0b]);
  if (start === 'trap-after-first') {
    // i32.atomic.rmw.add [0] += 1; if the old value was not 0: unreachable
    bodies.push([0x00, 0x41, 0x00, 0x41, 0x01, 0xfe, 0x1e, 0x02, 0x00, 0x04, 0x40, 0x00, 0x0b, 0x0b]);
  }
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...section(1, types)];
  if (shared) {
    // import env.memory: shared, min 1, max 16384 pages (as the real shared build)
    bytes.push(
      ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x03, ...leb(1), ...leb(16384)]])),
    );
  }
  bytes.push(...section(3, vector(functions.map((t) => [t]))));
  if (!shared) {
    bytes.push(...section(5, vector([[0x00, ...leb(1)]])));
    exports.push([...name('memory'), 0x02, 0]);
  }
  bytes.push(...section(7, vector(exports)));
  if (start !== 'none') bytes.push(...section(8, leb(functions.length - 1)));
  bytes.push(...section(10, vector(bodies.map((b) => [...leb(b.length), ...b]))));
  return new WebAssembly.Module(new Uint8Array(bytes));
}
