import { describe, ShapeError } from './errors';
import type { Tensor } from './tensor';
import { allocate } from './call';
import { checkTensor, dtypeOf } from './tensor';

/**
 * Moves an axis to a new place, copying the data. Used by the layout helpers; exported for the
 * layouts they do not cover.
 * @param t - the tensor
 * @param order - `order[i]` is the source axis of result axis `i` (a permutation)
 */
export function permute(t: Tensor, order: readonly number[]): Tensor {
  checkTensor(t, 'tensor');
  const rank = t.shape.length;
  const seen = new Set(order);
  if (
    order.length !== rank ||
    seen.size !== rank ||
    order.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)
  ) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'order',
      `order must be a permutation of 0..${rank - 1}, but got ${describe(order)}`,
    );
  }
  const shape = order.map((a) => t.shape[a]!);
  const srcStrides = new Array<number>(rank);
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    srcStrides[a] = stride;
    stride *= t.shape[a]!;
  }
  const strides = order.map((a) => srcStrides[a]!);
  const out = allocate(dtypeOf(t.data), t.data.length);
  const index = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = t.data[src]!;
    for (let a = rank - 1; a >= 0; a--) {
      index[a]!++;
      src += strides[a]!;
      if (index[a]! < shape[a]!) break;
      src -= strides[a]! * shape[a]!;
      index[a] = 0;
    }
  }
  return { shape, data: out };
}

function needRank(t: Tensor, min: number, what: string): void {
  checkTensor(t, 'tensor');
  if (t.shape.length < min) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'tensor.shape',
      `${what} needs at least ${min} axes, but got shape ${describe(t.shape)}`,
    );
  }
}

/**
 * `[N, ...spatial, C]` (TensorFlow/Keras `channels_last`, TF.js NHWC) → `[N, C, ...spatial]`.
 */
export function toChannelsFirst(t: Tensor): Tensor {
  needRank(t, 3, 'toChannelsFirst');
  const r = t.shape.length;
  return permute(t, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]);
}

/** `[N, C, ...spatial]` → `[N, ...spatial, C]` (TensorFlow/Keras `channels_last`). */
export function toChannelsLast(t: Tensor): Tensor {
  needRank(t, 3, 'toChannelsLast');
  const r = t.shape.length;
  return permute(t, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
}

/**
 * A Keras/TF transposed-convolution kernel `[...kernel, out, in]` (`Conv2DTranspose.kernel`,
 * `tf.conv2dTranspose` filter) → tconv's `[in, out, ...kernel]`.
 */
export function kernelFromKerasTranspose(t: Tensor): Tensor {
  needRank(t, 3, 'kernelFromKerasTranspose');
  const r = t.shape.length;
  return permute(t, [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)]);
}

/** tconv's `[in, out, ...kernel]` → a Keras/TF transposed-convolution kernel `[...kernel, out, in]`. */
export function kernelToKerasTranspose(t: Tensor): Tensor {
  needRank(t, 3, 'kernelToKerasTranspose');
  const r = t.shape.length;
  return permute(t, [...Array.from({ length: r - 2 }, (_, i) => i + 2), 1, 0]);
}

/** A Keras/TF convolution kernel `[...kernel, in, out]` → tconv's `[out, in, ...kernel]`. */
export function kernelFromKerasConv(t: Tensor): Tensor {
  needRank(t, 3, 'kernelFromKerasConv');
  const r = t.shape.length;
  return permute(t, [r - 1, r - 2, ...Array.from({ length: r - 2 }, (_, i) => i)]);
}
