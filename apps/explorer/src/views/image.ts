/** Tensors drawn as pictures on a canvas (pixelated). */
import type { Tensor } from '@tconv/core';
import { h } from '../dom';

/**
 * A `[1, 3, H, W]` (RGB) or `[1, 1, H, W]` (grey) tensor as a canvas, values clamped to 0–255;
 * `normalize` maps the largest value to 255 first (for sums of overlapping kernels).
 */
export function rgbCanvas(
  t: Tensor,
  label: string,
  options: { normalize?: boolean; testId?: string } = {},
): HTMLElement {
  const [, c, height, width] = t.shape as [number, number, number, number];
  const canvas = h('canvas', {
    width,
    height,
    role: 'img',
    'aria-label': label,
    'data-testid': options.testId,
  });
  let scale = 1;
  if (options.normalize) {
    let max = 0;
    for (const v of t.data) max = Math.max(max, v);
    scale = max > 0 ? 255 / max : 1;
  }
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(width, height);
    const plane = width * height;
    for (let i = 0; i < plane; i++) {
      for (let k = 0; k < 3; k++) {
        const v = t.data[(c === 3 ? k : 0) * plane + i]! * scale;
        img.data[4 * i + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  return h('figure', { className: 'picture' }, canvas, h('figcaption', {}, label));
}
