import { describe, expect, it } from 'vitest';
import { fromOnnx, OptionError, resolveConv, resolveConvTranspose } from '@tconv/core';

const ct1 = (n: number, k: number, options: Parameters<typeof resolveConvTranspose>[2]) =>
  resolveConvTranspose([1, 1, n], [1, 1, k], options);

describe('numeric padding (PyTorch)', () => {
  it('crops padding from both ends and adds outputPadding at the end', () => {
    const g = ct1(5, 3, { stride: 2, padding: 1, outputPadding: 1 });
    expect(g.outputSize).toEqual([(5 - 1) * 2 - 2 + 3 + 1]);
    expect([g.padBegin[0], g.padEnd[0], g.outputPadding[0]]).toEqual([1, 1, 1]);
  });

  it('asymmetric { begin, end } is ONNX pads', () => {
    const g = resolveConvTranspose([1, 1, 3, 3], [1, 2, 3, 3], {
      stride: [3, 2],
      padding: { begin: [1, 2], end: [1, 2] },
    });
    expect(g.outputShape).toEqual([1, 2, 7, 3]);
    expect(g.padBegin).toEqual([1, 2]);
  });

  it('outputSize follows PyTorch output_size: any length in [min, min + stride - 1]', () => {
    // min = (4-1)*3 - 2 + 3 = 10
    for (const L of [10, 11, 12]) {
      const g = ct1(4, 3, { stride: 3, padding: 1, outputSize: [L] });
      expect(g.outputSize).toEqual([L]);
      expect(g.outputPadding).toEqual([L - 10]);
    }
    expect(() => ct1(4, 3, { stride: 3, padding: 1, outputSize: [13] })).toThrow(
      /valid sizes range from 10 to 12/,
    );
    expect(() => ct1(4, 3, { stride: 3, padding: 1, outputSize: [9] })).toThrow(OptionError);
  });

  it('rejects outputPadding that contradicts outputSize', () => {
    expect(() => ct1(4, 3, { stride: 3, outputSize: [13], outputPadding: 0 })).toThrow(/contradicts/);
    expect(ct1(4, 3, { stride: 3, outputSize: [13], outputPadding: 1 }).outputSize).toEqual([13]);
  });

  it('outputPadding may reach max(stride, dilation) - 1, PyTorch rule', () => {
    expect(ct1(4, 3, { stride: 1, dilation: 3, outputPadding: 2 }).outputSize).toEqual([
      (4 - 1) * 1 + 3 * (3 - 1) + 1 + 2,
    ]);
    expect(() => ct1(4, 3, { stride: 2, dilation: 1, outputPadding: 2 })).toThrow(
      /outputPadding\[0\] must be smaller than either stride or dilation, but got outputPadding\[0\] 2, stride 2, dilation 1/,
    );
  });
});

