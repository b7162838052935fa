import { describe, expect, it } from 'vitest';
import { resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend, referenceConvTranspose } from '@tconv/backend-cpu';
import { convTransposeImpl } from '@tconv/backend-cpu/internal';

// Issue #16 item 1, in a file of its own: before the fix this aborted the process (V8 heap out of
// memory after ~40 s), which would take every other test of its file down with it.

describe('#16 item 1: a huge stride on a tiny problem', () => {
  it('stride 1e8 on [2] ⊛ [1, 2, 3] returns [2, 4, 6] at once (the plan is bounded by the problem)', () => {
    const started = performance.now();
    const y = cpuBackend.convTranspose(tensor([2], [1, 1, 1]), tensor([1, 2, 3], [1, 1, 3]), { stride: 1e8 });
    expect(y.shape).toEqual([1, 1, 3]);
    expect(Array.from(y.data)).toEqual([2, 4, 6]);
    // the same through every kernel, with enough channels for the GEMM and the phases
    const x = tensor([1, 2, 3], [1, 3, 1]);
    const w = tensor(
      Array.from({ length: 9 }, (_, i) => i + 1),
      [3, 1, 3],
    );
    const expected = Array.from(referenceConvTranspose(x, w, { stride: 1e8 }).data);
    const g = resolveConvTranspose(x.shape, w.shape, { stride: 1e8 });
    for (const kernel of ['direct', 'gemm', 'phases'] as const) {
      const out = new Float32Array(3);
      convTransposeImpl(g, x.data, w.data, null, out, kernel);
      expect(Array.from(out)).toEqual(expected);
    }
    // 2D: ∏stride = 1e8 combinations of residues, one input position
    const y2 = cpuBackend.convTranspose(tensor([3], [1, 1, 1, 1]), tensor([1, 2, 3, 4], [1, 1, 2, 2]), {
      stride: [1e4, 1e4],
    });
    expect(Array.from(y2.data)).toEqual([3, 6, 9, 12]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('stride 1e7 with two input positions: an output of 1e7 + 2 costs O(output), not a plan per residue', () => {
    const y = cpuBackend.convTranspose(tensor([1, 1, 1, -1], [1, 2, 2]), tensor([1, 1, 1, 1], [2, 1, 2]), {
      stride: 1e7,
    });
    expect(y.shape).toEqual([1, 1, 1e7 + 2]);
    expect([y.data[0], y.data[1], y.data[2], y.data[1e7], y.data[1e7 + 1]]).toEqual([2, 2, 0, 0, 0]);
  });
});
