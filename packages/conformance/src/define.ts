import type { Backend, DType } from '@tconv/core';
import type { CaseNeeds, GradientMethod, KitCase } from './types';

/**
 * The public documents the cases cite: title, publisher and address (a case adds the section).
 * The five tutorials the kit was built from, and the framework references whose semantics it
 * follows.
 */
export const DOCS = {
  gfg: 'GeeksforGeeks, "What is Transposed Convolutional Layer?" (https://www.geeksforgeeks.org/what-is-transposed-convolutional-layer/)',
  aim: 'Analytics India Magazine, "Complete Guide to Transposed Convolutions in CNN Models" (https://analyticsindiamag.com/complete-guide-to-transposed-convolutions-in-cnn-models/)',
  tds: 'Towards Data Science, "Understand Transposed Convolutions" (https://towardsdatascience.com/understand-transposed-convolutions-and-build-your-own-transposed-convolution-layer-from-scratch-4f5d97b2967)',
  d2l: 'Dive into Deep Learning, 13.10 "Transposed Convolution" (https://d2l.ai/chapter_computer-vision/transposed-conv.html)',
  notes:
    'study notes "Transposed Convolution" (30 May 2022, unpublished; they follow d2l 13.10 and PyTorch\'s ConvTranspose2d, https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html)',
  pytorch:
    'PyTorch documentation, torch.nn.ConvTranspose2d (https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html)',
  keras:
    'Keras documentation, Conv2DTranspose layer (https://keras.io/api/layers/convolution_layers/convolution2d_transpose/)',
  tfjs: 'TensorFlow.js API, tf.conv2dTranspose (https://js.tensorflow.org/api/latest/#conv2dTranspose)',
  onnx: 'ONNX operator specification, ConvTranspose (https://onnx.ai/onnx/operators/onnx__ConvTranspose.html)',
  contract:
    'the tconv backend contract, as the @tconv/core README states it ("Errors", option rules, output dtype = input dtype)',
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
