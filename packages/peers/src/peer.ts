import type { Backend, BackendCapabilities, ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { prepareConv, prepareConvTranspose, TconvError, UnsupportedError } from '@tconv/core';

/** Which engine a peer runs, for reports. */
export interface PeerInfo {
  /** The engine's name as reports show it, e.g. `onnxruntime-node`. */
  readonly name: string;
  /** The npm package version of the engine. */
  readonly version: string;
  /** Where it computes, e.g. `native CPU, 1 thread` or `WebAssembly (Node)`. */
  readonly runtime: string;
}

/** One call set up on the engine (its layouts, tensors, sessions), ready to be run repeatedly. */
export interface PeerCall {
  /** Runs the operator and waits for its result (the part a benchmark times). */
  run(): Promise<void>;
  /** Runs the operator and returns the result channels-first, in the input's float type. */
  output(): Promise<Tensor>;
  /** Frees the engine's tensors of this call (sessions may stay cached in the peer). */
  dispose(): void | Promise<void>;
}

/** The operator a call runs. */
export type PeerOp = 'convTranspose' | 'conv';

/**
 * A peer engine wrapped as a tconv {@link Backend}: tconv's options translated into the engine's own
 * conventions, so the engine's padding logic is what runs. What the engine cannot express is
 * rejected with core's `UnsupportedError`, never approximated.
 */
export interface Peer extends Backend {
  readonly info: PeerInfo;
  readonly capabilities: BackendCapabilities;
  /** Sets up a call outside any timed region (layout conversion, tensors, session). */
  prepareConvTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Promise<PeerCall>;
  /** Likewise for a convolution. */
  prepareConv(input: Tensor, weight: Tensor, options?: ConvOptions): Promise<PeerCall>;
  /** Why the engine cannot express this call, or `undefined` when it can (shapes and options only). */
  cannotExpress(
    op: PeerOp,
    inputShape: readonly number[],
    weightShape: readonly number[],
    options?: ConvTransposeOptions,
  ): string | undefined;
  /** Releases the engine's cached sessions and tensors. */
  dispose(): Promise<void>;
}

/** What an engine adapter supplies; {@link definePeer} adds validation and the Backend methods. */
export interface PeerSpec {
  readonly info: PeerInfo;
  readonly capabilities: BackendCapabilities;
  /**
   * Translates and sets up a call whose input core has already validated; throws
   * `UnsupportedError` for what the engine cannot express (before touching the engine).
   */
  prepare(op: PeerOp, input: Tensor, weight: Tensor, options: ConvTransposeOptions): Promise<PeerCall>;
  /** The translation alone, for {@link Peer.cannotExpress}: throws `UnsupportedError` like `prepare`. */
  translate(
    op: PeerOp,
    inputShape: readonly number[],
    weightShape: readonly number[],
    options: ConvTransposeOptions,
  ): unknown;
  dispose?(): Promise<void> | void;
}

/** Rejects a call the engine cannot express, naming the engine, the parameter and the reason. */
export function unsupported(engine: string, parameter: string, reason: string): UnsupportedError {
  return new UnsupportedError('UNSUPPORTED', parameter, `${engine} cannot express this: ${reason}`);
}

/**
 * Builds a {@link Peer} from an adapter: every call is validated by core first (so invalid input is
 * rejected with core's errors, exactly as tconv's backends reject it), then checked against the
 * declared capabilities, then translated.
 */
export function definePeer(spec: PeerSpec): Peer {
  const name = spec.info.name;
  async function prepare(op: PeerOp, input: Tensor, weight: Tensor, options: ConvTransposeOptions = {}) {
    const declared = { name, capabilities: spec.capabilities };
    if (op === 'convTranspose') prepareConvTranspose(input, weight, options, declared);
    else prepareConv(input, weight, options as ConvOptions, declared);
    return spec.prepare(op, input, weight, options);
  }
  async function once(op: PeerOp, input: Tensor, weight: Tensor, options?: ConvTransposeOptions) {
    const call = await prepare(op, input, weight, options);
    try {
      return await call.output();
    } finally {
      await call.dispose();
    }
  }
  return {
    name,
    info: spec.info,
    capabilities: spec.capabilities,
    convTranspose: (input, weight, options) => once('convTranspose', input, weight, options),
    conv: (input, weight, options) => once('conv', input, weight, options),
    prepareConvTranspose: (input, weight, options) => prepare('convTranspose', input, weight, options),
    prepareConv: (input, weight, options) => prepare('conv', input, weight, options),
    cannotExpress(op, inputShape, weightShape, options = {}) {
      try {
        spec.translate(op, inputShape, weightShape, options);
        return undefined;
      } catch (e) {
        if (e instanceof UnsupportedError) return e.message;
        if (e instanceof TconvError) return undefined; // invalid, not inexpressible: the call will say so
        throw e;
      }
    },
    async dispose() {
      await spec.dispose?.();
    },
  };
}
