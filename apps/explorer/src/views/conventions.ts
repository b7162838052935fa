/**
 * View 2: the same layer in PyTorch's numbers, Keras' words and ONNX's attributes, one axis at a
 * time: each spelling's size formula with the numbers substituted and core's result, which
 * spellings are this very layer, and where the conventions or engines differ.
 */
import { h, sizeText } from '../dom';
import type { Problem } from '../layer';
import type { Axis, Resolved, Spelling } from '../spellings';
import { differences, spellAxis } from '../spellings';
import type { ExplorerState } from '../state';

function axesOf(p: Problem): { name: string; axis: Axis; target: Resolved }[] {
  const g = p.geometry;
  const names = ['height', 'width'];
  const all = names.map((name, i) => ({
    name,
    axis: { n: g.inputSize[i]!, k: g.kernelSize[i]!, s: g.stride[i]!, d: g.dilation[i]! },
    target: {
      length: g.outputSize[i]!,
      begin: g.padBegin[i]!,
      end: g.padEnd[i]!,
      outputPadding: g.outputPadding[i]!,
    },
  }));
  const [a, b] = all as [(typeof all)[0], (typeof all)[0]];
  return JSON.stringify([a.axis, a.target]) === JSON.stringify([b.axis, b.target])
    ? [{ ...a, name: 'both axes' }]
    : all;
}

function spellingRow(sp: Spelling): HTMLElement {
  return h(
    'tr',
    { className: sp.same ? 'same' : '', 'data-framework': sp.framework, 'data-same': String(sp.same) },
    h('td', {}, sp.framework),
    h('td', {}, h('code', {}, sp.words)),
    h('td', {}, sp.error ? h('span', { className: 'error-text' }, sp.error) : sp.formula),
    h('td', { 'data-testid': 'spelling-length' }, sp.resolved ? String(sp.resolved.length) : '—'),
    h('td', {}, sp.resolved ? `${sp.resolved.begin} / ${sp.resolved.end}` : '—'),
    h('td', {}, sp.same ? '≡ this layer' : ''),
  );
}

function summary(s: ExplorerState, p: Problem, spelled: Spelling[][]): HTMLElement {
  const g = p.geometry;
  const pick = (fw: Spelling['framework'], test: (sp: Spelling) => boolean = () => true) =>
    spelled.map((list) => list.find((sp) => sp.framework === fw && sp.same && test(sp)));
  const torch = pick('PyTorch', (sp) => sp.words.includes('output_padding'));
  const keras = ['valid', 'same'].map((w) => pick('Keras', (sp) => sp.words.includes(`'${w}'`)));
  const onnx = pick('ONNX', (sp) => sp.words.startsWith('pads'));
  const lines: string[] = [];
  const perAxis = (list: (Spelling | undefined)[], re: RegExp) => list.map((sp) => sp?.words.match(re)?.[1]);
  const pair = (values: (string | undefined)[]) =>
    values.length === 1 ? `(${values[0]}, ${values[0]})` : `(${values.join(', ')})`;
  if (torch.every(Boolean)) {
    lines.push(
      `nn.ConvTranspose2d(${g.inChannels}, ${g.outChannels}, kernel_size=${pair(g.kernelSize.map(String))}, stride=${pair(g.stride.map(String))}, padding=${pair(perAxis(torch, /padding=(\d+)/))}, output_padding=${pair(perAxis(torch, /output_padding=(\d+)/))}, dilation=${pair(g.dilation.map(String))}, groups=${g.groups})`,
    );
  } else lines.push('PyTorch: not expressible with padding and output_padding (see below)');
  const k = keras.find((list) => list.every(Boolean));
  if (k && g.groups === 1 && g.dilation.every((d) => d === 1)) {
    const word = k[0]!.words.match(/'(\w+)'/)![1];
    const ops = perAxis(k, /output_padding=(\d+)/);
    lines.push(
      `Conv2DTranspose(filters=${g.outChannels}, kernel_size=${pair(g.kernelSize.map(String))}, strides=${pair(g.stride.map(String))}, padding='${word}'${ops.every(Boolean) ? `, output_padding=${pair(ops)}` : ''})`,
    );
  } else
    lines.push(
      g.groups > 1 || g.dilation.some((d) => d > 1)
        ? 'Keras: Conv2DTranspose has no groups, and dilation > 1 with strides > 1 is not supported there'
        : "Keras: neither 'valid' nor 'same' gives this layer",
    );
  if (onnx.every(Boolean)) {
    const b = perAxis(onnx, /pads=\[(\d+),/);
    const e = perAxis(onnx, /pads=\[\d+, (\d+)\]/);
    const op = perAxis(onnx, /output_padding=\[(\d+)\]/);
    const two = (v: (string | undefined)[]) => (v.length === 1 ? [v[0], v[0]] : v);
    lines.push(
      `ConvTranspose(kernel_shape=[${g.kernelSize.join(', ')}], strides=[${g.stride.join(', ')}], pads=[${[...two(b), ...two(e)].join(', ')}], output_padding=[${two(op).join(', ')}], dilations=[${g.dilation.join(', ')}], group=${g.groups})`,
    );
  } else {
    lines.push(
      `ONNX: non-negative pads cannot express it; ${s.layer.convention === 'onnx' ? 'the auto_pad/output_shape written above does' : 'see the auto_pad rows below'}`,
    );
  }
  return h(
    'div',
    { className: 'summary' },
    h('h3', {}, 'This layer in each framework'),
    h('pre', { 'data-testid': 'framework-code' }, lines.join('\n')),
  );
}

/** Renders the conventions view. */
export function conventionsView(s: ExplorerState, p: Problem): HTMLElement {
  const axes = axesOf(p);
  const spelled = axes.map((a) => spellAxis(a.axis, a.target));
  return h(
    'section',
    { className: 'view', 'aria-labelledby': 'conv-title' },
    h('h2', { id: 'conv-title' }, 'Conventions side by side'),
    h(
      'p',
      {},
      `The layer on the page, written in ${s.layer.convention}'s words, resolves (core) to an output of `,
      h('strong', {}, sizeText(p.geometry.outputSize)),
      `, cropping ${p.geometry.padBegin.join('×')} at the start and ${p.geometry.padEnd.join('×')} at the end, output padding ${p.geometry.outputPadding.join('×')}. Every spelling below is resolved by core; "≡ this layer" marks those that give exactly this output.`,
    ),
    summary(s, p, spelled),
    axes.map((a, i) => {
      const notes = differences(a.axis, a.target);
      return h(
        'div',
        { className: 'axis' },
        h('h3', {}, `${a.name}: n = ${a.axis.n}, k = ${a.axis.k}, s = ${a.axis.s}, d = ${a.axis.d}`),
        h(
          'div',
          { className: 'scroll' },
          h(
            'table',
            { className: 'spellings', 'data-testid': `spellings-${i}` },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['framework', 'words', 'size formula (numbers in), core', 'L', 'crop start / end', ''].map(
                  (t) => h('th', {}, t),
                ),
              ),
            ),
            h('tbody', {}, spelled[i]!.filter((sp) => sp.same || sp.base).map(spellingRow)),
          ),
        ),
        notes.length
          ? h(
              'ul',
              { className: 'differences', 'data-testid': 'differences' },
              notes.map((n) => h('li', {}, n)),
            )
          : null,
      );
    }),
  );
}
