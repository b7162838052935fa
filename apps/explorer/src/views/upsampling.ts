/**
 * View 4: the upsampling family of the AIM article on the bundled picture or one dropped in:
 * max-pool it by the factor, then bring it back with nearest neighbour, bed of nails and bilinear
 * (transposed convolutions with fixed kernels) and with max-unpooling; and the checkerboard that
 * a kernel of ones leaves when its size is not a multiple of the stride.
 */
import type { Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';
import type { Update } from '../controls';
import { h, sizeText } from '../dom';
import type { ExplorerState } from '../state';
import {
  applyFixed,
  bundledImage,
  constantImage,
  fixedUpsamplings,
  maxPool,
  maxUnpool,
  onesUpsampling,
} from '../upsampling';
import { rgbCanvas } from './image';

const SIZE = 24;
let dropped: Tensor | null = null;

function loadImage(file: Blob, done: () => void): void {
  const url = URL.createObjectURL(file);
  const img = new Image();
  img.onload = () => {
    // The browser scales the picture to SIZE×SIZE; the page reads the pixels back.
    const canvas = document.createElement('canvas');
    canvas.width = SIZE;
    canvas.height = SIZE;
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.drawImage(img, 0, 0, SIZE, SIZE);
      const px = ctx.getImageData(0, 0, SIZE, SIZE).data;
      const data = new Float32Array(3 * SIZE * SIZE);
      for (let i = 0; i < SIZE * SIZE; i++)
        for (let c = 0; c < 3; c++) data[c * SIZE * SIZE + i] = px[4 * i + c]!;
      dropped = tensor(data, [1, 3, SIZE, SIZE]);
    }
    URL.revokeObjectURL(url);
    done();
  };
  img.src = url;
}

function picker(s: ExplorerState, update: Update): HTMLElement {
  const refresh = () => update({ ...s });
  const zone = h(
    'div',
    {
      className: 'drop',
      'data-testid': 'drop-zone',
      onDragover: (e) => e.preventDefault(),
      onDrop: (e) => {
        e.preventDefault();
        const file = (e as DragEvent).dataTransfer?.files[0];
        if (file) loadImage(file, refresh);
      },
    },
    h('label', { for: 'u-file' }, 'Drop a picture here or choose one: '),
    h('input', {
      id: 'u-file',
      type: 'file',
      accept: 'image/*',
      onChange: (e) => {
        const file = (e.target as HTMLInputElement).files?.[0];
        if (file) loadImage(file, refresh);
      },
    }),
    dropped
      ? h(
          'button',
          {
            type: 'button',
            onClick: () => {
              dropped = null;
              refresh();
            },
          },
          'back to the bundled picture',
        )
      : null,
  );
  return zone;
}

/** The factor, the checkerboard kernel and the picture picker. */
function upsamplingControls(s: ExplorerState, f: number, k: number, update: Update): HTMLElement {
  const set = (patch: Partial<ExplorerState['upsampling']>) =>
    update({ ...s, upsampling: { ...s.upsampling, ...patch } });
  return h(
    'div',
    { className: 'controls row' },
    h(
      'label',
      { className: 'field', for: 'u-factor' },
      h('span', {}, 'factor (stride)'),
      h(
        'select',
        { id: 'u-factor', onChange: (e) => set({ factor: Number((e.target as HTMLSelectElement).value) }) },
        [2, 3, 4].map((v) => h('option', { value: v, selected: v === f }, String(v))),
      ),
    ),
    h(
      'label',
      { className: 'field', for: 'u-kernel' },
      h('span', {}, 'checkerboard kernel'),
      h('input', {
        id: 'u-kernel',
        type: 'number',
        min: 1,
        max: 8,
        value: k,
        onChange: (e) => set({ kernel: Number((e.target as HTMLInputElement).value) }),
      }),
    ),
    picker(s, update),
  );
}

/** A kernel of ones k×k with stride f on a constant picture and on the pooled one. */
function checkerboard(pooled: Tensor, k: number, f: number): HTMLElement[] {
  const board = onesUpsampling(constantImage(1, 6, 6), k, f);
  const boardImage = onesUpsampling(pooled, k, f);
  const multiple = k % f === 0;
  return [
    h('h3', {}, 'The checkerboard'),
    h(
      'p',
      { 'data-testid': 'checkerboard-text' },
      multiple
        ? `A ${k}×${k} kernel of ones with stride ${f}: ${k} is a multiple of ${f}, so every output position is covered equally often — no pattern.`
        : `A ${k}×${k} kernel of ones with stride ${f}: ${k} is not a multiple of ${f}, so some positions receive more kernel copies than others — the checkerboard artefact (brighter cells = more overlaps).`,
    ),
    h(
      'div',
      { className: 'pictures' },
      rgbCanvas(board, `a constant 6×6 input → ${sizeText(board.shape.slice(2))} (normalised)`, {
        normalize: true,
        testId: 'checkerboard',
      }),
      rgbCanvas(boardImage, `the pooled picture → ${sizeText(boardImage.shape.slice(2))} (normalised)`, {
        normalize: true,
      }),
    ),
  ];
}

/** Renders the upsampling view. */
export function upsamplingView(s: ExplorerState, update: Update): HTMLElement {
  const f = [2, 3, 4].includes(s.upsampling.factor) ? s.upsampling.factor : 2;
  const k = Math.max(1, Math.min(8, s.upsampling.kernel));
  const original = dropped ?? bundledImage(SIZE);
  const { pooled, offsets } = maxPool(original, f);
  const results = fixedUpsamplings(f).map((u) => ({ name: u.name, out: applyFixed(pooled, u), u }));
  const unpooled = maxUnpool(pooled, offsets, f);
  return h(
    'section',
    { className: 'view', 'aria-labelledby': 'up-title', 'data-output-shape': unpooled.shape.join(',') },
    h('h2', { id: 'up-title' }, 'The upsampling family (AIM)'),
    upsamplingControls(s, f, k, update),
    h(
      'p',
      {},
      `The picture (${sizeText(original.shape.slice(2))}) is max-pooled by ${f} to ${sizeText(pooled.shape.slice(2))}, then each method brings it back to ${sizeText(unpooled.shape.slice(2))}. Every upsampled picture is one call of the CPU backend, each colour channel on its own (groups 3).`,
    ),
    h(
      'div',
      { className: 'pictures', 'data-testid': 'upsampling' },
      rgbCanvas(original, `${dropped ? 'your picture' : 'original'} ${sizeText(original.shape.slice(2))}`, {
        testId: 'up-original',
      }),
      rgbCanvas(pooled, `max-pooled ${sizeText(pooled.shape.slice(2))}`),
      results.map((r) =>
        h(
          'div',
          { className: 'method', 'data-method': r.name },
          rgbCanvas(
            r.out,
            `${r.name}: kernel ${r.u.size}×${r.u.size}, stride ${f}${r.u.options.padding ? `, padding ${r.u.options.padding}` : ''}${r.u.options.outputPadding ? `, output padding ${r.u.options.outputPadding}` : ''}`,
            { testId: `up-${r.name.replace(/ /g, '-')}` },
          ),
        ),
      ),
      h(
        'div',
        { className: 'method', 'data-method': 'max-unpooling' },
        rgbCanvas(unpooled, `max-unpooling: ${f * f} one-hot ${f}×${f} kernels, stride ${f}`, {
          testId: 'up-max-unpooling',
        }),
      ),
    ),
    checkerboard(pooled, k, f),
  );
}
