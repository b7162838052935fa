/**
 * Training something small and real with tconv's gradients: a one-channel transposed convolution
 * (kernel 4, stride 2, padding 1 — FCN's 2× upsampling layer) learns 2× bilinear upsampling from a
 * handful of procedurally generated images by plain gradient descent on `cpuBackend`'s gradients.
 * The target is bilinear interpolation computed by its own definition (half-pixel centres, edges
 * clamped), not by a convolution; on the interior of the output it is exactly the transposed
 * convolution with FCN's bilinear kernel (d2l 14.11's `bilinear_kernel`), so the learned kernel
 * converges to that kernel. The border row and column, where clamping and zero padding differ,
 * are left out of the loss.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuBackend } from '@tconv/backend-cpu';
import type { ConvTransposeOptions, Tensor } from '@tconv/core';
import { seeded, tensor } from '@tconv/core';
import type { Picture } from './pictures';
import { encodePng, normalisedGrey } from './pictures';
import type { Paint } from './table';
import { formatNumber, matrixBlock, sideBySide } from './table';

/** The layer and the run: FCN's 2× upsampling layer, eight 16×16 images, plain gradient descent. */
export const TRAINING = {
  kernel: 4,
  options: { stride: 2, padding: 1 } satisfies ConvTransposeOptions,
  images: 8,
  size: 16,
  steps: 300,
  learningRate: 2,
  seed: 1310,
} as const;

/** FCN's bilinear initialisation (d2l 14.11 `bilinear_kernel`) for a k×k kernel: 1 − |i − c|/f per axis. */
export function bilinearKernel(k: number): number[][] {
  const factor = Math.floor((k + 1) / 2);
  const center = k % 2 === 1 ? factor - 1 : factor - 0.5;
  const f = Array.from({ length: k }, (_, i) => 1 - Math.abs(i - center) / factor);
  return f.map((a) => f.map((b) => a * b));
}

/** 2× bilinear upsampling by its definition: output o samples the input at (o + ½)/2 − ½, edges clamped. */
export function bilinearUpsample(x: Tensor): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const out = new Float64Array(n * c * 4 * h * w);
  const sample = (size: number, o: number): [number, number, number] => {
    const p = (o + 0.5) / 2 - 0.5;
    const i0 = Math.floor(p);
    const t = p - i0;
    return [Math.max(0, i0), Math.min(size - 1, i0 + 1), t];
  };
  for (let plane = 0; plane < n * c; plane++) {
    for (let oy = 0; oy < 2 * h; oy++) {
      const [y0, y1, ty] = sample(h, oy);
      for (let ox = 0; ox < 2 * w; ox++) {
        const [x0, x1, tx] = sample(w, ox);
        const at = (yy: number, xx: number) => x.data[(plane * h + yy) * w + xx]!;
        const top = at(y0, x0) * (1 - tx) + at(y0, x1) * tx;
        const bottom = at(y1, x0) * (1 - tx) + at(y1, x1) * tx;
        out[(plane * 2 * h + oy) * 2 * w + ox] = top * (1 - ty) + bottom * ty;
      }
    }
  }
  return tensor(out, [n, c, 2 * h, 2 * w]);
}

/**
 * `count` procedurally generated `size`×`size` images in [0, 1], `[count, 1, size, size]` (float64):
 * Gaussian blobs, stripes, a ring, a checkerboard and seeded noise, so every direction of the kernel
 * is exercised (smooth images alone leave the problem badly conditioned).
 */
