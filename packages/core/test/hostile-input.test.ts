import { describe, expect, it } from 'vitest';
import {
  allocate,
  allocationFailed,
  checkInt32Geometry,
  checkSafeGeometry,
  checkTensor,
  convOutputShape,
  convOutputSize,
  convTransposeOutputShape,
  convTransposeOutputSize,
  DTypeError,
  fromOnnx,
  LimitError,
  MAX_TENSOR_ELEMENTS,
  OptionError,
  prepareConvTranspose,
  resolveConv,
  resolveConvTranspose,
  ShapeError,
  tensor,
} from '@tconv/core';

// Issue #16: what a hostile caller tried. Each test names the finding it pins.

describe('#16 item 7: exact shape arithmetic near 2^53', () => {
  it('convTransposeOutputShape gives the exact 2 where a double intermediate gives 1', () => {
    const options = { stride: 2 ** 52, padding: { begin: [2 ** 52], end: [2 ** 52 - 1] } };
    expect(convTransposeOutputShape([1, 1, 3], [1, 1, 1], options)).toEqual([1, 1, 2]);
    expect(convTransposeOutputSize(3, 1, { stride: 2 ** 52, padding: [2 ** 52, 2 ** 52 - 1] })).toBe(2);
    const g = resolveConvTranspose([1, 1, 3], [1, 1, 1], options);
    expect(g.padBegin).toEqual([2 ** 52]);
    expect(g.padEnd).toEqual([2 ** 52 - 1]);
  });

  it('a result past 2^53 − 1 is a LimitError, never a rounded number', () => {
    expect(() => convTransposeOutputSize(2 ** 40, 3, { stride: 2 ** 20 })).toThrow(LimitError);
    expect(() => convTransposeOutputSize(2 ** 40, 3, { stride: 2 ** 20 })).toThrow(/2\^53/);
    expect(() => convTransposeOutputShape([1, 1, 2 ** 40], [1, 1, 3], { stride: 2 ** 20 })).toThrow(
      LimitError,
    );
  });

  it('a padding word with a full length past 2^53 is a LimitError, not a rounded crop', () => {
    // 'same': k_d = 2^53 + 1 cannot be held by a double
    expect(() => resolveConvTranspose([1, 1, 1], [1, 1, 3], { dilation: 2 ** 52, padding: 'same' })).toThrow(
      LimitError,
    );
  });

  it("fromOnnx's output_shape pads are exact, or a LimitError past 2^53", () => {
    // total = 2^52·(2−1) + 1 − 3 = 2^52 − 2, split by the lower rule
    const o = fromOnnx({ strides: [2 ** 52], output_shape: [3] }, [1, 1, 2], [1, 1, 1]);
    expect(o.padding).toEqual({ begin: [2 ** 51 - 1], end: [2 ** 51 - 1] });
    // the full length 2^52·2 + 1 is not a double: doubles gave the pads of a total 2^53 − 3, not 2^53 − 2
    expect(() => fromOnnx({ strides: [2 ** 52], output_shape: [3] }, [1, 1, 3], [1, 1, 1])).toThrow(
      LimitError,
    );
  });

  it('convolution lengths are exact when the padded input passes 2^53', () => {
    // padded = 2^53 + 1 (not a double): floor(2^53 / 2^52) + 1 = 3
    expect(convOutputSize(1, 1, { stride: 2 ** 52, padding: 2 ** 52 })).toBe(3);
    expect(convOutputShape([1, 1, 1], [1, 1, 1], { stride: 2 ** 52, padding: 2 ** 52 })).toEqual([1, 1, 3]);
    expect(resolveConv([1, 1, 1], [1, 1, 1], { stride: 2 ** 52, padding: 2 ** 52 }).outputSize).toEqual([3]);
  });
});

describe('#16 item 8: strict per-axis options', () => {
  it('unknown keys of the per-axis helpers are an OptionError naming the key', () => {
    for (const run of [
      () => convTransposeOutputSize(4, 3, { strides: 2 } as never),
      () => convOutputSize(4, 3, { strides: 2 } as never),
    ]) {
      expect(run).toThrow(OptionError);
      expect(run).toThrow(/"strides" is not an option/);
    }
    expect(() => convTransposeOutputSize(4, 3, { output_padding: 1 } as never)).toThrow(/output_padding/);
  });

  it('null (or a non-object) options are a clear OptionError, not a raw TypeError', () => {
    const runs = [
      () => convTransposeOutputSize(4, 3, null as never),
      () => convOutputSize(4, 3, null as never),
      () => convTransposeOutputSize(4, 3, 2 as never),
      () => convTransposeOutputSize(4, 3, [2] as never),
      () => resolveConvTranspose([1, 1, 4], [1, 1, 3], null as never),
      () => resolveConv([1, 1, 4], [1, 1, 3], null as never),
      () => convTransposeOutputShape([1, 1, 4], [1, 1, 3], null as never),
    ];
    for (const run of runs) {
      expect(run).toThrow(OptionError);
      expect(run).toThrow(/options/);
    }
  });

  it('the { begin, end } padding object is strict too, and a BigInt dimension is named as one', () => {
    const run = () =>
      resolveConvTranspose([1, 1, 4], [1, 1, 3], { padding: { begin: [1], end: [1], middle: [1] } } as never);
    expect(run).toThrow(OptionError);
    expect(run).toThrow(/"middle" is not an option of padding/);
    expect(() => resolveConvTranspose([1n, 1, 4] as never, [1, 1, 3])).toThrow(/but got 1n/);
  });

  it('valid options still work', () => {
    expect(convTransposeOutputSize(4, 3, { stride: 4, outputPadding: 1 })).toBe(16);
    expect(convTransposeOutputSize(4, 3)).toBe(6);
    expect(convOutputSize(4, 3, { stride: 2, padding: 1 })).toBe(2);
  });
});

