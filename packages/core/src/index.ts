export { adjointGeometry } from './adjoint';
export { fillBias } from './bias';
export { geometryFlops } from './flops';
export { geometryOptions } from './geometry-options';
export type { Backend, BackendCapabilities, Gradients, SyncBackend } from './backend';
export { biasGradient, prepareConvBackward, prepareConvTransposeBackward } from './backward';
export type { PreparedCall } from './call';
export type { CalibrationState, CalibratorOptions, KernelCalibrator, KernelTrial } from './calibration';
export {
  CALIBRATION_ROUNDS,
  CLOSE_CALL_RATIO,
  createCalibrator,
  isCloseCall,
  MIN_CALIBRATED_FLOPS,
  shapeClassKey,
} from './calibration';
export type { CapabilityGap, DeclaredCapabilities } from './capabilities';
export { capabilityGap, checkCapabilities } from './capabilities';
export {
  allocate,
  prepareConv,
  prepareConvFor,
  prepareConvTranspose,
  prepareConvTransposeFor,
} from './call';
export type { TconvErrorCode } from './errors';
export {
  describe as describeValue,
  DTypeError,
  isTconvError,
  LimitError,
  OptionError,
  ShapeError,
  TconvError,
  UnsupportedError,
} from './errors';
export type { ConvGeometry, ConvTransposeGeometry, GeometryBase } from './geometry';
export {
  convOutputShape,
  convTransposeOutputShape,
  resolveConv,
  resolveConvTranspose,
} from './geometry';
export {
  kernelFromKerasConv,
  kernelFromKerasTranspose,
  kernelToKerasTranspose,
  permute,
  toChannelsFirst,
  toChannelsLast,
} from './layout';
export {
  allocationFailed,
  checkGeometryIndices,
  checkInt32Geometry,
  checkSafeGeometry,
  exactInteger,
  MAX_INT32,
  MAX_SAFE_INDEX,
  MAX_TENSOR_ELEMENTS,
} from './limits';
export { recomputeNonFinite } from './numerics';
export type { OnnxConvTransposeAttributes } from './onnx';
export type { PhaseEntry, PhaseLayout, PhaseLayoutOptions } from './phase-layout';
export { phaseLayout, phaseMargins } from './phase-layout';
export type { AxisPhase, PhaseCombination, PhaseCombinations, StridePhases } from './phases';
export { phaseCombinations, slotOffsets, stridePhases } from './phases';
export { fromOnnx } from './onnx';
export { toOnnx } from './to-onnx';
export { product } from './product';
export { seeded } from './seeded';
export type { ConvOptions, ConvTransposeOptions, Padding, PaddingWord } from './options';
export { PADDING_WORDS } from './options';
export type { ConvAxisOptions, ConvTransposeAxisOptions } from './output-size';
export { convOutputSize, convTransposeOutputSize } from './output-size';
export type { DType, FloatArray, Tensor } from './tensor';
export { checkTensor, dtypeOf, isFloatArray, shapeSize, tensor } from './tensor';
