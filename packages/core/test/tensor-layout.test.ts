import { describe, expect, it } from 'vitest';
import {
  kernelFromKerasConv,
  kernelFromKerasTranspose,
  kernelToKerasTranspose,
  tensor,
  toChannelsFirst,
  toChannelsLast,
} from '@tconv/core';

describe('tensor()', () => {
  it('keeps float arrays as they are and converts number arrays to Float32Array', () => {
    const f64 = new Float64Array([1, 2]);
    expect(tensor(f64, [2]).data).toBe(f64);
    const t = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    expect(t.shape).toEqual([1, 1, 2, 2]);
  });
});

describe('layout helpers', () => {
  // NHWC [1, 2, 3, 2]: element (h, w, c) = 100h + 10w + c
  const nhwc = tensor(
    Array.from({ length: 12 }, (_, i) => {
      const c = i % 2;
      const w = Math.floor(i / 2) % 3;
      const h = Math.floor(i / 6);
      return 100 * h + 10 * w + c;
    }),
    [1, 2, 3, 2],
  );

  it('channels-last → channels-first moves C after N', () => {
    const nchw = toChannelsFirst(nhwc);
    expect(nchw.shape).toEqual([1, 2, 2, 3]);
    // (c, h, w) row-major
    const expected: number[] = [];
    for (let c = 0; c < 2; c++)
      for (let h = 0; h < 2; h++) for (let w = 0; w < 3; w++) expected.push(100 * h + 10 * w + c);
    expect(Array.from(nchw.data)).toEqual(expected);
    expect(toChannelsLast(nchw)).toEqual(nhwc);
  });

  it('Keras transposed kernel [kh, kw, out, in] → [in, out, kh, kw] and back', () => {
    const k = tensor(
      Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i),
      [2, 3, 4, 5],
    );
    const t = kernelFromKerasTranspose(k);
    expect(t.shape).toEqual([5, 4, 2, 3]);
    // element (in=i, out=o, kh=a, kw=b) was at ((a*3 + b)*4 + o)*5 + i
    expect(t.data[((3 * 4 + 2) * 2 + 1) * 3 + 2]).toBe(((1 * 3 + 2) * 4 + 2) * 5 + 3);
    expect(kernelToKerasTranspose(t)).toEqual(k);
    expect(kernelFromKerasConv(k).shape).toEqual([5, 4, 2, 3]);
  });

  it('works for 1D and 3D', () => {
    expect(toChannelsFirst(tensor(new Float32Array(6), [1, 3, 2])).shape).toEqual([1, 2, 3]);
    expect(toChannelsFirst(tensor(new Float32Array(24), [1, 2, 3, 2, 2])).shape).toEqual([1, 2, 2, 3, 2]);
  });
});
