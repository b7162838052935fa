import type { Backend, DType } from '@tconv/core';
import type { CaseNeeds, KitCase } from './types';

/** The documents, by file name and title, as cases cite them. */
export const DOCS = {
  gfg: '000_11a4a3fe732cce45.txt — GeeksforGeeks, "What is Transposed Convolutional Layer?"',
  aim: '001_b18ece5e61825254.txt — AIM, "Complete Guide to Transposed Convolutions in CNN Models"',
  tds: '002_f50046de9063b1ce.txt — "Understand Transposed Convolutions"',
  d2l: '003_faf466d9d2650914.txt — d2l 13.10 "Transposed Convolution"',
  notes: '004_c22568ec7702a455.txt — notes "Transposed Convolution"',
} as const;

/** What a case is made of. */
export interface CaseSpec {
  id: string;
  title: string;
  source: string;
  tags: readonly string[];
  group: string;
  /** Spatial ranks and float types the case uses; default rank 2, float32. */
  ranks?: readonly number[];
  dtypes?: readonly DType[];
  /** Throws on a mismatch; may return the largest absolute error. */
  check(backend: Backend): number | undefined | Promise<number | undefined>;
}

/** Builds a {@link KitCase} from its spec. */
export function defineCase(spec: CaseSpec): KitCase {
  const needs: CaseNeeds = { ranks: spec.ranks ?? [2], dtypes: spec.dtypes ?? ['float32'] };
  const measure = async (backend: Backend): Promise<number> => (await spec.check(backend)) ?? 0;
  return {
    id: spec.id,
    title: spec.title,
    source: spec.source,
    tags: spec.tags,
    group: spec.group,
    needs,
    measure,
    async run(backend: Backend): Promise<void> {
      await measure(backend);
    },
  };
}