export function trainingImages(count: number, size: number, seed: number): Tensor {
  const data = new Float64Array(count * size * size);
  const r = seeded(count * 8, seed, 'float64');
  const noise = seeded(count * size * size, seed + 1, 'float64');
  for (let img = 0; img < count; img++) {
    const p = (j: number) => (r[img * 8 + j]! + 1) / 2; // eight parameters in [0, 1)
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const u = i / size;
        const v = j / size;
        let value: number;
        switch (img % 4) {
          case 0: // two Gaussian blobs
            value =
              Math.exp(-((u - p(0)) ** 2 + (v - p(1)) ** 2) / (0.02 + 0.05 * p(2))) +
              0.7 * Math.exp(-((u - p(3)) ** 2 + (v - p(4)) ** 2) / 0.03);
            break;
          case 1: // oblique stripes
            value =
              0.5 +
              0.5 *
                Math.sin(2 * Math.PI * (2 + 3 * p(0)) * (u * Math.cos(5 * p(1)) + v * Math.sin(5 * p(1))));
            break;
          case 2: // a ring and a checkerboard
            value =
              0.5 * (Math.abs(Math.hypot(u - 0.5, v - 0.5) - 0.25 - 0.1 * p(0)) < 0.06 ? 1 : 0) +
              0.5 * ((Math.floor(i / 3) + Math.floor(j / 3)) % 2);
            break;
          default: // seeded noise
            value = (noise[(img * size + i) * size + j]! + 1) / 2;
        }
        data[(img * size + i) * size + j] = Math.min(1, Math.max(0, value));
      }
    }
  }
  return tensor(data, [count, 1, size, size]);
}

/** One logged point of the run. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

/** What the run learned. */
export interface TrainingResult {
  readonly losses: readonly LossPoint[];
  readonly initialKernel: number[][];
  readonly learnedKernel: number[][];
  readonly bilinear: number[][];
  /** max |learned − bilinear| over the 16 taps. */
  readonly maxKernelError: number;
  /** A held-out test image, its bilinear upsampling and the learned layer's output. */
  readonly test: {
    readonly input: Tensor;
    readonly target: Tensor;
    readonly output: Tensor;
    readonly loss: number;
  };
  readonly ok: boolean;
}

/** Mean squared error over the interior (border row and column left out) and its gradient ∂L/∂y. */
function interiorLoss(y: Tensor, target: Tensor): { loss: number; grad: Tensor } {
  const [n, , H, W] = y.shape as [number, number, number, number];
  const grad = new Float64Array(y.data.length);
  const count = n * (H - 2) * (W - 2);
  let loss = 0;
  for (let img = 0; img < n; img++) {
    for (let i = 1; i < H - 1; i++) {
      for (let j = 1; j < W - 1; j++) {
        const at = (img * H + i) * W + j;
        const d = y.data[at]! - target.data[at]!;
        loss += d * d;
        grad[at] = (2 * d) / count;
      }
    }
  }
  return { loss: loss / count, grad: tensor(grad, y.shape) };
}

const LOGGED = new Set([0, 1, 2, 5, 10, 20, 50, 100, 150, 200, 250]);

/** Trains the layer by plain gradient descent on `cpuBackend.convTransposeBackward`'s weight gradient. */
export function train(): TrainingResult {
  const { kernel: k, options, images, size, steps, learningRate, seed } = TRAINING;
  const x = trainingImages(images, size, seed);
  const target = bilinearUpsample(x);
  // a seeded start in [0, 0.5): nowhere near the answer
  let w = tensor(
    Float64Array.from(seeded(k * k, seed + 2, 'float64'), (v) => (v + 1) / 4),
    [1, 1, k, k],
  );
  const initialKernel = toMatrix(w, k);
  const losses: LossPoint[] = [];
  for (let step = 0; step <= steps; step++) {
    const y = cpuBackend.convTranspose(x, w, options);
    const { loss, grad } = interiorLoss(y, target);
    if (LOGGED.has(step) || step === steps) losses.push({ step, loss });
    if (step === steps) break;
    const dw = cpuBackend.convTransposeBackward(grad, x, w, options).weight.data;
    w = tensor(
      Float64Array.from(w.data, (v, i) => v - learningRate * dw[i]!),
      w.shape,
    );
  }
  const learnedKernel = toMatrix(w, k);
  const bilinear = bilinearKernel(k);
  const maxKernelError = Math.max(...learnedKernel.flat().map((v, i) => Math.abs(v - bilinear.flat()[i]!)));
  const input = testImage(size);
  const testTarget = bilinearUpsample(input);
  const output = cpuBackend.convTranspose(input, w, options);
  const testLoss = interiorLoss(output, testTarget).loss;
  const first = losses[0]!.loss;
  const last = losses[losses.length - 1]!.loss;
  return {
    losses,
    initialKernel,
    learnedKernel,
    bilinear,
    maxKernelError,
    test: { input, target: testTarget, output, loss: testLoss },
    ok: last < first * 1e-4 && maxKernelError < 1e-3 && testLoss < first * 1e-3,
  };
}