describe("'valid' and 'same' (Keras / TensorFlow)", () => {
  it("'valid' is n*s + max(k - s, 0) with no crop at the start", () => {
    for (const [n, k, s] of [
      [4, 3, 2],
      [4, 1, 2],
      [5, 2, 3],
      [3, 5, 1],
    ] as const) {
      const g = ct1(n, k, { stride: s, padding: 'valid' });
      expect(g.outputSize[0]).toBe(n * s + Math.max(k - s, 0));
      expect(g.padBegin[0]).toBe(0);
    }
  });

  it("'valid' with kernel < stride zero-extends the end of the output", () => {
    const g = ct1(3, 1, { stride: 2, padding: 'valid' });
    // full scatter (3-1)*2 + 1 = 5, Keras length 6: one zero at the end
    expect(g.outputSize).toEqual([6]);
    expect(g.padEnd).toEqual([-1]);
  });

  it("'valid' with outputPadding follows Keras: (n-1)*s + k + outputPadding", () => {
    expect(ct1(4, 3, { stride: 2, padding: 'valid', outputPadding: 1 }).outputSize).toEqual([10]);
    // as in Keras, an explicit output_padding of 0 differs from none when the kernel is smaller than the stride
    expect(ct1(3, 1, { stride: 2, padding: 'valid', outputPadding: 0 }).outputSize).toEqual([5]);
    expect(ct1(3, 1, { stride: 2, padding: 'valid' }).outputSize).toEqual([6]);
  });

  it("'same' is n*s; the crop at the start is floor(max(full - L, 0) / 2)", () => {
    for (const [n, k, s] of [
      [4, 3, 2],
      [4, 4, 2],
      [5, 5, 1],
      [3, 1, 3],
      [3, 2, 4],
    ] as const) {
      const g = ct1(n, k, { stride: s, padding: 'same' });
      const full = (n - 1) * s + k;
      expect(g.outputSize[0]).toBe(n * s);
      expect(g.padBegin[0]).toBe(Math.floor(Math.max(full - n * s, 0) / 2));
    }
  });

  it("'same' with outputPadding follows Keras: (n-1)*s + k - 2*floor(k/2) + outputPadding", () => {
    const g = ct1(4, 3, { stride: 2, padding: 'same', outputPadding: 1 });
    expect(g.outputSize).toEqual([3 * 2 + 3 - 2 + 1]);
  });

  it("'same' outputSize must satisfy ceil(L / s) = n", () => {
    expect(ct1(4, 3, { stride: 2, padding: 'same', outputSize: [7] }).outputSize).toEqual([7]);
    expect(() => ct1(4, 3, { stride: 2, padding: 'same', outputSize: [9] })).toThrow(/ceil\(9 \/ stride 2\)/);
  });

  it("'valid' outputSize must give the input back through a valid convolution", () => {
    expect(ct1(4, 3, { stride: 2, padding: 'valid', outputSize: [10] }).outputSize).toEqual([10]);
    expect(() => ct1(4, 3, { stride: 2, padding: 'valid', outputSize: [11] })).toThrow(/unreachable/);
  });
});

describe("'same-upper' / 'same-lower' (ONNX auto_pad, per the specification)", () => {
  it('splits the total with the odd element at the end (upper) or start (lower)', () => {
    // total = 2*(4-1) + 0 + 4 - 8 = 2 ... even; use k=3: total = 6 + 3 - 8 = 1
    const up = ct1(4, 3, { stride: 2, padding: 'same-upper' });
    const low = ct1(4, 3, { stride: 2, padding: 'same-lower' });
    expect(up.outputSize).toEqual([8]);
    expect([up.padBegin[0], up.padEnd[0]]).toEqual([0, 1]);
    expect([low.padBegin[0], low.padEnd[0]]).toEqual([1, 0]);
  });

  it('a negative total extends the output (floor division), unlike onnxruntime which clamps it to 0', () => {
    // n=3, k=1, s=3: total = 3*2 + 1 - 9 = -2
    const up = ct1(3, 1, { stride: 3, padding: 'same-upper' });
    expect(up.outputSize).toEqual([9]);
    expect([up.padBegin[0], up.padEnd[0]]).toEqual([-1, -1]);
    // total = -1: upper puts floor(-1/2) = -1 at the start, lower puts 0
    const up1 = ct1(3, 2, { stride: 3, padding: 'same-upper' });
    const low1 = ct1(3, 2, { stride: 3, padding: 'same-lower' });
    expect([up1.padBegin[0], up1.padEnd[0]]).toEqual([-1, 0]);
    expect([low1.padBegin[0], low1.padEnd[0]]).toEqual([0, -1]);
  });

  it('takes outputPadding into the total and honours outputSize', () => {
    const g = ct1(4, 3, { stride: 2, padding: 'same-upper', outputPadding: 1, outputSize: [10] });
    // total = 6 + 1 + 3 - 10 = 0
    expect([g.padBegin[0], g.padEnd[0], g.outputSize[0]]).toEqual([0, 0, 10]);
  });
});

