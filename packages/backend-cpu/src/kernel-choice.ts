import type { ConvTransposeGeometry, PhaseLayout } from '@tconv/core';
import { geometryFlops, isCloseCall, MIN_CALIBRATED_FLOPS, phaseMargins, product } from '@tconv/core';
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
 * the weights in place, is faster. (Since the packing writes one stream per tap, ~2.5 ns per
 * weight, the break-even measured between 36 and 64 positions in one noisy same-run comparison,
 * k4 s2 layers of 128–512 channels; 64–256 are close calls that the calibration times anyway.)
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

/** The kernels, in the order the `kernel` option lists them. */
export const KERNELS: readonly ConvTransposeKernel[] = ['direct', 'gemm', 'phases'];

/**
 * The most candidates a shape explores (every kernel): a benchmark's warm-up covers core's
 * `CALIBRATION_ROUNDS × MAX_CALIBRATION_CANDIDATES` calls per shape.
 */
export const MAX_CALIBRATION_CANDIDATES = KERNELS.length;

/**
 * The rule on its two decisions (thin groups; few positions per weight) and the hard limit (the
 * phases' scratch bounds, which are memory caps, not break-evens: never calibrated across).
 */
function rule(thin: boolean, fewPositions: boolean, phasesFit: boolean): ConvTransposeKernel {
  if (thin) return 'direct';
  return fewPositions || !phasesFit ? 'gemm' : 'phases';
}

/** The features the rule decides on, once per call. */
function features(g: ConvTransposeGeometry, margins?: Pick<PhaseLayout, 'padPlane'>) {
  const positions = g.batch * product(g.inputSize);
  const thin = g.inChannelsPerGroup <= DIRECT_MAX_CHANNELS;
  const fewPositions = positions < PHASES_MIN_POSITIONS;
  let phasesFit = slotStride(g.inChannelsPerGroup) * product(g.kernelSize) <= PHASES_MAX_PANEL;
  // the margined input copy only when the phases could run: by the rule or as a runner-up
  if (phasesFit && (!fewPositions || isCloseCall(positions, PHASES_MIN_POSITIONS))) {
    const { padPlane } = margins ?? phaseMargins(g, CPU_PHASE_LAYOUT);
    phasesFit = g.inChannelsPerGroup * padPlane <= PHASES_MAX_INPUT;
  }
  return { positions, thin, fewPositions, phasesFit };
}

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
  const f = features(g, margins);
  return rule(f.thin, f.fewPositions, f.phasesFit);
}

/**
 * The kernels a call may run, the rule's ({@link chooseConvTransposeKernel}) first, then the
 * runner-up of each decision the shape is a close call on (core's `isCloseCall`: within 2× of
 * the threshold) — input channels per group against {@link DIRECT_MAX_CHANNELS}, positions per
 * weight against {@link PHASES_MIN_POSITIONS} — which the backend's calibrator times on the
 * caller's own calls. One kernel when no decision is close, or below core's
 * `MIN_CALIBRATED_FLOPS`. All compute the same within float32 rounding.
 * @example
 * ```ts
 * convTransposeCandidates(resolveConvTranspose([1, 64, 8, 8], [64, 32, 4, 4], { stride: 2 })); // ['gemm', 'phases']
 * ```
 */
export function convTransposeCandidates(g: ConvTransposeGeometry): ConvTransposeKernel[] {
  const f = features(g);
  const chosen = rule(f.thin, f.fewPositions, f.phasesFit);
  if (geometryFlops(g) < MIN_CALIBRATED_FLOPS) return [chosen];
  const out = [chosen];
  const add = (k: ConvTransposeKernel) => {
    if (!out.includes(k)) out.push(k);
  };
  if (isCloseCall(g.inChannelsPerGroup, DIRECT_MAX_CHANNELS + 1))
    add(rule(!f.thin, f.fewPositions, f.phasesFit));
  if (isCloseCall(f.positions, PHASES_MIN_POSITIONS)) add(rule(f.thin, !f.fewPositions, f.phasesFit));
  return out;
}
