/**
 * The layer's controls (shared by the scatter, conventions and matrix views): sizes, channels,
 * stride, dilation, groups, the convention and its padding words. Each control writes one field of
 * the state; the text fields take the URL's syntax (`4` or `4x3`).
 */
import { h } from './dom';
import { PRESETS } from './presets';
import type { Pair } from './query';
import { formatPair, parsePair, parseQuad } from './query';
import type { AutoPad, Convention, ExplorerState, Layer } from './state';
import { AUTO_PADS, CONVENTIONS, withConvention } from './state';

/** Applies a change to the state. */
export type Update = (next: ExplorerState) => void;

function pairField(
  label: string,
  id: string,
  value: Pair | null,
  set: (p: Pair | null) => void,
  optional = false,
) {
  return h(
    'label',
    { className: 'field', for: id },
    h('span', {}, label),
    h('input', {
      id,
      type: 'text',
      inputmode: 'numeric',
      value: value ? formatPair(value) : '',
      placeholder: optional ? 'not set' : '',
      'aria-describedby': 'pair-hint',
      onChange: (e) => {
        const text = (e.target as HTMLInputElement).value.trim();
        if (optional && text === '') set(null);
        else {
          const p = parsePair(text);
          if (p) set(p);
          else (e.target as HTMLInputElement).setAttribute('aria-invalid', 'true');
        }
      },
    }),
  );
}

function intField(label: string, id: string, value: number, set: (n: number) => void) {
  return h(
    'label',
    { className: 'field', for: id },
    h('span', {}, label),
    h('input', {
      id,
      type: 'number',
      step: 1,
      value,
      onChange: (e) => {
        const n = Number((e.target as HTMLInputElement).value);
        if (Number.isSafeInteger(n)) set(n);
      },
    }),
  );
}

function select<T extends string>(
  label: string,
  id: string,
  options: readonly T[],
  value: T,
  set: (v: T) => void,
) {
  return h(
    'label',
    { className: 'field', for: id },
    h('span', {}, label),
    h(
      'select',
      { id, onChange: (e) => set((e.target as HTMLSelectElement).value as T) },
      options.map((o) => h('option', { value: o, selected: o === value }, o)),
    ),
  );
}

function layerFields(s: ExplorerState, update: Update) {
  const l = s.layer;
  const set = (layer: Layer) => update({ ...s, layer, step: null });
  if (l.convention === 'pytorch') {
    return [
      pairField('padding', 'c-padding', l.padding, (p) => p && set({ ...l, padding: p })),
      pairField(
        'output_padding',
        'c-outputPadding',
        l.outputPadding,
        (p) => p && set({ ...l, outputPadding: p }),
      ),
      pairField('output_size', 'c-outputSize', l.outputSize, (p) => set({ ...l, outputSize: p }), true),
    ];
  }
  if (l.convention === 'keras') {
    return [
      select('padding', 'c-padding', ['valid', 'same'] as const, l.padding, (v) => set({ ...l, padding: v })),
      pairField(
        'output_padding',
        'c-outputPadding',
        l.outputPadding,
        (p) => set({ ...l, outputPadding: p }),
        true,
      ),
    ];
  }
  return [
    select<AutoPad>('auto_pad', 'c-autoPad', AUTO_PADS, l.autoPad, (v) => set({ ...l, autoPad: v })),
    h(
      'label',
      { className: 'field', for: 'c-pads' },
      h('span', {}, 'pads'),
      h('input', {
        id: 'c-pads',
        type: 'text',
        value: l.pads.join(','),
        disabled: l.autoPad !== 'NOTSET',
        onChange: (e) => {
          const pads = parseQuad((e.target as HTMLInputElement).value);
          if (pads) set({ ...l, pads });
          else (e.target as HTMLInputElement).setAttribute('aria-invalid', 'true');
        },
      }),
    ),
    pairField(
      'output_padding',
      'c-outputPadding',
      l.outputPadding,
      (p) => p && set({ ...l, outputPadding: p }),
    ),
    pairField('output_shape', 'c-outputShape', l.outputShape, (p) => set({ ...l, outputShape: p }), true),
  ];
}

/** The preset menu. */
export function presetMenu(s: ExplorerState, update: Update): HTMLElement {
  return h(
    'label',
    { className: 'field preset', for: 'c-preset' },
    h('span', {}, 'worked example'),
    h(
      'select',
      {
        id: 'c-preset',
        'data-testid': 'preset',
        onChange: (e) => {
          const preset = PRESETS.find((p) => p.id === (e.target as HTMLSelectElement).value);
          if (preset) update({ ...preset.state, view: s.view === 'upsampling' ? preset.state.view : s.view });
        },
      },
      h('option', { value: '', selected: !PRESETS.some((p) => p.id === s.preset) }, 'custom'),
      PRESETS.map((p) => h('option', { value: p.id, selected: p.id === s.preset }, p.label)),
    ),
  );
}

/** The layer's controls. */
export function layerControls(s: ExplorerState, update: Update): HTMLElement {
  const change = (patch: Partial<ExplorerState>) => update({ ...s, ...patch, preset: null, step: null });
  return h(
    'fieldset',
    { className: 'controls' },
    h('legend', {}, 'Layer'),
    pairField('input', 'c-input', s.input, (p) => p && change({ input: p, x: null })),
    pairField('kernel', 'c-kernel', s.kernel, (p) => p && change({ kernel: p, w: null })),
    intField('in channels', 'c-inChannels', s.inChannels, (n) => change({ inChannels: n, x: null, w: null })),
    intField('out channels', 'c-outChannels', s.outChannels, (n) => change({ outChannels: n, w: null })),
    intField('groups', 'c-groups', s.groups, (n) => change({ groups: n, w: null })),
    pairField('stride', 'c-stride', s.stride, (p) => p && change({ stride: p })),
    pairField('dilation', 'c-dilation', s.dilation, (p) => p && change({ dilation: p })),
    select<Convention>('convention', 'c-convention', CONVENTIONS, s.layer.convention, (c) =>
      update({ ...withConvention(s, c), preset: null, step: null }),
    ),
    layerFields(s, (next) => update({ ...next, preset: null })),
    h(
      'p',
      { id: 'pair-hint', className: 'hint' },
      'Sizes: one number for both axes, or height×width as 4x3.',
    ),
  );
}
