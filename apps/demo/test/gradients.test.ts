import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { tensor } from '@tconv/core';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { runExchange } from '../src/exchange';
import {
  bilinearKernel,
  bilinearUpsample,
  TRAINING,
  TRAINING_FILES,
  train,
  trainingImages,
} from '../src/training';

const { PNG } = pngjs;
const app = dirname(dirname(fileURLToPath(import.meta.url)));

describe('d2l 13.10.3: the exchange of forward and backward', () => {
  it('holds on cpu and sparse; a backend without gradient methods is skipped, not passed', async () => {
    const forwardOnly = { name: 'fwd', convTranspose: cpuBackend.convTranspose, conv: cpuBackend.conv };
    const [cpu, sparse, fwd] = await runExchange([
      { name: 'cpu', backend: cpuBackend },
      { name: 'sparse', backend: sparseBackend },
      { name: 'wrong', backend: forwardOnly },
    ]);
    for (const r of [cpu!, sparse!]) {
      expect(r.ok).toBe(true);
      expect(r.transposeBackward).toEqual([
        [27, 37],
        [57, 67],
      ]);
      expect(r.convBackward).toEqual(r.transposeForward);
    }
    expect(fwd).toMatchObject({ available: false });
    expect(fwd!.transposeBackward).toBeUndefined();
  });

  it('catches a backend whose backward is not the other forward', async () => {
    const broken = {
      ...cpuBackend,
      name: 'broken',
      convTransposeBackward: (...a: Parameters<typeof cpuBackend.convTransposeBackward>) => {
        const d = cpuBackend.convTransposeBackward(...a);
        return {
          ...d,
          input: tensor(
            d.input.data.map((v) => -v),
            d.input.shape,
          ),
        };
      },
    };
    const [r] = await runExchange([{ name: 'wrong', backend: broken }]);
    expect(r!.ok).toBe(false);
  });
});

describe('training a transposed convolution to upsample', () => {
  it("FCN's bilinear kernel and the definition of bilinear upsampling agree on the interior", () => {
    expect(bilinearKernel(4)[1]).toEqual([0.1875, 0.5625, 0.5625, 0.1875]);
    const x = trainingImages(2, 6, 3);
    const k = tensor(bilinearKernel(4).flat(), [1, 1, 4, 4]);
    const viaConv = cpuBackend.convTranspose(tensor(Float32Array.from(x.data), x.shape), k, TRAINING.options);
    const direct = bilinearUpsample(x);
    for (let n = 0; n < 2; n++)
      for (let i = 1; i < 11; i++)
        for (let j = 1; j < 11; j++) {
          const at = (n * 12 + i) * 12 + j;
          expect(viaConv.data[at]).toBeCloseTo(direct.data[at]!, 6);
        }
    // and they differ on the border (clamped edge vs zero padding), which the loss leaves out
    let border = 0;
    for (let at = 0; at < 2 * 144; at++) {
      const i = Math.floor(at / 12) % 12;
      const j = at % 12;
      if (i === 0 || j === 0 || i === 11 || j === 11)
        border = Math.max(border, Math.abs(viaConv.data[at]! - direct.data[at]!));
    }
    expect(border).toBeGreaterThan(1e-2);
  });

  it('plain gradient descent on cpuBackend gradients drives the loss down and the kernel to bilinear', () => {
    const r = train();
    const losses = r.losses.map((l) => l.loss);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
    expect(losses[losses.length - 1]!).toBeLessThan(losses[0]! * 1e-6);
    expect(r.maxKernelError).toBeLessThan(1e-3);
    // it started far from the answer
    const start = Math.max(...r.initialKernel.flat().map((v, i) => Math.abs(v - r.bilinear.flat()[i]!)));
    expect(start).toBeGreaterThan(0.2);
    expect(r.test.loss).toBeLessThan(1e-8);
    expect(r.ok).toBe(true);
  });
});

describe('the built CLI', () => {
  it('prints the exchange per backend and the training, and writes the training pictures', async () => {
    const cli = join(app, 'dist', 'cli.js');
    expect(existsSync(cli), 'the demo is built (npm test here runs tsup first)').toBe(true);
    const out = mkdtempSync(join(tmpdir(), 'tconv-demo-gradients-'));
    try {
      const run = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          [cli, '--out', out, '--filter', 'torch-grad', '--backend', 'cpu,sparse'],
          { cwd: app, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 26 },
          (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }),
        ),
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('d2l 13.10.3: "exchange the forward propagation function');
      expect(run.stdout).toMatch(/^ {2}cpu ✓$/m);
      expect(run.stdout).toMatch(/^ {2}sparse ✓$/m);
      expect(run.stdout).toMatch(/✓ max \|learned − bilinear\|/);
      expect(run.stdout).toContain("bilinear (FCN's initialisation)");
      for (const file of Object.values(TRAINING_FILES)) {
        const png = PNG.sync.read(readFileSync(join(out, file)));
        expect([png.width, png.height], file).toEqual([256, 256]);
      }
      // the learned kernel's picture: the bilinear kernel's grey levels (largest tap white)
      const learned = PNG.sync.read(readFileSync(join(out, TRAINING_FILES.learned)));
      const grey = (x: number, y: number) => learned.data[(y * 256 + x) * 4]!;
      expect(grey(64 + 10, 64 + 10)).toBe(255);
      expect(grey(10, 10)).toBe(Math.round((0.0625 / 0.5625) * 255));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
