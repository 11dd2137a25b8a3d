/** The thresholds q of a model's delta layers, read and set through the layers' own methods. */
import * as tf from '@tensorflow/tfjs';
import { DeltaActivation } from '../layers/deltaActivation';
import { invalidArgument, requirePositive } from '../util/errors';

function deltaLayersOf(model: tf.LayersModel): DeltaActivation[] {
  return model.layers.filter((layer): layer is DeltaActivation => layer instanceof DeltaActivation);
}

/** The mean of the delta layers' mean thresholds q (each layer counts once); null for a model without any. */
export function meanThreshold(model: tf.LayersModel): number | null {
  const layers = deltaLayersOf(model);
  if (layers.length === 0) return null;
  return layers.reduce((sum, layer) => sum + layer.meanThreshold(), 0) / layers.length;
}

/**
 * Sets every threshold of every delta layer of `model` to `q` (> 0; all channels / neurons alike), e.g. to
 * evaluate a trained model at a fixed threshold. Throws a DeltaSparsityError for q ≤ 0 or a model without delta
 * layers.
 */
export function setAllThresholds(model: tf.LayersModel, q: number): void {
  requirePositive('q', q);
  const layers = deltaLayersOf(model);
  if (layers.length === 0) throw invalidArgument('model', 'a model with delta layers (variant delta)', `${model.name} without any`);
  for (const layer of layers) layer.setThreshold(q);
}
