import type { Backend } from '@tconv/core';
import { tensor } from '@tconv/core';
import { EXACT, expectTensor } from '../compare';
import { DOCS, defineCase } from '../define';
import type { KitCase } from '../types';

const t2 = (rows: number[][], lead = [1, 1]) => tensor(rows.flat(), [...lead, rows.length, rows[0]!.length]);

function transposed(
  id: string,
  title: string,
  source: string,
  x: number[][],
  k: number[][],
  options: object,
  expected: number[][],
  tags: string[],
): KitCase {
  return defineCase({
    id,
    title,
    source,
    group: 'documents',
    tags: ['document', 'worked-example', ...tags],
    async check(backend: Backend) {
      const y = await backend.convTranspose(t2(x), t2(k), options);
      return expectTensor(y, [1, 1, expected.length, expected[0]!.length], expected.flat(), 'float32', EXACT);
    },
  });
}

/** d2l's kernel2matrix(K) for K = [[1, 2], [3, 4]] on a 3×3 input, as printed in 13.10.3. */
const D2L_W = [
  [1, 2, 0, 3, 4, 0, 0, 0, 0],
  [0, 1, 2, 0, 3, 4, 0, 0, 0],
  [0, 0, 0, 1, 2, 0, 3, 4, 0],
  [0, 0, 0, 0, 1, 2, 0, 3, 4],
];

/** The documents' worked examples, with the numbers printed there. */
export const documentCases: readonly KitCase[] = [
  transposed(
    'gfg/example-1',
    'GfG example 1: input [[0, 1], [2, 3]], kernel [[4, 1], [2, 3]], stride 1 → [[0, 4, 1], [8, 16, 6], [4, 12, 9]]',
    `${DOCS.gfg}, Example 1`,
    [
      [0, 1],
      [2, 3],
    ],
    [
      [4, 1],
      [2, 3],
    ],
    { stride: 1, padding: 0 },
    [
      [0, 4, 1],
      [8, 16, 6],
      [4, 12, 9],
    ],
    ['gfg'],
  ),
  transposed(
    'd2l/basic',
    'd2l 13.10.1: X = K = [[0, 1], [2, 3]] → [[0, 0, 1], [0, 4, 6], [4, 12, 9]]',
    `${DOCS.d2l}, 13.10.1`,
    [
      [0, 1],
      [2, 3],
    ],
    [
      [0, 1],
      [2, 3],
    ],
    {},
    [
      [0, 0, 1],
      [0, 4, 6],
      [4, 12, 9],
    ],
    ['d2l'],
  ),
  transposed(
    'd2l/padding-1',
    'd2l 13.10.2: padding 1 removes the first and last rows and columns → [[4]]',
    `${DOCS.d2l}, 13.10.2`,
    [
      [0, 1],
      [2, 3],
    ],
    [
      [0, 1],
      [2, 3],
    ],
    { padding: 1 },
    [[4]],
    ['d2l', 'padding'],
  ),
  transposed(
    'd2l/stride-2',
    'd2l 13.10.2: stride 2 → [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]',
    `${DOCS.d2l}, 13.10.2, Fig. 13.10.2`,
    [
      [0, 1],
      [2, 3],
    ],
    [
      [0, 1],
      [2, 3],
    ],
    { stride: 2 },
    [
      [0, 0, 0, 1],
      [0, 0, 2, 3],
      [0, 2, 0, 3],
      [4, 6, 6, 9],
    ],
    ['d2l', 'stride'],
  ),
  defineCase({
    id: 'd2l/corr2d',
    title:
      'd2l 13.10.3: corr2d(arange(9).reshape(3, 3), [[1, 2], [3, 4]]) → [[27, 37], [57, 67]] (the convolution)',
    source: `${DOCS.d2l}, 13.10.3`,
    group: 'documents',
    tags: ['document', 'worked-example', 'd2l', 'conv'],
    async check(backend) {
      const y = await backend.conv(
        t2([
          [0, 1, 2],
          [3, 4, 5],
          [6, 7, 8],
        ]),
        t2([
          [1, 2],
          [3, 4],
        ]),
      );
      return expectTensor(y, [1, 1, 2, 2], [27, 37, 57, 67], 'float32', EXACT);
    },
  }),
  defineCase({
    id: 'd2l/corr2d-transposed',
    title:
      'd2l 13.10.3: trans_conv(Y, K) with Y = [[27, 37], [57, 67]] equals Wᵀ·vec(Y), W the printed 4×9 matrix',
    source: `${DOCS.d2l}, 13.10.3`,
    group: 'documents',
    tags: ['document', 'worked-example', 'd2l', 'matrix'],
    async check(backend) {
      const y = [27, 37, 57, 67];
      const expected = D2L_W[0]!.map((_, c) => D2L_W.reduce((sum, row, r) => sum + row[c]! * y[r]!, 0));
      const z = await backend.convTranspose(
        t2([
          [27, 37],
          [57, 67],
        ]),
        t2([
          [1, 2],
          [3, 4],
        ]),
      );
      return expectTensor(z, [1, 1, 3, 3], expected, 'float32', EXACT);
    },
  }),
  transposed(
    'notes/3x3-output',
    'notes: the printed 3×3 output [[6, 14, 4], [2, 17, 21], [0, 1, 5]] from a 2×2 input and a 2×2 kernel, stride 1, pad 0',
    `${DOCS.notes}, "Transposed Convolutions". The notes print only the output and "4*3=12, 2*1=2, 12+2=14". ` +
      'With X = [[a, b], [c, d]] and K = [[p, q], [r, s]] the output is [[ap, aq+bp, bq], [ar+cp, as+br+cq+dp, bs+dq], [cr, cs+dr, ds]]; ' +
      'ap = 6 and 14 = 12 + 2 = 4·3 + 2·1 give b = 4, p = 3, a = 2, q = 1 (bq = 4 ✓); cr = 0 and ar + cp = 2 give c = 0, r = 1; ' +
      'cs + dr = 1 gives d = 1; ds = 5 gives s = 5; then bs + dq = 21 ✓ and as + br + cq + dp = 17 ✓. So X = [[2, 4], [0, 1]], K = [[3, 1], [1, 5]]',
    [
      [2, 4],
      [0, 1],
    ],
    [
      [3, 1],
      [1, 5],
    ],
    { stride: 1, padding: 0 },
    [
      [6, 14, 4],
      [2, 17, 21],
      [0, 1, 5],
    ],
    ['notes'],
  ),
];