describe('fromOnnx', () => {
  const shape = (a: Parameters<typeof fromOnnx>[0], x: number[], w: number[]) =>
    resolveConvTranspose(x, w, fromOnnx(a, x, w)).outputShape;

  it('pads, strides (the ONNX backend test convtranspose_pads: 1x1x3x3, W 1x2x3x3 -> 1x2x7x3)', () => {
    expect(shape({ strides: [3, 2], pads: [1, 2, 1, 2] }, [1, 1, 3, 3], [1, 2, 3, 3])).toEqual([1, 2, 7, 3]);
  });

  it('output_shape with NOTSET distributes the total padding by the lower rule', () => {
    const o = fromOnnx({ strides: [3, 2], output_shape: [10, 8] }, [1, 1, 3, 3], [1, 2, 3, 3]);
    // axis 0: total = 3*2 + 3 - 10 = -1 → extends; axis 1: total = 2*2 + 3 - 8 = -1
    const g = resolveConvTranspose([1, 1, 3, 3], [1, 2, 3, 3], o);
    expect(g.outputSize).toEqual([10, 8]);
    expect(g.padBegin).toEqual([0, 0]);
    const o2 = fromOnnx({ strides: [2], output_shape: [1, 1, 6] }, [1, 1, 3], [1, 1, 3]);
    // total = 4 + 3 - 6 = 1: lower rule puts it at the start
    expect(o2.padding).toEqual({ begin: [1], end: [0] });
  });

  it('auto_pad SAME_UPPER / SAME_LOWER / VALID, dilations, group, output_padding, kernel_shape', () => {
    expect(fromOnnx({ auto_pad: 'SAME_UPPER' }, [1, 2, 4], [2, 1, 3]).padding).toBe('same-upper');
    expect(fromOnnx({ auto_pad: 'SAME_LOWER' }, [1, 2, 4], [2, 1, 3]).padding).toBe('same-lower');
    const v = fromOnnx(
      {
        auto_pad: 'VALID',
        pads: [5, 5],
        dilations: [2],
        group: 2,
        output_padding: [1],
        strides: [2],
        kernel_shape: [3],
      },
      [1, 2, 4],
      [2, 1, 3],
    );
    expect(v).toMatchObject({ padding: 0, dilation: [2], groups: 2, outputPadding: [1], stride: [2] });
    expect(
      shape(
        { auto_pad: 'VALID', dilations: [2], group: 2, output_padding: [1], strides: [2] },
        [1, 2, 4],
        [2, 1, 3],
      ),
    ).toEqual([1, 2, 3 * 2 + 5 + 1]);
  });

  it('rejects a kernel_shape that is not the weight shape, unknown attributes and bad auto_pad', () => {
    expect(() => fromOnnx({ kernel_shape: [2] }, [1, 2, 4], [2, 1, 3])).toThrow(/kernel_shape/);
    expect(() => fromOnnx({ auto_pad: 'SAME' as 'VALID' }, [1, 2, 4], [2, 1, 3])).toThrow(/auto_pad/);
    expect(() => fromOnnx({ stride: [2] } as never, [1, 2, 4], [2, 1, 3])).toThrow(
      /not an option of ONNX ConvTranspose/,
    );
    expect(() => fromOnnx({ pads: [1, 1, 1] }, [1, 2, 4], [2, 1, 3])).toThrow(/pads/);
  });
});

describe('convolution padding words', () => {
  it("'same' gives ceil(n / s) with the odd element at the end; 'same-lower' at the start", () => {
    const g = resolveConv([1, 1, 5], [1, 1, 4], { stride: 2, padding: 'same' });
    expect(g.outputSize).toEqual([3]);
    expect([g.padBegin[0], g.padEnd[0]]).toEqual([1, 2]);
    const l = resolveConv([1, 1, 5], [1, 1, 4], { stride: 2, padding: 'same-lower' });
    expect([l.padBegin[0], l.padEnd[0]]).toEqual([2, 1]);
    expect(resolveConv([1, 1, 5], [1, 1, 4], { padding: 'valid' }).outputSize).toEqual([2]);
  });
});
