import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AIM_IMAGE, workedExample } from '@tconv/conformance/examples';
import type { Backend, Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';
import pngjs from 'pngjs';
import type { DemoBackend } from './backends';
import { matrixTensor, tensorMatrix } from './examples';

const { PNG } = pngjs;

/**
 * The 4×4 RGB image the AIM pictures upsample: the kit's (`AIM_IMAGE`, shared with the explorer;
 * not the article's, whose pixels the article does not list).
 */
export { AIM_IMAGE };

/** Screen pixels per output pixel in the AIM pictures (16×16 outputs become 256×256 PNGs). */
export const AIM_SCALE = 16;

/** Screen pixels per element in the 4×4 pictures (the input and the d2l outputs become 256×256). */
export const SMALL_SCALE = 64;

/** A picture the demo writes. */
export interface Picture {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly description: string;
}

/** The AIM image as a `[1, 3, 4, 4]` channels-first tensor, values 0–255. */
export function aimTensor(): Tensor {
  const h = AIM_IMAGE.length;
  const w = AIM_IMAGE[0]!.length;
  const data = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) data[(c * h + i) * w + j] = AIM_IMAGE[i]![j]![c]!;
    }
  }
  return tensor(data, [1, 3, h, w]);
}

/**
 * The AIM upsampling: each channel on its own (groups 3) with a kernel of ones, so every input
 * pixel paints a k×k block of its own colour; where the stride is larger than the kernel, the gaps
 * stay black.
 */
export async function aimUpsample(
  backend: Backend,
  kernel: number,
  stride: number,
  outputPadding: number,
): Promise<Tensor> {
  const weight = tensor(new Float32Array(3 * kernel * kernel).fill(1), [3, 1, kernel, kernel]);
  return backend.convTranspose(aimTensor(), weight, { stride, outputPadding, groups: 3 });
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/**
 * Encodes a `[1, C, h, w]` tensor (C = 3: RGB 0–255; C = 1: grey 0–255) as a PNG, each element
 * a `scale`×`scale` square.
 */
export function encodePng(t: Tensor, scale: number): { buffer: Buffer; width: number; height: number } {
  const channels = t.shape[1]!;
  const h = t.shape[2]!;
  const w = t.shape[3]!;
  const width = w * scale;
  const height = h * scale;
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    const i = Math.floor(y / scale);
    for (let x = 0; x < width; x++) {
      const j = Math.floor(x / scale);
      const at = (y * width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const source = channels === 1 ? 0 : c;
        png.data[at + c] = clampByte(t.data[(source * h + i) * w + j]!);
      }
      png.data[at + 3] = 255;
    }
  }
  return { buffer: PNG.sync.write(png), width, height };
}

/**
 * A single-channel result as grey levels: 0 is black and the largest value white (negative
 * values clamp to black), so each backend's picture is on its own scale.
 */
export function normalisedGrey(m: readonly (readonly number[])[]): Tensor {
  const flat = m.flat();
  const max = Math.max(0, ...flat);
  return tensor(
    flat.map((v) => (max > 0 ? (Math.max(0, v) / max) * 255 : 0)),
    [1, 1, m.length, m[0]?.length ?? 0],
  );
}

/** File name of a backend's d2l stride-2 picture. */
export const d2lPictureName = (backend: string): string => `d2l-stride2-${backend}.png`;

/** File names of the AIM pictures. */
export const AIM_FILES = {
  input: 'aim-input.png',
  k3s4op1: 'aim-k3-s4-op1.png',
  k4s4: 'aim-k4-s4.png',
} as const;

/**
 * Writes every picture into `dir` (created if needed): the AIM input and its two upsamplings
 * (computed by the first backend), the document's d2l stride-2 result, and each backend's.
 * @returns what was written, and any backend that failed to produce its picture
 */
export async function writePictures(
  dir: string,
  backends: readonly DemoBackend[],
): Promise<{ pictures: Picture[]; errors: string[] }> {
  mkdirSync(dir, { recursive: true });
  const pictures: Picture[] = [];
  const errors: string[] = [];
  const save = (file: string, t: Tensor, scale: number, description: string): void => {
    const { buffer, width, height } = encodePng(t, scale);
    writeFileSync(join(dir, file), buffer);
    pictures.push({ file, width, height, description });
  };
  const first = backends[0];
  save(AIM_FILES.input, aimTensor(), SMALL_SCALE, 'the AIM-style 4×4 RGB input, each pixel 64×64');
  if (first) {
    try {
      save(
        AIM_FILES.k3s4op1,
        await aimUpsample(first.backend, 3, 4, 1),
        AIM_SCALE,
        `k3 s4 output padding 1 → 16×16 with black stripes (${first.name}), each pixel 16×16`,
      );
      save(
        AIM_FILES.k4s4,
        await aimUpsample(first.backend, 4, 4, 0),
        AIM_SCALE,
        `k4 s4 → 16×16 filled (${first.name}), each pixel 16×16`,
      );
    } catch (error) {
      errors.push(`${first.name}: AIM pictures: ${(error as Error).message}`);
    }
  }
  const d2l = workedExample('d2l/stride-2');
  save(
    d2lPictureName('document'),
    normalisedGrey(d2l.expected),
    SMALL_SCALE,
    'd2l 13.10.2 stride 2 as the document prints it, grey = value / 9',
  );
  for (const { name, backend } of backends) {
    try {
      const y = await backend.convTranspose(matrixTensor(d2l.input), matrixTensor(d2l.kernel), d2l.options);
      save(
        d2lPictureName(name),
        normalisedGrey(tensorMatrix(y)),
        SMALL_SCALE,
        `d2l 13.10.2 stride 2 computed by ${name}, grey = value / its largest value`,
      );
    } catch (error) {
      errors.push(`${name}: d2l picture: ${(error as Error).message}`);
    }
  }
  return { pictures, errors };
}
