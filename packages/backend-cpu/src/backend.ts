import type {
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  DType,
  FloatArray,
  Gradients,
  KernelCalibrator,
  SyncBackend,
  Tensor,
} from '@tconv/core';
import {
  allocate,
  createCalibrator,
  describeValue,
  OptionError,
  prepareConv,
  prepareConvBackward,
  prepareConvTranspose,
  prepareConvTransposeBackward,
  product,
  shapeClassKey,
} from '@tconv/core';
import { convBackwardImpl, convTransposeBackwardImpl } from './backward';
import { convImpl } from './conv';
import { convTransposeImpl } from './conv-transpose';
import type { ConvTransposeKernel } from './kernel-choice';
import { convTransposeCandidates, KERNELS } from './kernel-choice';

/** A backend whose gradient methods are present (not optional). */
export type WithGradients<B extends SyncBackend> = B &
  Required<Pick<B, 'convTransposeBackward' | 'convBackward'>>;

/** Options of {@link createCpuBackend}. */
export interface CpuBackendOptions {
  /**
   * Time the candidate kernels on the first calls of a shape that is a close call for the kernel
   * rule, then keep the faster (see the README, "Kernel choice"). Default `true`; `false` makes
   * every call take the rule's kernel, so results are bit-reproducible from the first call on.
   */
  calibrate?: boolean;
  /** The transposed-convolution kernel for every call (no rule, no calibration); tests use it. */
  kernel?: ConvTransposeKernel;
}

const OPTION_KEYS: readonly (keyof CpuBackendOptions)[] = ['calibrate', 'kernel'];

