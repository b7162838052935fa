import type { Backend, BackendCapabilities } from './backend';
import { UnsupportedError } from './errors';
import type { DType } from './tensor';

/** What a call checks against: a backend's name (for messages) and its declared capabilities. */
export type DeclaredCapabilities = Pick<Backend, 'name' | 'capabilities'>;

/** Why a call is outside a backend's declared capabilities: the axis count or float type it lacks. */
export type CapabilityGap =
  | { readonly kind: 'rank'; readonly needed: number; readonly declared: readonly number[] }
  | { readonly kind: 'dtype'; readonly needed: DType; readonly declared: readonly DType[] };

/**
 * The one capability predicate: what of `call` (a spatial rank, a float type, or both) the declared
 * `capabilities` exclude, rank first, or `undefined` when they include it (absent capabilities
 * include everything). Backends reject through it (`prepare*` with a backend, {@link checkCapabilities});
 * the conformance kit skips cases through it.
 * @example
 * ```ts
 * capabilityGap({ dtypes: ['float32'] }, { rank: 2, dtype: 'float64' });
 * // { kind: 'dtype', needed: 'float64', declared: ['float32'] }
 * ```
 */
export function capabilityGap(
  capabilities: BackendCapabilities | undefined,
  call: { readonly rank?: number; readonly dtype?: DType },
): CapabilityGap | undefined {
  const ranks = capabilities?.ranks;
  if (ranks && call.rank !== undefined && !ranks.includes(call.rank))
    return { kind: 'rank', needed: call.rank, declared: ranks };
  const dtypes = capabilities?.dtypes;
  if (dtypes && call.dtype !== undefined && !dtypes.includes(call.dtype))
    return { kind: 'dtype', needed: call.dtype, declared: dtypes };
  return undefined;
}

/**
 * Rejects what a backend's declared capabilities exclude, with a clear error.
 * @param backend - the backend's name, for the message
 * @param capabilities - what it declared
 * @param rank - the spatial rank of the call
 * @param dtype - the float type of the call
 * @throws {@link UnsupportedError} naming `input` (rank) or `input.data` (float type)
 */
export function checkCapabilities(
  backend: string,
  capabilities: BackendCapabilities | undefined,
  rank: number,
  dtype: DType,
): void {
  const gap = capabilityGap(capabilities, { rank, dtype });
  if (gap?.kind === 'rank') {
    throw new UnsupportedError(
      'UNSUPPORTED',
      'input',
      `backend ${backend} supports spatial ranks ${gap.declared.join(', ')}, but the input has ${rank} spatial axes`,
    );
  }
  if (gap?.kind === 'dtype') {
    throw new UnsupportedError(
      'UNSUPPORTED',
      'input.data',
      `backend ${backend} supports ${gap.declared.join(', ')}, but the input is ${dtype}`,
    );
  }
}
