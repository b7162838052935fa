/**
 * The page's whole state and its URL query form. Pure functions: `parseState(query)` reads every
 * control from the query (unknown or malformed values fall back to the default and are reported,
 * never thrown), `stateToQuery(state)` writes it back, and the two round-trip. Whether a
 * combination of valid numbers is a valid layer is not decided here: that is core's job, and the
 * page shows core's error.
 */
import { formatPair, parseInt32, parseNumbers, parseQuad, queryReader } from './query';

import type { Pair } from './query';

/** The tab shown. */
export type View = 'scatter' | 'conventions' | 'matrix' | 'upsampling';
/** Every view, in the order of the tabs. */
export const VIEWS: readonly View[] = ['scatter', 'conventions', 'matrix', 'upsampling'];

/** The framework whose words the layer is written in. */
export type Convention = 'pytorch' | 'keras' | 'onnx';
/** Every convention, in the order of the menu. */
export const CONVENTIONS: readonly Convention[] = ['pytorch', 'keras', 'onnx'];

/** ONNX ConvTranspose `auto_pad`. */
export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
/** Every `auto_pad` value, in the order of the menu. */
export const AUTO_PADS: readonly AutoPad[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

/** The padding-related controls, in the words of one convention. */
export type Layer =
  | {
      readonly convention: 'pytorch';
      readonly padding: Pair;
      readonly outputPadding: Pair;
      /** `output_size` of the forward call; null when not given. */
      readonly outputSize: Pair | null;
    }
  | {
      readonly convention: 'keras';
      readonly padding: 'same' | 'valid';
      /** null: not given (Keras' default formula); a pair selects Keras' output_padding formula. */
      readonly outputPadding: Pair | null;
    }
  | {
      readonly convention: 'onnx';
      readonly autoPad: AutoPad;
      /** `pads`: begin h, begin w, end h, end w (used with auto_pad NOTSET). */
      readonly pads: readonly [number, number, number, number];
      readonly outputPadding: Pair;
      /** `output_shape` (spatial); null when not given. */
      readonly outputShape: Pair | null;
    };

/** The upsampling view's controls. */
export interface Upsampling {
  /** The upsampling factor (the transposed convolutions' stride). */
  readonly factor: number;
  /** Kernel size of the checkerboard demonstration (a learned-looking kernel of ones). */
  readonly kernel: number;
}

/** Everything the page shows, as the URL holds it. */
export interface ExplorerState {
  readonly view: View;
  /** Id of the preset the values came from (informational; values below win). */
  readonly preset: string | null;
  /** Spatial input size. */
  readonly input: Pair;
  /** Spatial kernel size. */
  readonly kernel: Pair;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly stride: Pair;
  readonly dilation: Pair;
  readonly layer: Layer;
  /** Input values, `[Cin, H, W]` row-major; null: the page's default values for the size. */
  readonly x: readonly number[] | null;
  /** Weight values, `[Cin, Cout/groups, kh, kw]` row-major; null: the default values. */
  readonly w: readonly number[] | null;
  /** Scatter steps shown (0 = none landed yet); null: all of them. */
  readonly step: number | null;
  readonly upsampling: Upsampling;
}

/** The default layer in each convention. */
export const DEFAULT_LAYERS: { readonly [C in Convention]: Extract<Layer, { convention: C }> } = {
  pytorch: { convention: 'pytorch', padding: [0, 0], outputPadding: [0, 0], outputSize: null },
  keras: { convention: 'keras', padding: 'valid', outputPadding: null },
  onnx: {
    convention: 'onnx',
    autoPad: 'NOTSET',
    pads: [0, 0, 0, 0],
    outputPadding: [0, 0],
    outputShape: null,
  },
};

/** What the page opens with: d2l 13.10.1's shape (2×2 input, 2×2 kernel, stride 1), default values. */
export const DEFAULT_STATE: ExplorerState = {
  view: 'scatter',
  preset: null,
  input: [2, 2],
  kernel: [2, 2],
  inChannels: 1,
  outChannels: 1,
  groups: 1,
  stride: [1, 1],
  dilation: [1, 1],
  layer: DEFAULT_LAYERS.pytorch,
  x: null,
  w: null,
  step: null,
  upsampling: { factor: 2, kernel: 3 },
};

/** The result of reading a query: a complete state and what was wrong with the query. */
export interface ParsedState {
  readonly state: ExplorerState;
  /** One sentence per ignored value, naming the parameter, the value and the rule. */
  readonly problems: readonly string[];
}

/** The layer's controls in the words of `base`'s convention; absent ones from `base`. */
function parseLayer(r: ReturnType<typeof queryReader>, base: Layer): Layer {
  const { read, pair, oneOf, optional } = r;
  if (base.convention === 'pytorch') {
    const def = base;
    return {
      convention: 'pytorch',
      padding: pair('padding', def.padding),
      outputPadding: pair('outputPadding', def.outputPadding),
      outputSize: optional('outputSize', def.outputSize),
    };
  } else if (base.convention === 'keras') {
    return {
      convention: 'keras',
      padding: oneOf('padding', ['same', 'valid'] as const, base.padding),
      outputPadding: optional('outputPadding', base.outputPadding),
    };
  } else {
    const def = base;
    const pads = read('pads', def.pads, parseQuad, 'expected four integers: begin h, begin w, end h, end w');
    return {
      convention: 'onnx',
      autoPad: oneOf('autoPad', AUTO_PADS, def.autoPad),
      pads,
      outputPadding: pair('outputPadding', def.outputPadding),
      outputShape: optional('outputShape', def.outputShape),
    };
  }
}

/**
 * Reads the state from a URL query (`?input=4x4&kernel=3x3&...` or a `URLSearchParams`). With
 * `presets`, a `preset=<id>` names the state that absent parameters come from (so `?preset=d2l-stride`
 * alone opens that example); parameters present in the query win.
 */
export function parseState(
  query: string | URLSearchParams,
  presets: (id: string) => ExplorerState | undefined = () => undefined,
): ParsedState {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const problems: string[] = [];
  const presetId = params.get('preset');
  const d = (presetId ? presets(presetId) : undefined) ?? DEFAULT_STATE;

  const reader = queryReader(params, problems);
  const { read, pair, int, oneOf } = reader;
  const convention = oneOf('convention', CONVENTIONS, d.layer.convention);
  const base = d.layer.convention === convention ? d.layer : DEFAULT_LAYERS[convention];
  const layer = parseLayer(reader, base);

  const values = (key: string, fallback: readonly number[] | null): readonly number[] | null =>
    read<readonly number[] | null>(key, fallback, parseNumbers, 'expected numbers separated by commas');
  const rawStep = params.get('step');
  const step =
    rawStep === null
      ? d.step
      : rawStep === 'all'
        ? null
        : read(
            'step',
            null,
            (s) => {
              const n = parseInt32(s);
              return n !== null && n >= 0 ? n : null;
            },
            'expected a count of steps ≥ 0 or "all"',
          );

  const state: ExplorerState = {
    view: oneOf('view', VIEWS, d.view),
    preset: presetId || null,
    input: pair('input', d.input),
    kernel: pair('kernel', d.kernel),
    inChannels: int('inChannels', d.inChannels),
    outChannels: int('outChannels', d.outChannels),
    groups: int('groups', d.groups),
    stride: pair('stride', d.stride),
    dilation: pair('dilation', d.dilation),
    layer,
    x: values('x', d.x),
    w: values('w', d.w),
    step,
    upsampling: {
      factor: int('upFactor', d.upsampling.factor),
      kernel: int('upKernel', d.upsampling.kernel),
    },
  };
  return { state, problems };
}

/**
 * Writes the state as a query (without the `?`). The parameters of the issue come first and are
 * always written (`input, kernel, stride, padding, outputPadding, dilation, groups, convention`);
 * optional ones only when set.
 */
export function stateToQuery(s: ExplorerState): string {
  const q: [string, string][] = [];
  const add = (k: string, v: string) => q.push([k, v]);
  if (s.view !== DEFAULT_STATE.view) add('view', s.view);
  if (s.preset) add('preset', s.preset);
  add('input', formatPair(s.input));
  add('kernel', formatPair(s.kernel));
  add('stride', formatPair(s.stride));
  const l = s.layer;
  if (l.convention === 'pytorch') {
    add('padding', formatPair(l.padding));
    add('outputPadding', formatPair(l.outputPadding));
  } else if (l.convention === 'keras') {
    add('padding', l.padding);
    if (l.outputPadding) add('outputPadding', formatPair(l.outputPadding));
  } else {
    add('autoPad', l.autoPad);
    add('pads', l.pads.join(','));
    add('outputPadding', formatPair(l.outputPadding));
  }
  add('dilation', formatPair(s.dilation));
  add('groups', String(s.groups));
  add('convention', l.convention);
  if (l.convention === 'pytorch' && l.outputSize) add('outputSize', formatPair(l.outputSize));
  if (l.convention === 'onnx' && l.outputShape) add('outputShape', formatPair(l.outputShape));
  if (s.inChannels !== 1) add('inChannels', String(s.inChannels));
  if (s.outChannels !== 1) add('outChannels', String(s.outChannels));
  if (s.x) add('x', s.x.join(','));
  if (s.w) add('w', s.w.join(','));
  // A preset may start at another step than "all", so with a preset the step is always written.
  if (s.step !== null || s.preset) add('step', s.step === null ? 'all' : String(s.step));
  if (s.upsampling.factor !== DEFAULT_STATE.upsampling.factor) add('upFactor', String(s.upsampling.factor));
  if (s.upsampling.kernel !== DEFAULT_STATE.upsampling.kernel) add('upKernel', String(s.upsampling.kernel));
  // Commas and "x" stay readable in the address bar; everything else is encoded.
  return q.map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',')}`).join('&');
}

/** The state with the layer rewritten in another convention's default words (other fields kept). */
export function withConvention(s: ExplorerState, convention: Convention): ExplorerState {
  return s.layer.convention === convention ? s : { ...s, layer: DEFAULT_LAYERS[convention] };
}
