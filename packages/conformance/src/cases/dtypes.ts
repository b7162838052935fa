import type { DType } from '@tconv/core';
import { DOCS, defineCase } from '../define';
import { checkAgainstDefinition } from '../near';
import type { KitCase } from '../types';

const CONTRACT = `${DOCS.contract}: output dtype = input dtype`;

function dtypeCase(dtype: DType, op: 'convTranspose' | 'conv'): KitCase {
  return defineCase({
    id: `dtypes/${op}-${dtype}`,
    title: `${op}: ${dtype} in → ${dtype} out, within ${dtype} rounding of the definition`,
    source: CONTRACT,
    group: 'dtypes',
    dtypes: [dtype],
    tags: ['dtype', dtype],
    check: (backend) =>
      op === 'convTranspose'
        ? checkAgainstDefinition(
            backend,
            op,
            [2, 6, 5, 4],
            [6, 2, 3, 3],
            { stride: [2, 1], padding: 1, groups: 2, outputPadding: [1, 0], bias: [0.5, -0.25, 1, 2] },
            61,
            dtype,
          )
        : checkAgainstDefinition(
            backend,
            op,
            [2, 6, 7, 6],
            [4, 3, 3, 3],
            { stride: 2, padding: 1, groups: 2, bias: [0.5, -0.25, 1, 2] },
            62,
            dtype,
          ),
  });
}

/** float32 → float32 and float64 → float64, within rounding. */
export const dtypeCases: readonly KitCase[] = [
  dtypeCase('float32', 'convTranspose'),
  dtypeCase('float64', 'convTranspose'),
  dtypeCase('float32', 'conv'),
  dtypeCase('float64', 'conv'),
];
