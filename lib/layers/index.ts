/** Delta Activation Layer, its straight-through quantizer and the spatial-L1 baseline layer. */
export {
  DeltaActivation,
  deltaActivation,
  DELTA_GRANULARITIES,
  DELTA_OUTPUTS,
  MIN_THRESHOLD,
} from './deltaActivation';
export type { DeltaActivationArgs, DeltaGranularity, DeltaOutput } from './deltaActivation';
export { quantize, quantizeComposite, roundStraightThrough, negateGradient, stopGradient } from './quantize';
export type { QuantizeOptions } from './quantize';
export { SpatialL1, spatialL1 } from './spatialL1';
export { FrameDistributed, frameDistributed } from './frameDistributed';
export type { FrameDistributedArgs } from './frameDistributed';
export type { SpatialL1Args } from './spatialL1';
export { isDeltaActivation, isPenaltyLayer } from './penaltyLayer';
export type { PenaltyLayer } from './penaltyLayer';
export { InputNormalization, isInputNormalization } from './inputNormalization';
export type { InputNormalizationArgs } from './inputNormalization';
