import type { ConvOptions, ConvTransposeOptions } from './options';
import type { DType, Tensor } from './tensor';

/** What a backend supports; an absent field means everything in the contract. */
export interface BackendCapabilities {
  /** Spatial ranks it computes (1 = 1D, 2 = 2D, …). */
  readonly ranks?: readonly number[];
  /** Float types it computes. */
  readonly dtypes?: readonly DType[];
}

/**
 * The contract every backend keeps. A synchronous backend declares `Tensor` as its return type;
 * callers that take any backend `await` the result. Options are resolved through
 * `resolveConvTranspose` / `resolveConv` (or {@link prepareConvTranspose} / {@link prepareConv}),
 * so every backend accepts and rejects exactly the same input.
 */
export interface Backend {
  readonly name: string;
  /** Transposed convolution; weight `[Cin, Cout/groups, ...kernel]`. */
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor | Promise<Tensor>;
  /** Convolution (cross-correlation); weight `[Cout, Cin/groups, ...kernel]`. */
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor | Promise<Tensor>;
  /** What it supports; absent means everything in this contract. */
  readonly capabilities?: BackendCapabilities;
}

/** A {@link Backend} whose methods return their result synchronously (the CPU and sparse backends). */
export interface SyncBackend extends Backend {
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor;
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor;
}
