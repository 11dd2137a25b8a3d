/** Spatial/temporal density and MAC counts of a model on clips; streaming delta inference. */
export { measureSparsity } from './measure';
export type { LayerSparsity, OverallSparsity, SparsityMeasurement, MeasureSparsityOptions } from './measure';
export { toWorkloads } from './workloads';
export { sparsityToDataFrame } from './dataFrame';
export { createStreamingModel } from './streaming';
export type { StreamingModel, StreamingLayerStats } from './streaming';
export { activationMaps, learnedThresholds } from './activationMaps';
export type { ActivationMaps, ActivationMapsOptions, LayerThresholds } from './activationMaps';