describe('#16 item 9: tensor() takes numbers only', () => {
  it('strings and undefined are rejected naming the index', () => {
    expect(() => tensor(['1', 'x'] as never, [2])).toThrow(/data\[0\] must be a number, but got "1"/);
    expect(() => tensor([1, undefined] as never, [2])).toThrow(
      /data\[1\] must be a number, but got undefined/,
    );
    // a hole
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    expect(() => tensor([1, , 3] as never, [3])).toThrow(/data\[1\]/);
    expect(() => tensor([1, null] as never, [2])).toThrow(ShapeError);
    expect(() => tensor([1, true] as never, [2])).toThrow(/data\[1\]/);
  });

  it('a huge array-like is rejected before 512 MiB of NaN is allocated', () => {
    const before = process.memoryUsage().arrayBuffers;
    expect(() => tensor({ length: 2 ** 27 } as never, [2 ** 27])).toThrow(/data\[0\] must be a number/);
    expect(() => tensor({ length: 2 ** 40 } as never, [2 ** 27])).toThrow(LimitError);
    expect(() => tensor({ length: -1 } as never, [2])).toThrow(LimitError);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('BigInt arrays are a DTypeError', () => {
    expect(() => tensor(new BigInt64Array(2) as never, [2])).toThrow(DTypeError);
    expect(() => tensor(new BigInt64Array(2) as never, [2])).toThrow(/BigInt64Array/);
    expect(() => tensor(new BigUint64Array(2) as never, [2])).toThrow(DTypeError);
  });

  it('numbers, NaN included, and integer typed arrays are accepted', () => {
    expect(Array.from(tensor([1, Number.NaN, -2], [3]).data)).toEqual([1, Number.NaN, -2]);
    expect(Array.from(tensor(new Int32Array([3, 4]), [2]).data)).toEqual([3, 4]);
    expect(tensor([], [0]).data.length).toBe(0);
    expect(MAX_TENSOR_ELEMENTS).toBe(2 ** 27);
  });
});

describe('#16: detached and resized buffers', () => {
  it('a detached input buffer is rejected naming the cause', () => {
    const t = tensor(new Float32Array(4), [1, 1, 4]);
    structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
    expect(() => checkTensor(t, 'input')).toThrow(/input\.data has 0 elements .*detached/);
    const w = tensor([1, 2], [1, 1, 2]);
    expect(() => prepareConvTranspose(t, w)).toThrow(ShapeError);
  });

  it('a shrunk resizable buffer is rejected naming the cause', () => {
    // ES2024 resizable buffers (Node 20 has them; the lib target here is ES2022)
    const Resizable = ArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => ArrayBuffer & { resize(n: number): void };
    const buffer = new Resizable(16, { maxByteLength: 64 });
    const t = tensor(new Float32Array(buffer), [1, 1, 4]);
    buffer.resize(8);
    expect(() => checkTensor(t, 'input')).toThrow(/input\.data has 2 elements .*resizable/);
  });
});

describe('#16 item 5 (core half): limits every kernel can index', () => {
  it('checkInt32Geometry rejects a dilation of 2^32 with its matching pad', () => {
    // the answer is [1000] (one tap inside); an int32 kernel would wrap it
    const g = resolveConvTranspose([1, 1, 1], [1, 1, 2], {
      dilation: 2 ** 32,
      padding: { begin: [2 ** 32], end: [0] },
    });
    expect(g.outputSize).toEqual([1]);
    expect(() => checkInt32Geometry(g, 'wasm')).toThrow(LimitError);
    expect(() => checkInt32Geometry(g, 'wasm')).toThrow(/dilation\[0\].*wasm.*int32/);
    expect(() => checkSafeGeometry(g, 'cpu')).not.toThrow();
  });

  it('checkInt32Geometry rejects a stride of 2^32 and accepts ordinary layers', () => {
    const g = resolveConvTranspose([1, 1, 2], [1, 1, 1], {
      stride: 2 ** 32,
      outputSize: [1],
      padding: { begin: [0], end: [2 ** 32] },
    });
    expect(() => checkInt32Geometry(g, 'wasm')).toThrow(/stride\[0\]/);
    const layer = resolveConvTranspose([8, 512, 4, 4], [512, 256, 4, 4], { stride: 2, padding: 1 });
    expect(() => checkInt32Geometry(layer, 'wasm')).not.toThrow();
    const conv = resolveConv([1, 3, 224, 224], [64, 3, 7, 7], { stride: 2, padding: 3 });
    expect(() => checkInt32Geometry(conv, 'webgpu')).not.toThrow();
  });

  it('prepareConvTranspose rejects a geometry whose indices pass 2^53 (the CPU and sparse backends index with doubles)', () => {
    const x = tensor([1, 2, 3], [1, 1, 3]);
    const w = tensor([1], [1, 1, 1]);
    const options = { stride: 2 ** 52, padding: { begin: [2 ** 52], end: [2 ** 52 - 1] } };
    expect(() => prepareConvTranspose(x, w, options)).toThrow(LimitError);
  });
});

describe('#16: an allocation the engine refuses', () => {
  it('is a LimitError naming the buffer, not a raw RangeError', () => {
    expect(() => allocate('float64', 2 ** 40)).toThrow(LimitError);
    expect(() => allocate('float32', 2 ** 40)).toThrow(
      /could not allocate 4398046511104 bytes for the output/,
    );
    expect(() => allocationFailed(new TypeError('x'), 8, 'output')).toThrow(TypeError);
  });
});
