/** danfojs adapter: one row per measured layer, for notebooks. */
import type * as Danfo from 'danfojs-node';
import type { SparsityMeasurement } from './measure';

/** A danfojs DataFrame with one row per layer and the columns of `LayerSparsity`. danfojs is loaded lazily. */
export function sparsityToDataFrame(measurement: SparsityMeasurement): Danfo.DataFrame {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dfd = require('danfojs-node') as typeof Danfo;
  return new dfd.DataFrame(measurement.layers.map((layer) => ({ ...layer })));
}
