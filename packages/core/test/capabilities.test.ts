import { describe, expect, it } from 'vitest';
import {
  capabilityGap,
  prepareConv,
  prepareConvFor,
  prepareConvTranspose,
  prepareConvTransposeBackward,
  prepareConvTransposeFor,
  tensor,
  UnsupportedError,
} from '@tconv/core';

const x1 = tensor([1, 2, 3], [1, 1, 3]);
const w1 = tensor([1, 1], [1, 1, 2]);
const x64 = tensor(new Float64Array(4), [1, 1, 2, 2]);
const w64 = tensor(new Float64Array(4), [1, 1, 2, 2]);
const only2dFloat32 = { name: 'toy', capabilities: { ranks: [2], dtypes: ['float32'] as const } };

describe('capabilityGap, the one capability predicate', () => {
  it('names the rank first, then the float type; absent capabilities include everything', () => {
    expect(capabilityGap(only2dFloat32.capabilities, { rank: 1, dtype: 'float64' })).toEqual({
      kind: 'rank',
      needed: 1,
      declared: [2],
    });
    expect(capabilityGap(only2dFloat32.capabilities, { rank: 2, dtype: 'float64' })).toEqual({
      kind: 'dtype',
      needed: 'float64',
      declared: ['float32'],
    });
    expect(capabilityGap(only2dFloat32.capabilities, { rank: 2, dtype: 'float32' })).toBeUndefined();
    expect(capabilityGap(only2dFloat32.capabilities, { dtype: 'float32' })).toBeUndefined();
    expect(capabilityGap(undefined, { rank: 7, dtype: 'float64' })).toBeUndefined();
    expect(capabilityGap({}, { rank: 7, dtype: 'float64' })).toBeUndefined();
  });
});

describe('prepare* with the calling backend check its declared capabilities', () => {
  it('reject a rank or float type outside them with an UnsupportedError naming the backend', () => {
    expect(() => prepareConvTranspose(x1, w1, {}, only2dFloat32)).toThrow(UnsupportedError);
    expect(() => prepareConvTranspose(x1, w1, {}, only2dFloat32)).toThrow(
      'backend toy supports spatial ranks 2, but the input has 1 spatial axes',
    );
    expect(() => prepareConv(x64, w64, {}, only2dFloat32)).toThrow(
      'backend toy supports float32, but the input is float64',
    );
    expect(() => prepareConvTransposeFor([1, 1, 3], w1, {}, only2dFloat32)).toThrow(UnsupportedError);
    expect(() => prepareConvFor([1, 1, 2, 2], w64, {}, only2dFloat32)).toThrow(UnsupportedError);
    expect(() =>
      prepareConvTransposeBackward(tensor(new Float64Array(9), [1, 1, 3, 3]), x64, w64, {}, only2dFloat32),
    ).toThrow(UnsupportedError);
  });
  it('accept what they include, and check nothing without a backend', () => {
    expect(
      prepareConvTranspose(
        tensor([1, 2, 3, 4], [1, 1, 2, 2]),
        tensor([1, 1, 1, 1], [1, 1, 2, 2]),
        {},
        only2dFloat32,
      ).geometry.outputShape,
    ).toEqual([1, 1, 3, 3]);
    expect(prepareConvTranspose(x1, w1).geometry.outputShape).toEqual([1, 1, 4]);
  });
});
