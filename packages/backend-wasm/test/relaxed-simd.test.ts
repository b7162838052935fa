import { describe, expect, it } from 'vitest';
import { OptionError, tensor } from '@tconv/core';
import { createWasmBackend, relaxedSimdSupported, wasmBackend } from '@tconv/backend-wasm';

// Node 20 validates relaxed SIMD only behind a flag (the relaxed-simd test project passes it);
// Node ≥ 22 always does.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const expected = nodeMajor >= 22 || process.execArgv.includes('--experimental-wasm-relaxed-simd');

describe('relaxed SIMD, chosen at run time (#18)', () => {
  it('is used exactly where WebAssembly.validate accepts it', async () => {
    expect(relaxedSimdSupported()).toBe(expected);
    const backend = await createWasmBackend();
    expect(backend.relaxedSimd).toBe(expected);
    const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
    expect(two.relaxedSimd).toBe(expected);
    await Promise.all([backend.dispose(), two.dispose()]);
    expect(wasmBackend.relaxedSimd).toBe(expected);
  });

  it('relaxedSimd: false forces the exact build; true where unsupported is an OptionError', async () => {
    const exact = await createWasmBackend({ relaxedSimd: false });
    expect(exact.relaxedSimd).toBe(false);
    await exact.dispose();
    if (expected) {
      const relaxed = await createWasmBackend({ relaxedSimd: true });
      expect(relaxed.relaxedSimd).toBe(true);
      await relaxed.dispose();
    } else {
      await expect(createWasmBackend({ relaxedSimd: true })).rejects.toThrow(OptionError);
    }
    await expect(createWasmBackend({ relaxedSimd: 1 as unknown as boolean })).rejects.toThrow(
      /relaxedSimd must be true or false/,
    );
  });

  it('the relaxed and exact builds agree within float32 rounding on a layer', async () => {
    const exact = await createWasmBackend({ relaxedSimd: false });
    const fast = await createWasmBackend();
    const n = 16 * 9 * 9;
    const x = tensor(
      Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
      [1, 16, 9, 9],
    );
    const w = tensor(
      Float32Array.from({ length: 16 * 8 * 16 }, (_, i) => Math.cos(i)),
      [16, 8, 4, 4],
    );
    const [a, b] = await Promise.all([
      exact.convTranspose(x, w, { stride: 2, padding: 1 }),
      fast.convTranspose(x, w, { stride: 2, padding: 1 }),
    ]);
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
    // 16·16 = 256 products of magnitude ≤ 1 per element: each build within 258·2^-24·256 of exact
    expect(worst).toBeLessThan(2 * 258 * 2 ** -24 * 256);
    await Promise.all([exact.dispose(), fast.dispose()]);
  });
});
