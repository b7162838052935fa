/**
 * View 1: the scatter, step by step. Editable input and kernel, a player over the steps, one
 * canvas per output channel showing the full scatter with the crop (padding, drawn as the removed
 * border) and the extension (output padding, drawn as added rows and columns), the real output
 * and the cross-check of every backend.
 */
import { cpuBackend } from '@tconv/backend-cpu';
import type { Tensor } from '@tconv/core';
import type { Update } from '../controls';
import { formatNumber, h, sizeText } from '../dom';
import { backendTable, documentComparison } from './checks';
import type { Problem } from '../layer';
import { findPreset } from '../presets';
import type { Scatter } from '../scatter';
import { scatterAt } from '../scatter';
import type { ExplorerState } from '../state';
import { stateToQuery } from '../state';
import { numberGrid, tensorPlane } from './grid';
import { rgbCanvas } from './image';

/** An RGB picture upsampled channel by channel (AIM's presets): drawn as pictures as well as numbers. */
const isImage = (p: Problem) =>
  p.geometry.inChannels === 3 && p.geometry.outChannels === 3 && p.geometry.groups === 3;
let timer: ReturnType<typeof setInterval> | null = null;

/** Stops the player (when the view changes). */
export function stopPlayer(): void {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

function editors(s: ExplorerState, p: Problem, update: Update): HTMLElement {
  const [cin, coutG, kh, kw] = p.weightShape as [number, number, number, number];
  const [, , ih, iw] = p.inputShape as [number, number, number, number];
  const setX = (i: number, v: number) => {
    const x = Array.from(p.input.data);
    x[i] = v;
    update({ ...s, x, preset: null });
  };
  const setW = (i: number, v: number) => {
    const w = Array.from(p.weight.data);
    w[i] = v;
    update({ ...s, w, preset: null });
  };
  const inputs = Array.from({ length: cin }, (_, c) =>
    numberGrid(
      p.input.data,
      ih,
      iw,
      {
        caption: cin > 1 ? `input channel ${c}` : 'input',
        onEdit: setX,
        idPrefix: `x${c}`,
        testId: `input-grid-${c}`,
      },
      c * ih * iw,
    ),
  );
  const kernels = [];
  for (let c = 0; c < cin; c++) {
    for (let o = 0; o < coutG; o++) {
      kernels.push(
        numberGrid(
          p.weight.data,
          kh,
          kw,
          {
            caption: cin * coutG > 1 ? `kernel [${c}, ${o}]` : 'kernel',
            onEdit: setW,
            idPrefix: `w${c}-${o}`,
            testId: `kernel-grid-${c}-${o}`,
          },
          (c * coutG + o) * kh * kw,
        ),
      );
    }
  }
  return h(
    'div',
    { className: 'editors' },
    h(
      'div',
      { className: 'grids' },
      inputs,
      isImage(p) ? rgbCanvas(p.input, 'the input as an RGB image') : null,
    ),
    h('div', { className: 'grids' }, kernels),
  );
}

function player(s: ExplorerState, total: number, update: Update): HTMLElement {
  const shown = s.step === null ? total : Math.min(s.step, total);
  const go = (step: number) => update({ ...s, step: step >= total ? null : Math.max(0, step) });
  const playing = timer !== null;
  const toggle = () => {
    if (timer !== null) {
      stopPlayer();
      update({ ...s, step: shown });
      return;
    }
    let step = shown >= total ? 0 : shown;
    let current: ExplorerState = { ...s, step };
    timer = setInterval(() => {
      // Any other change (an edit, another view) since the last tick stops the player.
      if (window.location.search !== `?${stateToQuery(current)}`) {
        stopPlayer();
        return;
      }
      step += 1;
      if (step >= total) stopPlayer();
      current = { ...current, step: step >= total ? null : step };
      update(current);
    }, 700);
    update(current);
  };
  return h(
    'div',
    { className: 'player', role: 'group', 'aria-label': 'scatter steps' },
    h(
      'button',
      { type: 'button', id: 'p-reset', onClick: () => go(0), 'data-testid': 'step-reset' },
      'reset',
    ),
    h(
      'button',
      { type: 'button', id: 'p-back', onClick: () => go(shown - 1), disabled: shown === 0 },
      '◀ back',
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'p-play',
        onClick: toggle,
        'data-testid': 'play',
        'aria-pressed': String(playing),
      },
      playing ? '❚❚ pause' : '▶ play',
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'p-next',
        onClick: () => go(shown + 1),
        disabled: shown >= total,
        'data-testid': 'step-next',
      },
      'step ▶',
    ),
    h('button', { type: 'button', id: 'p-all', onClick: () => go(total) }, 'all ▶▶'),
    h(
      'label',
      { className: 'range' },
      h('span', { className: 'sr-only' }, 'steps landed'),
      h('input', {
        type: 'range',
        id: 'p-range',
        min: 0,
        max: total,
        value: shown,
        'aria-valuetext': `${shown} of ${total} steps`,
        onInput: (e) => go(Number((e.target as HTMLInputElement).value)),
      }),
    ),
    h('output', { 'data-testid': 'step-count' }, `${shown} / ${total}`),
  );
}

