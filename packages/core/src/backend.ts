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
  /**
   * Gradients of {@link Backend.convTranspose} for ∂L/∂output = `gradOutput` (see {@link Gradients});
   * every backend of this project has it.
   */
  convTransposeBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Gradients | Promise<Gradients>;
  /** Gradients of {@link Backend.conv} for ∂L/∂output = `gradOutput` (see {@link Gradients}). */
  convBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvOptions,
  ): Gradients | Promise<Gradients>;
  /** What it supports; absent means everything in this contract. */
  readonly capabilities?: BackendCapabilities;
}

/**
 * The gradients of one forward call `y = convTranspose(input, weight, options)` (or `conv`) for a
 * loss L with ∂L/∂y = `gradOutput`: exactly PyTorch autograd's for the same layer, every option
 * meaning what it means in the forward call. `bias` is returned whether or not `options.bias` was
 * given (a bias changes neither of the other two). By d2l 13.10.3's argument,
 * `convTransposeBackward(...).input` is `conv(gradOutput, weight)` with the same options, and
 * `convBackward(...).input` is `convTranspose(gradOutput, weight)` back to the input's size.
 */
export interface Gradients {
  /** ∂L/∂input, the input's shape. */
  readonly input: Tensor;
  /** ∂L/∂weight, the weight's shape. */
  readonly weight: Tensor;
  /** ∂L/∂bias = `gradOutput` summed over the batch and spatial axes, shape `[Cout]`. */
  readonly bias: Tensor;
}

/** A {@link Backend} whose methods return their result synchronously (the CPU and sparse backends). */
export interface SyncBackend extends Backend {
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor;
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor;
  convTransposeBackward?(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Gradients;
  convBackward?(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvOptions): Gradients;
}
