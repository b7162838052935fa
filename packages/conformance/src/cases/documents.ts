import type { Backend } from '@tconv/core';
import { tensor } from '@tconv/core';
import { EXACT, expectTensor } from '../compare';
import { DOCS, defineCase } from '../define';
import type { Matrix, WorkedExample } from '../examples';
import { D2L_MATRIX, WORKED_EXAMPLES } from '../examples';
import type { KitCase } from '../types';

const t2 = (rows: Matrix) => tensor(rows.flat(), [1, 1, rows.length, rows[0]!.length]);

/** A worked example as a case: the backend's result must equal the document's, exactly. */
function workedCase(e: WorkedExample): KitCase {
  return defineCase({
    id: e.id,
    title: e.title,
    source: `${DOCS[e.doc]}, ${e.where}${e.derivation ? `. ${e.derivation}` : ''}`,
    group: 'documents',
    tags: ['document', 'worked-example', ...e.tags],
    async check(backend: Backend) {
      const x = t2(e.input);
      const k = t2(e.kernel);
      const y =
        e.operation === 'conv'
          ? await backend.conv(x, k, e.options)
          : await backend.convTranspose(x, k, e.options);
      return expectTensor(
        y,
        [1, 1, e.expected.length, e.expected[0]!.length],
        e.expected.flat(),
        'float32',
        EXACT,
      );
    },
  });
}

/** d2l 13.10.3: the transposed convolution of Y is Wᵀ·vec(Y), W the matrix the section prints. */
const matrixCase = defineCase({
  id: 'd2l/corr2d-transposed',
  title:
    'd2l 13.10.3: trans_conv(Y, K) with Y = [[27, 37], [57, 67]] equals Wᵀ·vec(Y), W the printed 4×9 matrix',
  source: `${DOCS.d2l}, 13.10.3`,
  group: 'documents',
  tags: ['document', 'worked-example', 'd2l', 'matrix'],
  async check(backend) {
    const W = D2L_MATRIX.matrix;
    const y = D2L_MATRIX.output.flat();
    const expected = W[0].map((_, c) => W.reduce((sum, row, r) => sum + row[c]! * y[r]!, 0));
    const z = await backend.convTranspose(t2(D2L_MATRIX.output), t2(D2L_MATRIX.kernel));
    return expectTensor(z, [1, 1, 3, 3], expected, 'float32', EXACT);
  },
});

/** The documents' worked examples, with the numbers printed there (data: `../examples`). */
export const documentCases: readonly KitCase[] = (() => {
  const cases = WORKED_EXAMPLES.map(workedCase);
  // the matrix view follows the convolution it transposes, as in d2l
  const at = cases.findIndex((c) => c.id === 'd2l/corr2d') + 1;
  return [...cases.slice(0, at), matrixCase, ...cases.slice(at)];
})();