function canvasFor(p: Problem, sc: Scatter, channel: number): HTMLElement {
  const g = p.geometry;
  const [fh, fw] = sc.fullSize;
  const landed: Tensor = sc.landed;
  const current = sc.current;
  // Canvas rows/cols in the full scatter's coordinates: the union of the full result and the output window.
  const r0 = Math.min(0, g.padBegin[0]!);
  const c0 = Math.min(0, g.padBegin[1]!);
  const r1 = Math.max(fh, g.padBegin[0]! + g.outputSize[0]!);
  const c1 = Math.max(fw, g.padBegin[1]! + g.outputSize[1]!);
  const plane = fh * fw;
  const body = h('tbody');
  for (let r = r0; r < r1; r++) {
    const tr = h('tr');
    for (let c = c0; c < c1; c++) {
      const inFull = r >= 0 && r < fh && c >= 0 && c < fw;
      const inWindow =
        r >= g.padBegin[0]! &&
        r < g.padBegin[0]! + g.outputSize[0]! &&
        c >= g.padBegin[1]! &&
        c < g.padBegin[1]! + g.outputSize[1]!;
      const at = channel * plane + r * fw + c;
      const classes = ['cell'];
      let title = '';
      if (inFull && !inWindow) {
        classes.push('cropped');
        title = 'removed by padding';
      }
      if (!inFull && inWindow) {
        classes.push('extended');
        title = 'added by output padding (zero)';
      }
      if (!inFull && !inWindow) classes.push('outside');
      if (inFull && current && current.footprint.data[at]! !== 0) classes.push('footprint');
      tr.append(
        h(
          'td',
          { className: classes.join(' '), title: title || undefined },
          inFull ? formatNumber(landed.data[at]!) : inWindow ? '0' : '',
        ),
      );
    }
    body.append(tr);
  }
  return h(
    'table',
    { className: `grid canvas${c1 - c0 > 10 ? ' compact' : ''}`, 'data-testid': `canvas-${channel}` },
    h('caption', {}, p.geometry.outChannels > 1 ? `output channel ${channel}` : 'scatter'),
    body,
  );
}

function stepText(p: Problem, sc: Scatter, shown: number): string {
  if (shown === 0)
    return `Nothing has landed yet. ${sc.total} input elements will each scatter a copy of the kernel.`;
  const st = sc.current!;
  const ch = p.geometry.inChannels > 1 ? `channel ${st.channel}, ` : '';
  return `Step ${shown}: input[${ch}row ${st.row}, column ${st.col}] = ${formatNumber(st.value)} times the kernel lands on the outlined cells (its stride offset${p.geometry.dilation.some((d) => d > 1) ? ', taps spread by the dilation' : ''}); overlaps add up.`;
}

/** The output's planes; many large planes fold away (the RGB picture shows them). */
function outputGrids(out: Tensor, channels: number): HTMLElement | HTMLElement[] {
  const grids = Array.from({ length: channels }, (_, c) =>
    tensorPlane(out, c, { caption: channels > 1 ? `channel ${c}` : 'output', testId: `output-grid-${c}` }),
  );
  const large = channels > 1 && out.data.length / channels > 100;
  return large
    ? h(
        'details',
        { className: 'numbers' },
        h('summary', {}, `the numbers of all ${channels} channels`),
        h('div', { className: 'grids' }, grids),
      )
    : grids;
}

/** Renders the scatter view. */
export function scatterView(s: ExplorerState, p: Problem, update: Update): HTMLElement {
  const total = p.input.data.length;
  const shown = s.step === null ? total : Math.min(s.step, total);
  const sc = scatterAt(p, shown);
  const out = cpuBackend.convTranspose(p.input, p.weight, p.options);
  const g = p.geometry;
  const preset = findPreset(s.preset);
  const checks = backendTable(p);
  return h(
    'section',
    { className: 'view', 'aria-labelledby': 'scatter-title' },
    h('h2', { id: 'scatter-title' }, 'The scatter, step by step'),
    preset
      ? h(
          'p',
          { className: 'source' },
          h('strong', {}, preset.label),
          ' — ',
          preset.note,
          h('br'),
          h('small', {}, preset.source),
        )
      : null,
    editors(s, p, update),
    player(s, total, update),
    h(
      'p',
      { className: 'step-text', 'data-testid': 'step-text', 'aria-live': 'polite' },
      stepText(p, sc, shown),
    ),
    h(
      'p',
      { className: 'legend' },
      h('span', { className: 'swatch footprint' }),
      ' this step  ',
      h('span', { className: 'swatch cropped' }),
      ` removed by padding (crop ${g.padBegin.join('×')} at the start, ${g.padEnd.join('×')} at the end${
        [...g.padBegin, ...g.padEnd].some((v) => v < 0) ? '; a negative crop adds zeros' : ''
      })  `,
      h('span', { className: 'swatch extended' }),
      ' added by output padding / extension',
    ),
    h(
      'div',
      { className: 'grids canvases' },
      Array.from({ length: g.outChannels }, (_, c) => canvasFor(p, sc, c)),
      sc.current && g.outChannels === 1
        ? tensorPlane(sc.current.alone, 0, {
            caption: 'this step alone (intermediate tensor)',
            testId: 'step-alone',
          })
        : null,
      isImage(p) ? rgbCanvas(sc.landed, 'landed so far, as RGB (uncropped)') : null,
    ),
    h('h3', {}, `Output ${sizeText(g.outputSize)} (cpu backend, the real options)`),
    h(
      'div',
      { className: 'grids' },
      isImage(p) ? rgbCanvas(out, 'the output as an RGB image') : null,
      outputGrids(out, g.outChannels),
      preset?.documentOutput && s.x && s.w ? documentComparison(preset.documentOutput, out) : null,
    ),
    h('h3', {}, 'Every backend on the same problem'),
    checks,
  );
}
