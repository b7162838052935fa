// Shared by the Node fixture scripts: deterministic data and the JSON case format.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seeded } from '@tconv/core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Deterministic values in [-1, 1), rounded to float32: core's seeded generator (mulberry32), the project's one. */
export const random = (length, seed) => seeded(length, seed);

export const size = (dims) => dims.reduce((a, b) => a * b, 1);

/** A tensor in the fixture format, float32 written with 9 significant digits (round-trips). */
export function tensorJson(dims, data) {
  return { dims: [...dims], type: 'float32', data: Array.from(data, (v) => Number(v.toPrecision(9))) };
}

/** Tolerance for a float32 result: a few ulps of the largest magnitude the sum can reach. */
export function tolerance(x, w, taps) {
  let mx = 0;
  for (const v of x) mx = Math.max(mx, Math.abs(v));
  let mw = 0;
  for (const v of w) mw = Math.max(mw, Math.abs(v));
  return { atol: 4e-6 * Math.max(1, mx * mw * taps), rtol: 1e-5 };
}

/** Permutes a row-major tensor: result axis i is source axis order[i]. */
export function permute(data, dims, order) {
  const rank = dims.length;
  const strides = new Array(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) {
    strides[a] = s;
    s *= dims[a];
  }
  const outDims = order.map((a) => dims[a]);
  const out = new Float32Array(data.length);
  const idx = new Array(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += idx[a] * strides[order[a]];
    out[i] = data[src];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < outDims[a]) break;
      idx[a] = 0;
    }
  }
  return { data: out, dims: outDims };
}

export function write(rel, generator, framework, cases) {
  writeFileSync(join(ROOT, rel), JSON.stringify({ generator, framework, cases }));
  console.log(`${rel}: ${cases.length} cases`);
}
