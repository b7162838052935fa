/**
 * A kernel's parameters: named i32 fields, generated once into a WGSL uniform struct and written
 * per dispatch as an Int32Array in the same order. Every shader reads its sizes from here rather
 * than from constants baked into the source, so one compiled pipeline serves every geometry of a
 * spatial rank.
 */
export interface Params {
  /** Field names in order (the WGSL struct's members). */
  readonly names: readonly string[];
  /** Field values, padded to a multiple of 4 (the uniform buffer is a multiple of 16 bytes). */
  readonly values: Int32Array;
}

/** The first two fields of every kernel's parameters: the dispatch splitting fills them in. */
export const DISPATCH_FIELDS = ['base', 'rowThreads'] as const;

/**
 * Builds parameters from `[name, value]` pairs; `base` and `rowThreads` come first (set per
 * dispatch by {@link dispatchPlan}).
 */
export function params(fields: readonly (readonly [string, number])[]): Params {
  const names = [...DISPATCH_FIELDS, 'total', ...fields.map((f) => f[0])];
  const values = new Int32Array(Math.ceil(names.length / 4) * 4);
  fields.forEach((f, i) => {
    values[i + 3] = f[1];
  });
  return { names, values };
}

/** The WGSL declaration of a parameter struct `P` bound as uniform `p` at `binding`. */
export function paramsStruct(names: readonly string[], binding: number): string {
  const padded = Math.ceil(names.length / 4) * 4;
  const members = [...names];
  for (let i = names.length; i < padded; i++) members.push(`_pad${i}`);
  return `struct P {\n${members.map((n) => `  ${n}: i32,`).join('\n')}\n};\n@group(0) @binding(${binding}) var<uniform> p: P;\n`;
}

/** One dispatch of a split: the first element it computes and its workgroup grid. */
export interface DispatchPart {
  readonly base: number;
  readonly x: number;
  readonly y: number;
}

/**
 * Splits `total` invocations of `workgroupSize` threads into dispatches no larger than
 * `maxPerDimension` workgroups on each axis of a 2D grid (WebGPU's
 * `maxComputeWorkgroupsPerDimension`, 65535 by default): an invocation's element is
 * `base + gid.x + gid.y·rowThreads` with `rowThreads = x·workgroupSize`. A grid of 65535² workgroups
 * covers far more than the 2^27 elements core allows, so more than one part is rare; it still
 * happens when a caller lowers the limit, and the kernels do not care.
 */
export function dispatchPlan(total: number, workgroupSize: number, maxPerDimension: number): DispatchPart[] {
  const groups = Math.ceil(total / workgroupSize);
  const x = Math.min(groups, maxPerDimension);
  const perPart = x * maxPerDimension * workgroupSize;
  const parts: DispatchPart[] = [];
  for (let base = 0; base < total; base += perPart) {
    const rest = Math.ceil(Math.min(perPart, total - base) / workgroupSize);
    parts.push({ base, x: Math.min(rest, x), y: Math.ceil(rest / x) });
  }
  return parts;
}

/** Product of a list of sizes. */
export function product(sizes: readonly number[]): number {
  let p = 1;
  for (const s of sizes) p *= s;
  return p;
}

/** Row-major strides of a shape (last axis 1). */
export function rowMajorStrides(sizes: readonly number[]): number[] {
  const strides = new Array<number>(sizes.length).fill(1);
  for (let a = sizes.length - 2; a >= 0; a--) strides[a] = strides[a + 1]! * sizes[a + 1]!;
  return strides;
}

/** Per-axis field names: `name0, name1, …`. */
export function axisFields(prefix: string, values: readonly number[]): [string, number][] {
  return values.map((v, a) => [`${prefix}${a}`, v]);
}

/** Sets one named field of a kernel's parameters (e.g. `hasBias`). */
export function setParam(spec: { readonly params: Params }, name: string, value: number): void {
  const i = spec.params.names.indexOf(name);
  if (i < 0) throw new Error(`internal: the kernel has no parameter ${name}`);
  spec.params.values[i] = value;
}
