import type { ConvTransposeGeometry, PhaseLayout } from '@tconv/core';
import { phaseMargins, product } from '@tconv/core';
import { slotStride } from './phase-tile';
import { CPU_PHASE_LAYOUT } from './stride-phases';

/*
 * Which of the CPU backend's transposed-convolution kernels runs a geometry, and the measured
 * thresholds behind the choice, in one place. (The WebAssembly backend has its own module with
 * its own thresholds: its kernels' costs differ.)
 */

/**
 * The CPU backend's transposed-convolution kernels: `'direct'` scatters each tap along input rows,
 * `'phases'` is the stride-phase implicit GEMM (core's `phaseLayout`, executed by
 * `convTransposePhasesImpl`), `'gemm'` is `cols = Wᵀ·X` and col2im. All three compute every
 * geometry; they differ in speed.
 */
export type ConvTransposeKernel = 'direct' | 'gemm' | 'phases';

/**
 * Groups with at most this many input channels skip the GEMM: with a reduction this short
 * (depthwise has 1) the column buffer costs more than it saves, so taps scatter directly.
 */
export const DIRECT_MAX_CHANNELS = 2;

/**
 * The stride-phase kernel packs the weights once per call (about 5 ns per weight in V8), which
 * pays off only when each weight meets enough input positions (batch × input plane): measured
 * break-even near 130. Below it (DCGAN's 4×4 → 8×8 with 512 channels: 16) the GEMM, which reads
 * the weights in place, is faster.
 */
export const PHASES_MIN_POSITIONS = 128;

/** The stride-phase kernel's float64 copy of one batch item's group input is capped (32 MiB). */
export const PHASES_MAX_INPUT = 1 << 22;

/**
 * The stride-phase kernel packs at least one tile of weights, `(3·Cin/groups + 8) · ∏kernel`
 * doubles; capped at 2^21 (16 MiB) so a huge kernel (2^18 taps: 35 MiB, more for wider groups)
 * takes the GEMM, whose column buffer is tiled within `SCRATCH_ELEMENTS` (#16: bounded scratch).
 */
export const PHASES_MAX_PANEL = 1 << 21;

/**
 * The kernel `convTransposeImpl` uses by default, by shape (each rule measured): depthwise and
 * thin groups ({@link DIRECT_MAX_CHANNELS}) scatter directly; problems whose weights each meet at
 * least {@link PHASES_MIN_POSITIONS} input positions take the stride phases, unless the margined
 * input copy would exceed {@link PHASES_MAX_INPUT} or one tile of packed weights
 * {@link PHASES_MAX_PANEL}; the rest (few positions, heavy weights, huge kernels) the GEMM, which
 * reads the weights in place.
 * @param margins - the layout's margins, when the caller has them (else computed, cheaply)
 */
export function chooseConvTransposeKernel(
  g: ConvTransposeGeometry,
  margins?: Pick<PhaseLayout, 'padPlane'>,
): ConvTransposeKernel {
  if (g.inChannelsPerGroup <= DIRECT_MAX_CHANNELS) return 'direct';
  if (g.batch * product(g.inputSize) < PHASES_MIN_POSITIONS) return 'gemm';
  if (slotStride(g.inChannelsPerGroup) * product(g.kernelSize) > PHASES_MAX_PANEL) return 'gemm';
  const { padPlane } = margins ?? phaseMargins(g, CPU_PHASE_LAYOUT);
  return g.inChannelsPerGroup * padPlane <= PHASES_MAX_INPUT ? 'phases' : 'gemm';
}
