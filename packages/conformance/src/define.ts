import type { Backend, DType } from '@tconv/core';
import type { CaseNeeds, GradientMethod, KitCase } from './types';

// The citation table lives with the examples it cites (pure data the apps load without the cases).
export { DOCS } from './examples';

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
  /** Optional backend methods the case calls; a backend without them skips the case. */
  methods?: readonly GradientMethod[];
  /** Throws on a mismatch; may return the largest absolute error. */
  check(backend: Backend): number | undefined | Promise<number | undefined>;
}

/** Builds a {@link KitCase} from its spec. */
export function defineCase(spec: CaseSpec): KitCase {
  const needs: CaseNeeds = {
    ranks: spec.ranks ?? [2],
    dtypes: spec.dtypes ?? ['float32'],
    ...(spec.methods ? { methods: spec.methods } : {}),
  };
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
