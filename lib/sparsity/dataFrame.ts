/** danfojs adapter: one row per measured layer, for notebooks. */
import { dataFrameOf, type DataFrame } from '../util/dataFrame';
import type { SparsityMeasurement } from './measure';

/**
 * A danfojs DataFrame with one row per layer and the columns of `LayerSparsity` (a missing number is NaN).
 * danfojs-node is loaded lazily; throws a DeltaSparsityError when it is not installed.
 */
export function sparsityToDataFrame(measurement: SparsityMeasurement): DataFrame {
  return dataFrameOf(measurement.layers.map((layer) => ({ ...layer })));
}