/** Validates the options of `createCpuBackend`, or throws an `OptionError` naming the option. */
function parseCpuOptions(
  options: CpuBackendOptions | undefined,
): Required<Pick<CpuBackendOptions, 'calibrate'>> & Pick<CpuBackendOptions, 'kernel'> {
  if (options === undefined) return { calibrate: true, kernel: undefined };
  if (options === null || typeof options !== 'object') {
    throw new OptionError(
      'INVALID_OPTION',
      'options',
      `createCpuBackend options must be an object, but got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      throw new OptionError(
        'UNKNOWN_OPTION',
        key,
        `createCpuBackend has no option ${JSON.stringify(key)}; the options are ${OPTION_KEYS.join(', ')}`,
      );
    }
  }
  if (options.calibrate !== undefined && typeof options.calibrate !== 'boolean') {
    throw new OptionError(
      'INVALID_OPTION',
      'calibrate',
      `calibrate must be true or false, but got ${describeValue(options.calibrate)}`,
    );
  }
  if (options.kernel !== undefined && !KERNELS.includes(options.kernel)) {
    throw new OptionError(
      'INVALID_OPTION',
      'kernel',
      `kernel must be one of ${KERNELS.map((k) => `'${k}'`).join(', ')}, but got ${describeValue(options.kernel)}`,
    );
  }
  return { calibrate: options.calibrate ?? true, kernel: options.kernel };
}

/**
 * A CPU backend on `calibrator` (its own: the per-instance kernel choices live there) with an
 * optional forced kernel. The `./internal` entry for tests that inject a calibrator with a clock.
 */
export function cpuBackendWith(
  calibrator: KernelCalibrator<ConvTransposeKernel>,
  kernel?: ConvTransposeKernel,
): WithGradients<SyncBackend> {
  /** One transposed convolution: the kernel chosen (or explored) for its shape class, timed. */
  function transposed(
    g: ConvTransposeGeometry,
    dtype: DType,
    x: FloatArray,
    w: FloatArray,
    bias: FloatArray | null,
  ) {
    const out = allocate(dtype, product(g.outputShape));
    const candidates = kernel === undefined && calibrator.enabled ? convTransposeCandidates(g) : [];
    const trial = candidates.length > 1 ? calibrator.choose(shapeClassKey(g, dtype), candidates) : null;
    // the rule's kernel when there is one candidate: chosen once per call, not again in the impl
    convTransposeImpl(g, x, w, bias, out, kernel ?? trial?.kernel ?? candidates[0]);
    trial?.finish();
    return out;
  }
  return {
    name: 'cpu',
    convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor {
      const { geometry, dtype, bias } = prepareConvTranspose(input, weight, options);
      return {
        shape: geometry.outputShape,
        data: transposed(geometry, dtype, input.data, weight.data, bias),
      };
    },
    conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor {
      const { geometry, dtype, bias } = prepareConv(input, weight, options);
      const out = allocate(dtype, product(geometry.outputShape));
      convImpl(geometry, input.data, weight.data, bias, out);
      return { shape: geometry.outputShape, data: out };
    },
    convTransposeBackward(
      gradOutput: Tensor,
      input: Tensor,
      weight: Tensor,
      options?: ConvTransposeOptions,
    ): Gradients {
      const { geometry: g } = prepareConvTransposeBackward(gradOutput, input, weight, options);
      const d = convTransposeBackwardImpl(g, input.data, weight.data, gradOutput.data);
      return gradientTensors(g.inputShape, g.weightShape, d);
    },
    convBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvOptions): Gradients {
      const { geometry: g } = prepareConvBackward(gradOutput, input, weight, options);
      const d = convBackwardImpl(g, input.data, weight.data, gradOutput.data);
      return gradientTensors(g.inputShape, g.weightShape, d);
    },
  };
}

/**
 * A CPU backend with its own kernel calibration: synchronous, float32 and float64, any spatial
 * rank, every option of the contract. A transposed convolution whose shape is a close call for
 * the kernel rule (`convTransposeCandidates`) runs its first calls of that shape on the rule's
 * kernel and the runner-up in turn, timed, then keeps the faster for the backend's life (at most
 * 256 shapes remembered). Those first calls may differ from later ones at float32-rounding level;
 * `{ calibrate: false }` turns this off, `{ kernel }` forces one kernel.
 * @example
 * ```ts
 * import { tensor } from '@tconv/core';
 * import { createCpuBackend } from '@tconv/backend-cpu';
 * const reproducible = createCpuBackend({ calibrate: false });
 * reproducible.convTranspose(tensor([1, 2], [1, 1, 2]), tensor([1, 1], [1, 1, 2]), { stride: 2 }).data;
 * // Float32Array [1, 1, 2, 2]
 * ```
 */
export function createCpuBackend(options?: CpuBackendOptions): WithGradients<SyncBackend> {
  const o = parseCpuOptions(options);
  return cpuBackendWith(createCalibrator<ConvTransposeKernel>({ enabled: o.calibrate }), o.kernel);
}

/**
 * The CPU backend: synchronous, float32 and float64, any spatial rank, every option of the
 * contract. Options are resolved by `@tconv/core`; this object only plugs the kernels in. It is
 * `createCpuBackend()`: kernel choice calibrated per shape on close calls (README, "Kernel choice").
 * @example
 * ```ts
 * import { tensor } from '@tconv/core';
 * import { cpuBackend } from '@tconv/backend-cpu';
 * const y = cpuBackend.convTranspose(tensor([0, 1, 2, 3], [1, 1, 2, 2]), tensor([0, 1, 2, 3], [1, 1, 2, 2]));
 * // y.shape [1, 1, 3, 3], y.data [0, 0, 1, 0, 4, 6, 4, 12, 9]
 * ```
 */
export const cpuBackend: WithGradients<SyncBackend> = createCpuBackend();

function gradientTensors(
  inputShape: readonly number[],
  weightShape: readonly number[],
  d: { input: Tensor['data']; weight: Tensor['data']; bias: Tensor['data'] },
): Gradients {
  return {
    input: { shape: inputShape, data: d.input },
    weight: { shape: weightShape, data: d.weight },
    bias: { shape: [d.bias.length], data: d.bias },
  };
}
