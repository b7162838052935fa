/**
 * The page: reads the state from the URL, draws the header, the layer's controls and the chosen
 * view, and writes every change back to the URL (so a link restores the view).
 */
import type { Update } from './controls';
import { layerControls, presetMenu } from './controls';
import { h, sizeText } from './dom';
import { buildProblem } from './layer';
import { findPreset } from './presets';
import type { ExplorerState, View } from './state';
import { parseState, stateToQuery, VIEWS } from './state';
import './style.css';
import { conventionsView } from './views/conventions';
import { matrixView } from './views/matrix';
import { scatterView, stopPlayer } from './views/scatter';
import { upsamplingView } from './views/upsampling';

const TITLES: Record<View, string> = {
  scatter: '1 · Scatter',
  conventions: '2 · Conventions',
  matrix: '3 · Matrix',
  upsampling: '4 · Upsampling',
};

const root = document.getElementById('app')!;
const initial = parseState(window.location.search, (id) => findPreset(id)?.state);
let problems = initial.problems;

function tabs(s: ExplorerState, update: Update): HTMLElement {
  const list = h('div', { role: 'tablist', className: 'tabs', 'aria-label': 'views' });
  VIEWS.forEach((v, i) => {
    list.append(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `tab-${v}`,
          'aria-selected': String(v === s.view),
          'aria-controls': 'view',
          tabindex: v === s.view ? 0 : -1,
          'data-testid': `tab-${v}`,
          onClick: () => update({ ...s, view: v }),
          onKeydown: (e) => {
            const key = (e as KeyboardEvent).key;
            const next = key === 'ArrowRight' ? i + 1 : key === 'ArrowLeft' ? i - 1 : null;
            if (next === null) return;
            const view = VIEWS[(next + VIEWS.length) % VIEWS.length]!;
            update({ ...s, view });
            document.getElementById(`tab-${view}`)?.focus();
          },
        },
        TITLES[v],
      ),
    );
  });
  return list;
}

function render(s: ExplorerState): void {
  const focused = document.activeElement?.id;
  const update: Update = (next) => {
    if (next.view !== s.view) stopPlayer();
    problems = [];
    window.history.replaceState(null, '', `?${stateToQuery(next)}`);
    render(next);
  };
  const result = buildProblem(s);
  let content: HTMLElement;
  if (s.view === 'upsampling') content = upsamplingView(s, update);
  else if (!result.ok)
    content = h('div', { className: 'error', role: 'alert', 'data-testid': 'error' }, result.error);
  else if (s.view === 'scatter') content = scatterView(s, result.problem, update);
  else if (s.view === 'conventions') content = conventionsView(s, result.problem);
  else content = matrixView(result.problem);
  // The upsampling view's output is its pictures' (the layer's controls are not shown there).
  const upsampled = content.dataset.outputShape?.split(',').map(Number);
  const shape = upsampled ?? (result.ok ? result.problem.geometry.outputShape : null);
  const status = h(
    'div',
    { className: 'status' },
    h('span', {}, s.view === 'upsampling' ? 'upsampled ' : 'output '),
    h('strong', { 'data-testid': 'output-size' }, shape ? sizeText(shape.slice(2)) : '—'),
    shape ? h('span', { className: 'shape' }, ` · shape [${shape.join(', ')}]`) : null,
  );
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, 'tconv explorer'),
      h(
        'p',
        { className: 'lede' },
        "Transposed convolution, step by step — every number on this page comes from tconv's own packages (core for shapes and conventions, the CPU, sparse and WebAssembly backends for values).",
      ),
      h('div', { className: 'bar' }, presetMenu(s, update), status),
      problems.length
        ? h(
            'ul',
            { className: 'problems', 'data-testid': 'url-problems' },
            problems.map((p) => h('li', {}, p)),
          )
        : null,
    ),
    tabs(s, update),
    h(
      'main',
      {
        id: 'view',
        role: 'tabpanel',
        'aria-labelledby': `tab-${s.view}`,
        className: s.view === 'upsampling' ? 'single' : 'split',
      },
      s.view === 'upsampling' ? null : layerControls(s, update),
      content,
    ),
  );
  if (focused) document.getElementById(focused)?.focus();
}

render(initial.state);