function toMatrix(w: Tensor, k: number): number[][] {
  return Array.from({ length: k }, (_, i) => Array.from(w.data.subarray(i * k, (i + 1) * k)));
}

/** A held-out image none of the training images is: a disc with a soft edge over a ramp. */
function testImage(size: number): Tensor {
  const data = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const r = Math.hypot(i - size * 0.4, j - size * 0.6) / size;
      data[i * size + j] = 0.6 / (1 + Math.exp((r - 0.3) * 30)) + (0.4 * j) / size;
    }
  }
  return tensor(data, [1, 1, size, size]);
}

const round4 = (m: number[][]) => m.map((r) => r.map((v) => Math.round(v * 10000) / 10000));

/** The run as text: the falling loss, then the learned kernel next to the bilinear one. */
export function trainingLines(r: TrainingResult, paint: Paint): string[] {
  const { steps, learningRate, images, size } = TRAINING;
  const first = r.losses[0]!.loss;
  const out = [
    paint.bold('A transposed convolution learns 2× upsampling (kernel 4, stride 2, padding 1, one channel)'),
    `  ${images} procedurally generated ${size}×${size} images → their bilinear 2× upsampling (${2 * size}×${2 * size}),`,
    `  mean squared error over the interior, ${steps} steps of plain gradient descent (rate ${learningRate}) on cpuBackend's gradients`,
    '',
    '  step  loss',
  ];
  for (const { step, loss } of r.losses) {
    const bar = '#'.repeat(Math.max(0, Math.round(40 + 4 * Math.log10(loss / first))));
    out.push(`  ${String(step).padStart(4)}  ${loss.toExponential(3).padEnd(10)} ${paint.dim(bar)}`);
  }
  out.push('');
  const blocks = [
    matrixBlock('initial (seeded)', round4(r.initialKernel)),
    matrixBlock('learned', round4(r.learnedKernel)),
    matrixBlock("bilinear (FCN's initialisation)", r.bilinear),
  ];
  out.push(...sideBySide(blocks).map((l) => `  ${l}`), '');
  const verdict = r.ok ? paint.green('✓') : paint.red('✗');
  out.push(
    `  ${verdict} max |learned − bilinear| = ${formatNumber(Number(r.maxKernelError.toExponential(2)))}; held-out image: loss ${r.test.loss.toExponential(2)} (initial training loss ${first.toExponential(2)})`,
    '',
  );
  return out;
}

/** File names of the training pictures. */
export const TRAINING_FILES = {
  learned: 'training-kernel-learned.png',
  bilinear: 'training-kernel-bilinear.png',
  input: 'training-test-input.png',
  output: 'training-test-output.png',
} as const;

/** Writes the learned and bilinear kernels (4×4 grey) and the held-out image with its learned 2× output. */
export function writeTrainingPictures(dir: string, r: TrainingResult): Picture[] {
  mkdirSync(dir, { recursive: true });
  const pictures: Picture[] = [];
  const save = (file: string, t: Tensor, scale: number, description: string): void => {
    const { buffer, width, height } = encodePng(t, scale);
    writeFileSync(join(dir, file), buffer);
    pictures.push({ file, width, height, description });
  };
  const grey = (t: Tensor) =>
    tensor(
      Float64Array.from(t.data, (v) => v * 255),
      t.shape,
    );
  save(
    TRAINING_FILES.learned,
    normalisedGrey(r.learnedKernel),
    64,
    'the learned 4×4 kernel, grey = value / its largest',
  );
  save(
    TRAINING_FILES.bilinear,
    normalisedGrey(r.bilinear),
    64,
    'the bilinear 4×4 kernel it converges to, same scale',
  );
  save(
    TRAINING_FILES.input,
    grey(r.test.input),
    16,
    `a held-out ${TRAINING.size}×${TRAINING.size} image, each pixel 16×16`,
  );
  save(TRAINING_FILES.output, grey(r.test.output), 8, `the learned layer's 2× output of it, each pixel 8×8`);
  return pictures;
}
