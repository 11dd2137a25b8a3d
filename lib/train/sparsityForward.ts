/**
 * The forward pass a training loop needs: the model's output plus the total sparsity penalty of its delta
 * (or spatial-L1) layers, both differentiable, so that
 *
 *   const forward = createSparsityForward(model);
 *   optimizer.minimize(() => {
 *     const { output, penalty } = forward.apply(clips, { training: true });
 *     return tf.add(tf.losses.softmaxCrossEntropy(labels, output), penalty);
 *   });
 *
 * updates weights and thresholds. (tfjs-layers 4.22 cannot train on losses added with `addLoss` in `call`.)
 * It runs one forward pass through a second model that shares every layer (and weight) of `model` and also
 * outputs each penalty layer's output.
 */
import * as tf from '@tensorflow/tfjs';
import { isPenaltyLayer, PenaltyLayer } from '../layers/penaltyLayer';

export interface SparsityForwardResult {
  /** The model's output, e.g. logits [B, classes]. */
  output: tf.Tensor;
  /** Σ over penalty layers of λ · fanOut · mean|Δ| (or mean|y| for spatial-L1); 0 for a baseline model. */
  penalty: tf.Scalar;
}

export interface SparsityForward {
  /** The penalty layers in model order. */
  readonly penaltyLayers: PenaltyLayer[];
  /** One forward pass. `training` is passed to the layers (dropout, batch norm). Default true. */
  apply(x: tf.Tensor, options?: { training?: boolean }): SparsityForwardResult;
}

export function createSparsityForward(model: tf.LayersModel): SparsityForward {
  const penaltyLayers = model.layers.filter(isPenaltyLayer);
  const probe = tf.model({
    inputs: model.inputs,
    outputs: [model.outputs[0], ...penaltyLayers.map((layer) => layer.output as tf.SymbolicTensor)],
  });
  return {
    penaltyLayers,
    apply(x, options = {}) {
      const training = options.training ?? true;
      const outputs = probe.apply(x, { training }) as tf.Tensor | tf.Tensor[];
      const list = Array.isArray(outputs) ? outputs : [outputs];
      const penalty = tf.tidy(() =>
        penaltyLayers.reduce<tf.Scalar>((sum, layer, i) => tf.add(sum, layer.penalty(list[i + 1])), tf.scalar(0)),
      );
      tf.dispose(list.slice(1));
      return { output: list[0], penalty };
    },
  };
}
