import type { Params } from './params';
import { paramsStruct } from './params';

/**
 * One compute kernel ready to dispatch: its pipeline key and WGSL source, parameters, how many
 * invocations it needs, and an optional integer table. Bindings follow one order in every shader:
 * the read-only operands (f32), then the table (i32, when present), then the output
 * (read-write), then the parameters (uniform).
 */
export interface KernelSpec {
  /** Identifies the compiled pipeline: the same key must always mean the same source. */
  readonly key: string;
  /** Builds the WGSL source (called once per key). */
  readonly source: () => string;
  readonly params: Params;
  /** Invocations (threads) the kernel needs. */
  readonly total: number;
  readonly workgroupSize: number;
  /** Read-only operands the kernel binds (their count, in order, before the table). */
  readonly operands: number;
  /** Small i32 table (stride-phase first taps), or undefined. */
  readonly table?: Int32Array;
}

/**
 * The WGSL binding declarations of a kernel: `operands` read-only f32 arrays named by `names`,
 * an optional i32 `tab`, the f32 output `y`, and the parameter struct.
 */
export function bindings(names: readonly string[], hasTable: boolean, paramNames: readonly string[]): string {
  let b = 0;
  let s = '';
  for (const n of names) s += `@group(0) @binding(${b++}) var<storage, read> ${n}: array<f32>;\n`;
  if (hasTable) s += `@group(0) @binding(${b++}) var<storage, read> tab: array<i32>;\n`;
  s += `@group(0) @binding(${b++}) var<storage, read_write> y: array<f32>;\n`;
  return s + paramsStruct(paramNames, b);
}

/** The opening of every kernel's entry point: the element index from the 2D grid, bounds-checked. */
export function entry(workgroupSize: number): string {
  return `@compute @workgroup_size(${workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let idx = p.base + i32(gid.x) + i32(gid.y) * p.rowThreads;
  if (idx >= p.total) { return; }
`;
}

/** Floor and ceiling division of i32 by a positive divisor (WGSL's `/` truncates toward zero). */
export const DIV_HELPERS = `fn floorDiv(a: i32, b: i32) -> i32 { return select(a / b, (a - b + 1) / b, a < 0); }
fn ceilDiv(a: i32, b: i32) -> i32 { return select(a / b, (a + b - 1) / b, a > 0); }
`;

/** `0 .. rank−1` as an array, for generating per-axis code. */
export function axes(rank: number): number[] {
  return Array.from({ length: rank }, (_, a) => a);
}
