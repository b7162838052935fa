import { describe, expect, it } from 'vitest';
import {
  convOutputShape,
  convOutputSize,
  convTransposeOutputShape,
  convTransposeOutputSize,
  resolveConvTranspose,
} from '@tconv/core';

// Every size example printed in ../shared/documents, with the document it comes from.
describe('the documents size examples', () => {
  it('GfG 000: 2x2 input, 2x2 kernel, stride 1, no padding -> 3x3', () => {
    expect(convTransposeOutputSize(2, 2, { stride: 1, padding: 0 })).toBe(3);
    expect(convTransposeOutputShape([1, 1, 2, 2], [1, 1, 2, 2])).toEqual([1, 1, 3, 3]);
  });

  it("GfG 000: Keras Conv2DTranspose on 4x4, kernel 3, strides 2: 'valid' -> 9x9, 'same' -> 8x8", () => {
    expect(convTransposeOutputShape([1, 3, 4, 4], [3, 1, 3, 3], { stride: 2, padding: 'valid' })).toEqual([
      1, 1, 9, 9,
    ]);
    expect(convTransposeOutputShape([1, 3, 4, 4], [3, 1, 3, 3], { stride: 2, padding: 'same' })).toEqual([
      1, 1, 8, 8,
    ]);
  });

  it('AIM 001: convolution of a 7x7 image with a 3x3 filter, stride 1, no padding -> 5x5', () => {
    expect(convOutputSize(7, 3, { stride: 1, padding: 0 })).toBe(5);
    expect(convOutputShape([1, 1, 7, 7], [1, 1, 3, 3])).toEqual([1, 1, 5, 5]);
  });

  it('AIM 001: transposed, (7-1)*1 + 3 - 2*1 + 0 = 7', () => {
    expect(convTransposeOutputSize(7, 3, { stride: 1, padding: 1 })).toBe(7);
  });

  it('AIM 001: 4x4 RGB image, filter 3, strides 4, output padding 1 -> 16; filter 4, strides 4 -> 16', () => {
    expect(convTransposeOutputSize(4, 3, { stride: 4, outputPadding: 1 })).toBe(16);
    expect(convTransposeOutputShape([1, 3, 4, 4], [3, 3, 3, 3], { stride: 4, outputPadding: 1 })).toEqual([
      1, 3, 16, 16,
    ]);
    expect(convTransposeOutputSize(4, 4, { stride: 4 })).toBe(16);
    expect(convTransposeOutputShape([1, 3, 4, 4], [3, 3, 4, 4], { stride: 4 })).toEqual([1, 3, 16, 16]);
  });

  it('notes 004: convolution k3 s2 p1 on 4x4 -> 2x2', () => {
    expect(convOutputSize(4, 3, { stride: 2, padding: 1 })).toBe(2);
  });

  it('notes 004: PyTorch ConvTranspose2d(3, 1, k3, s2, output_padding 1) on (1,3,2,2) -> (1,1,6,6)', () => {
    expect(convTransposeOutputShape([1, 3, 2, 2], [3, 1, 3, 3], { stride: 2, outputPadding: 1 })).toEqual([
      1, 1, 6, 6,
    ]);
  });

  it('d2l 003 13.10.2: padding 1 on the 2x2 example -> 1x1; stride 2 -> 4x4', () => {
    expect(convTransposeOutputShape([1, 1, 2, 2], [1, 1, 2, 2], { padding: 1 })).toEqual([1, 1, 1, 1]);
    expect(convTransposeOutputShape([1, 1, 2, 2], [1, 1, 2, 2], { stride: 2 })).toEqual([1, 1, 4, 4]);
  });

  it('d2l 003 13.10.2: conv k5 p2 s3 on (1,10,16,16), then the transposed conv gives the shape back', () => {
    const y = convOutputShape([1, 10, 16, 16], [20, 10, 5, 5], { padding: 2, stride: 3 });
    expect(y).toEqual([1, 20, 6, 6]);
    expect(convTransposeOutputShape(y, [20, 10, 5, 5], { padding: 2, stride: 3 })).toEqual([1, 10, 16, 16]);
  });

  it('d2l 003 13.10.3: the 3x3 input and 2x2 kernel of the matrix example -> 2x2', () => {
    expect(convOutputShape([1, 1, 3, 3], [1, 1, 2, 2])).toEqual([1, 1, 2, 2]);
    expect(convTransposeOutputShape([1, 1, 2, 2], [1, 1, 2, 2])).toEqual([1, 1, 3, 3]);
  });

  it('TDS 002: 4x4 input, 3x3 kernel -> 2x2 (convolution) and back -> 4x4 (transposed)', () => {
    expect(convOutputShape([1, 1, 4, 4], [1, 1, 3, 3])).toEqual([1, 1, 2, 2]);
    expect(convTransposeOutputShape([1, 1, 2, 2], [1, 1, 3, 3])).toEqual([1, 1, 4, 4]);
  });

  it("TDS 002: 'same' makes the output the input size times the stride, keeping the middle", () => {
    const g = resolveConvTranspose([1, 1, 4, 4], [1, 1, 3, 3], { stride: 2, padding: 'same' });
    expect(g.outputSize).toEqual([8, 8]);
    // full result 9: one element cropped, at the end (floor(1/2) = 0 at the start)
    expect(g.padBegin).toEqual([0, 0]);
    expect(g.padEnd).toEqual([1, 1]);
  });
});
