// Page entry: the backend's life cycle in the browser — a lost device, dispose, the GPU-resident
// API, pooling, and the clear errors before allocation. Each function returns what it observed;
// the Node side asserts on it.
import { referenceConvTranspose } from '@tconv/backend-cpu';
import { seeded, tensor } from '@tconv/core';
import { createWebGpuBackend } from '../../src';

const x = tensor(seeded(2 * 8 * 12 * 12, 1) as Float32Array, [2, 8, 12, 12]);
const w = tensor(seeded(8 * 6 * 4 * 4, 2) as Float32Array, [8, 6, 4, 4]);
const w2 = tensor(seeded(6 * 3 * 3 * 3, 3) as Float32Array, [6, 3, 3, 3]);
const options = { stride: 2, padding: 1 };

const describeError = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : `non-error ${String(e)}`;

/** Settles `p` or reports a hang after `ms` (a lost device must never hang a call). */
async function settle(p: Promise<unknown>, ms = 10_000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<string>((r) => {
    timer = setTimeout(() => r('HANG'), ms);
  });
  try {
    return await Promise.race([p.then(() => 'resolved', describeError), hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function lostDevice(): Promise<{ pending: string; later: string; gpuRead: string }> {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  const gpu = await createWebGpuBackend({ device });
  await gpu.convTranspose(x, w, options); // compiled and working
  const resident = gpu.upload(x);
  const pending = gpu.convTranspose(x, w, options);
  device.destroy();
  return {
    pending: await settle(pending),
    later: await settle(gpu.convTranspose(x, w, options)),
    gpuRead: await settle(gpu.read(resident)),
  };
}

async function dispose(): Promise<{
  before: number;
  afterCalls: { liveBytes: number; idleBytes: number };
  afterDispose: { liveBytes: number; idleBytes: number };
  later: string;
}> {
  const gpu = await createWebGpuBackend();
  const before = gpu.memory().liveBytes;
  for (let i = 0; i < 5; i++) await gpu.convTranspose(x, w, options);
  await gpu.convTransposeBackward(tensor(new Float32Array(2 * 6 * 24 * 24), [2, 6, 24, 24]), x, w, options);
  const afterCalls = gpu.memory();
  await gpu.dispose();
  return { before, afterCalls, afterDispose: gpu.memory(), later: await settle(gpu.conv(x, w2)) };
}

async function resident(): Promise<{
  chainedEqualsTensorApi: boolean;
  maxError: number;
  released: string;
  float64: string;
  liveAfterRelease: number;
}> {
  const gpu = await createWebGpuBackend();
  try {
    const gx = gpu.upload(x);
    const gw = gpu.upload(w);
    const gw2 = gpu.upload(w2);
    const h = await gpu.convTransposeGpu(gx, gw, options);
    const y = await gpu.convTransposeGpu(h, gw2, { stride: 1, padding: 'same', bias: [1, 2, 3] });
    const chained = await gpu.read(y);
    const viaTensors = await gpu.convTranspose(await gpu.convTranspose(x, w, options), w2, {
      stride: 1,
      padding: 'same',
      bias: [1, 2, 3],
    });
    const chainedEqualsTensorApi =
      chained.data.every((v, i) => v === viaTensors.data[i]) &&
      chained.shape.join() === viaTensors.shape.join();
    const ref = referenceConvTranspose(referenceConvTranspose(x, w, options), w2, {
      stride: 1,
      padding: 'same',
      bias: [1, 2, 3],
    });
    let maxError = 0;
    for (let i = 0; i < ref.data.length; i++)
      maxError = Math.max(maxError, Math.abs(ref.data[i]! - chained.data[i]!));
    for (const t of [gx, gw, gw2, h, y]) gpu.release(t);
    const released = await settle(gpu.read(h));
    let float64 = 'accepted';
    try {
      gpu.upload(tensor(new Float64Array(4), [1, 1, 4]));
    } catch (e) {
      float64 = describeError(e);
    }
    return { chainedEqualsTensorApi, maxError, released, float64, liveAfterRelease: gpu.memory().liveBytes };
  } finally {
    await gpu.dispose();
  }
}

async function limits(): Promise<{ binding: string; float64: string; liveBytes: number }> {
  // a device with the default limits: maxStorageBufferBindingSize 128 MiB
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice();
  const gpu = await createWebGpuBackend({ device });
  try {
    // output (9·700 + 1)² = 39.7 M floats = 159 MB > 128 MiB, within core's 2^27 elements
    const binding = await settle(
      gpu.convTranspose(tensor(new Float32Array(100), [1, 1, 10, 10]), tensor([1], [1, 1, 1, 1]), {
        stride: 700,
      }),
    );
    const float64 = await settle(
      gpu.convTranspose(tensor(new Float64Array(4), [1, 1, 4]), tensor(new Float64Array(2), [1, 1, 2])),
    );
    return { binding, float64, liveBytes: gpu.memory().liveBytes };
  } finally {
    await gpu.dispose();
    device.destroy();
  }
}

/** Calls in flight at once (different shapes and kernels) each get their own, correct result. */
async function concurrent(): Promise<{ maxErrors: number[]; liveBytes: number }> {
  const gpu = await createWebGpuBackend();
  try {
    const problems = [
      { x, w, o: options },
      { x, w, o: { stride: 3, padding: 'same' as const, bias: [1, 2, 3, 4, 5, 6] } },
      {
        x: tensor(seeded(2 * 6 * 9 * 9, 5) as Float32Array, [2, 6, 9, 9]),
        w: w2,
        o: { stride: 2, dilation: 2 },
      },
      {
        x: tensor(seeded(1 * 8 * 40, 6) as Float32Array, [1, 8, 40]),
        w: tensor(seeded(8 * 1 * 20, 7) as Float32Array, [8, 1, 20]),
        o: { stride: 5 },
      },
    ];
    const all = [...problems, ...problems];
    const results = await Promise.all(all.map((p) => gpu.convTranspose(p.x, p.w, p.o)));
    const maxErrors = results.map((y, i) => {
      const ref = referenceConvTranspose(all[i]!.x, all[i]!.w, all[i]!.o);
      let e = y.shape.join() === ref.shape.join() ? 0 : Number.POSITIVE_INFINITY;
      for (let j = 0; j < ref.data.length; j++) e = Math.max(e, Math.abs(ref.data[j]! - y.data[j]!));
      return e;
    });
    return { maxErrors, liveBytes: gpu.memory().liveBytes };
  } finally {
    await gpu.dispose();
  }
}

/** GPU-resident gradients against the Tensor API's (same kernels: identical) and the bias against its bound. */
async function residentBackward(): Promise<{
  sameInput: boolean;
  sameWeight: boolean;
  biasWithinBound: boolean;
  badShape: string;
  liveAfter: number;
}> {
  const gpu = await createWebGpuBackend();
  try {
    const o = { stride: 2, padding: 1, groups: 2 };
    const wg = tensor(seeded(8 * 3 * 4 * 4, 9) as Float32Array, [8, 3, 4, 4]);
    const gy = tensor(seeded(2 * 6 * 24 * 24, 10) as Float32Array, [2, 6, 24, 24]);
    const viaTensors = await gpu.convTransposeBackward(gy, x, wg, o);
    const [ggy, gx, gw] = [gpu.upload(gy), gpu.upload(x), gpu.upload(wg)];
    const onGpu = await gpu.convTransposeBackwardGpu(ggy, gx, gw, o);
    const [di, dw, db] = await Promise.all([
      gpu.read(onGpu.input),
      gpu.read(onGpu.weight),
      gpu.read(onGpu.bias),
    ]);
    const same = (a: Float32Array | Float64Array, b: Float32Array | Float64Array) =>
      a.length === b.length && a.every((v, i) => v === b[i]);
    let biasWithinBound = db.shape.join() === '6';
    const plane = 24 * 24;
    for (let c = 0; c < 6; c++) {
      let exact = 0;
      let magnitude = 0;
      for (let n = 0; n < 2; n++) {
        for (let i = 0; i < plane; i++) {
          const v = gy.data[(n * 6 + c) * plane + i]!;
          exact += v;
          magnitude += Math.abs(v);
        }
      }
      if (!(Math.abs(db.data[c]! - exact) <= (2 * plane + 2) * 2 ** -24 * magnitude)) biasWithinBound = false;
    }
    let badShape = 'accepted';
    try {
      await gpu.convTransposeBackwardGpu(gx, gx, gw, o);
    } catch (e) {
      badShape = describeError(e);
    }
    for (const t of [ggy, gx, gw, onGpu.input, onGpu.weight, onGpu.bias]) gpu.release(t);
    return {
      sameInput: same(di.data, viaTensors.input.data) && di.shape.join() === viaTensors.input.shape.join(),
      sameWeight: same(dw.data, viaTensors.weight.data) && dw.shape.join() === viaTensors.weight.shape.join(),
      biasWithinBound,
      badShape,
      liveAfter: gpu.memory().liveBytes,
    };
  } finally {
    await gpu.dispose();
  }
}

(globalThis as { tconvPage?: unknown }).tconvPage = {
  lostDevice,
  dispose,
  resident,
  limits,
  concurrent,
  residentBackward,
};
