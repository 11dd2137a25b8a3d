/** Turns a sparsity measurement into the plain per-layer numbers the hardware cost model reads. */
import type { LayerWorkload } from '../hardware/workload';
import type { SparsityMeasurement } from './measure';

/**
 * One `LayerWorkload` per measured linear layer, in model order, with the executed-MAC densities of the
 * measurement (steady state for delta) beside the activation densities.
 */
export function toWorkloads(measurement: SparsityMeasurement): LayerWorkload[] {
  return measurement.layers.map((layer) => ({
    name: layer.name,
    kind: layer.kind,
    inputActivations: layer.inputActivations,
    fanOut: layer.fanOut,
    weights: layer.weights,
    outputs: layer.outputs,
    spatialDensity: layer.spatialDensity,
    temporalDensity: layer.temporalDensity,
    zeroSkippingMacDensity: layer.zeroSkippingMacDensity,
    deltaMacDensity: layer.deltaMacDensity,
  }));
}
