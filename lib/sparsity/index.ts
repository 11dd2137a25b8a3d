/** Spatial/temporal density and MAC counts of a model on clips. */
export { measureSparsity } from './measure';
export type { LayerSparsity, OverallSparsity, SparsityMeasurement, MeasureSparsityOptions } from './measure';
export { toWorkloads } from './workloads';
export { activationMaps, learnedThresholds } from './activationMaps';
export type { ActivationMaps, ActivationMapsOptions, LayerThresholds } from './activationMaps';
