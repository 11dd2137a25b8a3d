/** Layers whose outputs carry a sparsity penalty that the training loop adds to the loss. */
import * as tf from '@tensorflow/tfjs';
import { DeltaActivation } from './deltaActivation';
import { SpatialL1 } from './spatialL1';

/** A delta layer or a spatial-L1 layer: both have `penalty(output)` and a `fanOut`. */
export type PenaltyLayer = DeltaActivation | SpatialL1;

export function isDeltaActivation(layer: tf.layers.Layer): layer is DeltaActivation {
  return layer instanceof DeltaActivation;
}

export function isPenaltyLayer(layer: tf.layers.Layer): layer is PenaltyLayer {
  return layer instanceof DeltaActivation || layer instanceof SpatialL1;
}
