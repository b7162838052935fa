/** The checks under the scatter: every backend against the CPU's output, and the document's printed result. */
import type { Tensor } from '@tconv/core';
import { crossCheck } from '../backends';
import { formatNumber, h } from '../dom';
import type { Problem } from '../layer';
import { numberGrid } from './grid';

/** A table of every backend's result on the problem, filled in when the (asynchronous) backends answer. */
export function backendTable(p: Problem): HTMLElement {
  const checks = h(
    'div',
    { className: 'checks', 'data-testid': 'backend-check', 'aria-live': 'polite' },
    'checking the backends…',
  );
  void crossCheck(p).then((results) => {
    checks.replaceChildren(
      h(
        'table',
        { className: 'results scroll-x' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'backend'),
            h('th', {}, 'output shape · largest |difference| from cpu'),
            h('th', {}, ''),
          ),
        ),
        h(
          'tbody',
          {},
          results.map((r) =>
            h(
              'tr',
              { 'data-backend': r.name, 'data-agrees': r.available ? String(r.agrees) : 'unavailable' },
              h('td', {}, r.name),
              h(
                'td',
                { className: r.error ? 'error-text' : '' },
                r.error ?? `[${r.output?.shape.join(', ')}] · ${formatNumber(r.maxDiff ?? 0)}`,
              ),
              h('td', {}, r.available ? (r.agrees ? '✓ agrees' : '✗ differs') : 'not here'),
            ),
          ),
        ),
      ),
    );
  });
  return checks;
}

/** The output a document prints, next to the CPU backend's, with the verdict. */
export function documentComparison(printed: readonly (readonly number[])[], out: Tensor): HTMLElement {
  const flat = printed.flat();
  const same = flat.length === out.data.length && flat.every((v, i) => out.data[i] === v);
  return h(
    'div',
    { className: 'doc' },
    numberGrid(flat, printed.length, printed[0]!.length, {
      caption: 'the document prints',
      testId: 'document-output',
    }),
    h(
      'p',
      { 'data-testid': 'document-match' },
      same ? '✓ equals the document' : '✗ differs from the document',
    ),
  );
}
