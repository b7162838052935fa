// TensorFlow.js as a peer: tconv's channels-first call translated into tfjs' channels-last ops
// (conv2dTranspose / conv3dTranspose / conv1d / conv2d / conv3d), padding words passed as tfjs'
// own words so its padding logic is what runs. What tfjs has no way to say is an UnsupportedError.
import type * as TfCore from '@tensorflow/tfjs-core';
import type { BackendCapabilities, ConvTransposeOptions, Tensor } from '@tconv/core';
import {
  dtypeOf,
  kernelToKerasTranspose,
  permute,
  resolveConv,
  resolveConvTranspose,
  tensor,
  toChannelsFirst,
  toChannelsLast,
} from '@tconv/core';
import type { Peer, PeerCall, PeerInfo, PeerOp } from './peer';
import { definePeer, unsupported } from './peer';

/** The tfjs-core module (any tfjs bundle of the same API: `@tensorflow/tfjs-core`, `@tensorflow/tfjs`). */
export type TfjsModule = typeof TfCore;

type Pair = [number, number];
/** tfjs' explicit padding: `[[0, 0], [top, bottom], [left, right], [0, 0]]` (conv1d pads its 2D view). */
type Explicit = [Pair, Pair, Pair, Pair];
type TfPad = 'valid' | 'same' | number | Explicit;

/** How one tconv call is said in tfjs. */
export interface TfjsPlan {
  readonly op: 'conv2dTranspose' | 'conv3dTranspose' | 'conv1d' | 'conv2d' | 'conv3d';
  /** The tfjs kernel the op runs on, checked for registration on the backend. */
  readonly kernel: string;
  readonly strides: number[];
  readonly dilations: number[];
  readonly pad: TfPad;
  /** Channels-last output shape (transposed ops need it explicitly). */
  readonly outShape: number[];
}

const same = (v: readonly number[]) => v.every((x) => x === v[0]);

/** Symmetric numbers as tfjs' single number, else tfjs' explicit padding (rank 1 pads its 2D view's width). */
function explicitPad(begin: readonly number[], end: readonly number[]): number | Explicit {
  if (same(begin) && same(end) && begin[0] === end[0]) return begin[0]!;
  const axis = (a: number): Pair => [begin[a]!, end[a]!];
  return begin.length === 1 ? [[0, 0], [0, 0], axis(0), [0, 0]] : [[0, 0], axis(0), axis(1), [0, 0]];
}

/**
 * The tfjs call for a tconv call (shapes and options only), or an `UnsupportedError` naming what
 * tfjs cannot express: groups, dilation of a transposed convolution, 1D transposed convolution,
 * ONNX's `auto_pad` words for a transposed convolution, numeric 3D padding, stride and dilation both > 1.
 * @param engine - the engine's name, for messages
 */
export function tfjsPlan(
  engine: string,
  op: PeerOp,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvTransposeOptions,
): TfjsPlan {
  const { bias: _bias, ...o } = options;
  const g =
    op === 'convTranspose'
      ? resolveConvTranspose(inputShape, weightShape, o)
      : resolveConv(inputShape, weightShape, o);
  const rank = g.rank;
  if (g.groups !== 1)
    throw unsupported(engine, 'groups', `tfjs convolutions have no groups (groups ${g.groups})`);
  const outShape = [g.batch, ...g.outputSize, g.outChannels];
  const p = o.padding;
  if (op === 'convTranspose') {
    if (rank !== 2 && rank !== 3)
      throw unsupported(
        engine,
        'input',
        `tfjs has no ${rank}D transposed convolution (only conv2dTranspose and conv3dTranspose)`,
      );
    if (g.dilation.some((d) => d !== 1))
      throw unsupported(engine, 'dilation', 'tf.conv2dTranspose / conv3dTranspose take no dilations');
    if (p === 'same-upper' || p === 'same-lower')
      throw unsupported(engine, 'padding', `tfjs has no ONNX auto_pad '${p}' (its 'same' is the Keras rule)`);
    let pad: TfPad;
    if (p === 'same' || p === 'valid') pad = p;
    else if (rank === 3) {
      if (g.padBegin.some((x) => x !== 0) || g.padEnd.some((x) => x !== 0))
        throw unsupported(
          engine,
          'padding',
          "tf.conv3dTranspose takes only 'same' or 'valid', not numeric padding",
        );
      pad = 'valid'; // zero padding: tfjs' VALID crops nothing at the start
    } else pad = explicitPad(g.padBegin, g.padEnd);
    return {
      op: rank === 2 ? 'conv2dTranspose' : 'conv3dTranspose',
      kernel: rank === 2 ? 'Conv2DBackpropInput' : 'Conv3DBackpropInputV2',
      strides: [...g.stride],
      dilations: [...g.dilation],
      pad,
      outShape,
    };
  }
  if (rank > 3) throw unsupported(engine, 'input', `tfjs has no ${rank}D convolution`);
  if (g.stride.some((s) => s > 1) && g.dilation.some((d) => d > 1))
    throw unsupported(engine, 'dilation', 'tfjs convolutions take stride > 1 or dilation > 1, not both');
  let pad: TfPad;
  if (p === 'same' || p === 'same-upper')
    pad = 'same'; // TF's SAME: the odd element at the end
  else if (p === 'valid') pad = 'valid';
  else if (rank === 3) {
    if (g.padBegin.some((x) => x !== 0) || g.padEnd.some((x) => x !== 0))
      throw unsupported(engine, 'padding', "tf.conv3d takes only 'same' or 'valid', not numeric padding");
    pad = 'valid';
  } else pad = explicitPad(g.padBegin, g.padEnd);
  const kernel = rank === 3 ? 'Conv3D' : 'Conv2D';
  return {
    op: rank === 1 ? 'conv1d' : rank === 2 ? 'conv2d' : 'conv3d',
    kernel,
    strides: [...g.stride],
    dilations: [...g.dilation],
    pad,
    outShape,
  };
}

