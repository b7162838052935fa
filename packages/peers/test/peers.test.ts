import { afterAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tconv/core';
import { tensor, UnsupportedError } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { nodePeers, onnxNode, tfjsPlan } from '@tconv/peers';

const peers = nodePeers();
afterAll(() => Promise.all(peers.map((p) => p.dispose())));

const ramp = (shape: number[], scale = 1): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float32Array.from({ length: n }, (_, i) => ((i * 7) % 11) * scale - 5 * scale),
    shape,
  );
};

describe('each peer computes a plain transposed convolution as tconv does', () => {
  const x = ramp([2, 3, 4, 5], 0.25);
  const w = ramp([3, 2, 3, 3], 0.5);
  const options = { stride: 2, padding: 1, outputPadding: 1, bias: [0.5, -1] };
  const expected = cpuBackend.convTranspose(x, w, options);
  for (const peer of peers) {
    it(peer.name, async () => {
      const y = await peer.convTranspose(x, w, options);
      expect(y.shape).toEqual(expected.shape);
      expect(y.data).toBeInstanceOf(Float32Array);
      for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(expected.data[i]!, 4);
    });
  }
  for (const peer of peers) {
    it(`${peer.name}: convolution with stride and padding`, async () => {
      const xc = ramp([1, 3, 7, 6], 0.25);
      const wc = ramp([4, 3, 3, 3], 0.5);
      const o = { stride: 2, padding: 1, bias: [1, 2, 3, 4] };
      const want = cpuBackend.conv(xc, wc, o);
      const y = await peer.conv(xc, wc, o);
      expect(y.shape).toEqual(want.shape);
      for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(want.data[i]!, 4);
    });
  }
});

describe('what a peer cannot express is an UnsupportedError, before the engine runs', () => {
  it('tfjs: no groups, no dilation, no 1D transposed convolution, no ONNX auto_pad', () => {
    const tfjs = peers.find((p) => p.name === 'tfjs-cpu')!;
    expect(tfjs.cannotExpress('convTranspose', [1, 4, 3, 3], [4, 1, 3, 3], { groups: 4 })).toMatch(/groups/);
    expect(tfjs.cannotExpress('convTranspose', [1, 1, 3, 3], [1, 1, 3, 3], { dilation: 2 })).toMatch(
      /dilation/,
    );
    expect(tfjs.cannotExpress('convTranspose', [1, 1, 3], [1, 1, 3], {})).toMatch(/1D/);
    expect(
      tfjs.cannotExpress('convTranspose', [1, 1, 3, 3], [1, 1, 3, 3], { padding: 'same-upper' }),
    ).toMatch(/auto_pad/);
    expect(
      tfjs.cannotExpress('convTranspose', [1, 1, 3, 3], [1, 1, 3, 3], { padding: 'same' }),
    ).toBeUndefined();
    expect(() => tfjsPlan('tfjs', 'convTranspose', [1, 1, 3], [1, 1, 3], {})).toThrow(UnsupportedError);
  });
  it('rejects with UnsupportedError and invalid input with core errors', async () => {
    const tfjs = peers.find((p) => p.name === 'tfjs-wasm')!;
    await expect(tfjs.convTranspose(ramp([1, 1, 3]), ramp([1, 1, 3]), { stride: 2 })).rejects.toBeInstanceOf(
      UnsupportedError,
    );
    await expect(tfjs.convTranspose(ramp([1, 1, 3, 3]), ramp([1, 1, 3, 3]), { stride: 0 })).rejects.toThrow(
      /stride/,
    );
    const ort = peers.find((p) => p.name === 'onnxruntime-node')!;
    const f64 = tensor(new Float64Array(9), [1, 1, 9]);
    await expect(ort.convTranspose(f64, tensor(new Float64Array(3), [1, 1, 3]))).rejects.toBeInstanceOf(
      UnsupportedError,
    );
  });
});

describe('onnxruntime runs its own auto_pad logic', () => {
  it('the node keeps SAME_UPPER', () => {
    expect(onnxNode('convTranspose', [1, 1, 2], [1, 1, 1], { stride: 2, padding: 'same-upper' })).toEqual({
      op: 'ConvTranspose',
      attributes: { strides: [2], dilations: [1], group: 1, kernel_shape: [1], auto_pad: 'SAME_UPPER' },
    });
  });
  for (const name of ['onnxruntime-node', 'onnxruntime-web']) {
    it(`${name}: SAME_UPPER, kernel 1, stride 2 on 2 elements gives 3 elements where the spec gives 4`, async () => {
      const peer = peers.find((p) => p.name === name)!;
      const x = tensor([1, 2], [1, 1, 2]);
      const w = tensor([3], [1, 1, 1]);
      expect(cpuBackend.convTranspose(x, w, { stride: 2, padding: 'same-upper' }).shape).toEqual([1, 1, 4]);
      const y = await peer.convTranspose(x, w, { stride: 2, padding: 'same-upper' });
      expect(y.shape).toEqual([1, 1, 3]);
    });
  }
});

describe('tfjs has one active backend: each peer makes it its own on every call', () => {
  it('a tfjs-cpu call prepared before a tfjs-wasm one still runs on the CPU backend', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const cpu = peers.find((p) => p.name === 'tfjs-cpu')!;
    const wasm = peers.find((p) => p.name === 'tfjs-wasm')!;
    const x = ramp([1, 2, 4, 4], 0.25);
    const w = ramp([2, 3, 3, 3], 0.5);
    const expected = cpuBackend.convTranspose(x, w, { stride: 2 });
    const onCpu = await cpu.prepareConvTranspose(x, w, { stride: 2 });
    const onWasm = await wasm.prepareConvTranspose(x, w, { stride: 2 });
    expect(tf.getBackend()).toBe('wasm');
    await onCpu.run();
    expect(tf.getBackend()).toBe('cpu');
    const y = await onCpu.output();
    for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(expected.data[i]!, 4);
    await onWasm.run();
    expect(tf.getBackend()).toBe('wasm');
    onCpu.dispose?.();
    onWasm.dispose?.();
  });
});