/** Options of {@link createTfjsPeer}. */
export interface TfjsPeerOptions {
  readonly info: PeerInfo;
  /** The tfjs backend to run on: `cpu`, `wasm`, `webgl`, `webgpu`… (registered by the caller). */
  readonly backend: string;
  /** Default: ranks 1–3, float32 (tfjs computes in float32). */
  readonly capabilities?: BackendCapabilities;
}

/**
 * Wraps TensorFlow.js on one of its backends as a {@link Peer}. Layouts are converted with core's
 * helpers (NCHW → NHWC, `[in, out, ...k]` → `[...k, out, in]`) in `prepare`, outside a timed `run`.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * const peer = createTfjsPeer(tf, { backend: 'cpu', info: { name: 'tfjs-cpu', version: tf.version_core, runtime: 'JavaScript' } });
 * await peer.convTranspose(x, w, { stride: 2, padding: 'same' });
 * ```
 */
export function createTfjsPeer(tf: TfjsModule, options: TfjsPeerOptions): Peer {
  const engine = options.info.name;
  const translate = (op: PeerOp, x: readonly number[], w: readonly number[], o: ConvTransposeOptions) =>
    tfjsPlan(engine, op, x, w, o);

  // tfjs has one global active backend: every call (not only prepare) makes it this peer's, so a
  // tfjs-cpu peer computes on the CPU backend even after a tfjs-wasm peer was prepared or ran (the
  // bench interleaves them). Each peer's tensors live on its own backend, so switching moves no
  // data; an initialized backend switches in microseconds.
  async function ensureBackend(): Promise<void> {
    if (tf.getBackend() === options.backend) return;
    if (!(await tf.setBackend(options.backend)))
      throw unsupported(engine, 'backend', `the tfjs backend '${options.backend}' failed to initialize`);
  }

  async function prepare(
    op: PeerOp,
    input: Tensor,
    weight: Tensor,
    o: ConvTransposeOptions,
  ): Promise<PeerCall> {
    const plan = translate(op, input.shape, weight.shape, o);
    await ensureBackend();
    await tf.ready();
    if (!tf.getKernel(plan.kernel, options.backend))
      throw unsupported(
        engine,
        'input',
        `the tfjs '${options.backend}' backend has no ${plan.kernel} kernel (${plan.op})`,
      );
    const rank = input.shape.length - 2;
    const xl = toChannelsLast(input);
    // transposed: [in, out, ...k] → [...k, out, in]; convolution: [out, in, ...k] → [...k, in, out]
    const wl =
      op === 'convTranspose'
        ? kernelToKerasTranspose(weight)
        : permute(weight, [...Array.from({ length: rank }, (_, i) => i + 2), 1, 0]);
    const xt = tf.tensor(Float32Array.from(xl.data), [...xl.shape], 'float32');
    const wt = tf.tensor(Float32Array.from(wl.data), [...wl.shape], 'float32');
    const bt = o.bias === undefined ? null : tf.tensor1d(Float32Array.from(o.bias), 'float32');
    const pair = (v: readonly number[]): Pair => [v[0]!, v[1]!];
    const triple = (v: readonly number[]): [number, number, number] => [v[0]!, v[1]!, v[2]!];
    const pad = plan.pad;
    // 3D ops take only the words (tfjsPlan never gives them numbers)
    const word = pad === 'same' ? 'same' : 'valid';
    const out = plan.outShape;
    const call = (): TfCore.Tensor =>
      tf.tidy(() => {
        const s = plan.strides;
        const d = plan.dilations;
        let r: TfCore.Tensor;
        if (plan.op === 'conv2dTranspose')
          r = tf.conv2dTranspose(
            xt as TfCore.Tensor4D,
            wt as TfCore.Tensor4D,
            [out[0]!, out[1]!, out[2]!, out[3]!],
            pair(s),
            pad,
          );
        else if (plan.op === 'conv3dTranspose')
          r = tf.conv3dTranspose(
            xt as TfCore.Tensor5D,
            wt as TfCore.Tensor5D,
            [out[0]!, out[1]!, out[2]!, out[3]!, out[4]!],
            triple(s),
            word,
          );
        else if (plan.op === 'conv1d')
          r = tf.conv1d(xt as TfCore.Tensor3D, wt as TfCore.Tensor3D, s[0]!, pad, 'NWC', d[0]!);
        else if (plan.op === 'conv2d')
          r = tf.conv2d(xt as TfCore.Tensor4D, wt as TfCore.Tensor4D, pair(s), pad, 'NHWC', pair(d));
        else r = tf.conv3d(xt as TfCore.Tensor5D, wt as TfCore.Tensor5D, triple(s), word, 'NDHWC', triple(d));
        return bt ? tf.add(r, bt) : r;
      });
    return {
      async run() {
        await ensureBackend();
        const y = call();
        await y.data();
        y.dispose();
      },
      async output() {
        await ensureBackend();
        const y = call();
        try {
          const data = (await y.data()) as Float32Array;
          const out = toChannelsFirst(tensor(Float32Array.from(data), y.shape));
          return dtypeOf(input.data) === 'float32' ? out : tensor(Float64Array.from(out.data), out.shape);
        } finally {
          y.dispose();
        }
      },
      dispose() {
        xt.dispose();
        wt.dispose();
        bt?.dispose();
      },
    };
  }

  return definePeer({
    info: options.info,
    capabilities: options.capabilities ?? { ranks: [1, 2, 3], dtypes: ['float32'] },
    prepare,
    translate,
  });
}
