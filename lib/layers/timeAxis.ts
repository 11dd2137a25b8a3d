/** Shape checks and temporal differences shared by the delta and spatial-L1 layers. */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { fusedDeltaKernelsActive, meanAbsTemporalDifferenceFused } from './fusedDelta';

/** A per-layer input shape as tfjs-layers passes it: [batch, time, ...features], nulls for unknown sizes. */
export type LayerShape = (number | null)[];

/** Returns the single shape of a layer input, or throws if the layer got several inputs. */
export function singleShape(layerName: string, inputShape: LayerShape | LayerShape[]): LayerShape {
  if (Array.isArray(inputShape[0])) {
    const shapes = inputShape as LayerShape[];
    if (shapes.length !== 1) throw invalidArgument(`${layerName} inputs`, 'exactly one input tensor', shapes);
    return shapes[0];
  }
  return inputShape as LayerShape;
}

/** Returns the single tensor of a layer input, or throws if the layer got several inputs. */
export function singleTensor(layerName: string, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1) throw invalidArgument(`${layerName} inputs`, 'exactly one input tensor', inputs.length);
    return inputs[0];
  }
  return inputs;
}

/** Throws unless the shape has a time axis: [batch, time, ...features] with at least one feature axis. */
export function requireTimeAxis(layerName: string, shape: readonly (number | null)[]): void {
  if (shape.length < 3) {
    throw invalidArgument(
      `${layerName} input shape`,
      'a shape [batch, time, ...features] (rank >= 3: clips, not single frames; wrap per-frame layers in FrameDistributed)',
      shape,
    );
  }
}

/** Δ_t = y_t − y_(t−1) over the T−1 consecutive pairs of each clip: [B, T, ...] → [B, T−1, ...]. */
export function temporalDifferences(y: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const t = y.shape[1];
    if (t === undefined || t < 2) return tf.zeros([y.shape[0], 0, ...y.shape.slice(2)]);
    const size = y.shape.map(() => -1);
    const later = tf.slice(y, [0, 1, ...y.shape.slice(2).map(() => 0)], size);
    const earlierSize = [...y.shape];
    earlierSize[1] = t - 1;
    const earlier = tf.slice(y, y.shape.map(() => 0), earlierSize);
    return tf.sub(later, earlier);
  });
}

/**
 * mean |x| whose gradient is sign(x) / n with sign(0) = 0, as in TensorFlow; tfjs's `abs` has gradient −1
 * at 0, which would push every unchanged value (Δ = 0) of a sparsity penalty (issue #10).
 */
const meanAbsSignGradient: (x: tf.Tensor) => tf.Scalar = tf.customGrad((...args) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.mean(tf.abs(x)) as tf.Scalar,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf.mul(tf.div(dy as tf.Tensor, saved[0].size), tf.sign(saved[0])),
  };
}) as (x: tf.Tensor) => tf.Scalar;

/**
 * Mean of |x| over all elements, 0 for an empty tensor (a clip with a single frame has no differences).
 * Gradient sign(x) / n, 0 where x = 0.
 */
export function meanAbs(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => (x.size === 0 ? tf.scalar(0) : meanAbsSignGradient(x)));
}

/**
 * mean |y_t − y_(t−1)| over the T−1 differences of each clip (0 when T < 2), gradient with sign(0) = 0:
 * one fused op on `wasm` (fusedDelta.ts), else `meanAbs(temporalDifferences(y))`.
 * @param y clips [B, T, ...features]
 */
export function meanAbsTemporalDifference(y: tf.Tensor): tf.Scalar {
  const t = y.shape[1] ?? 0;
  if (t >= 2 && y.size > 0 && y.dtype === 'float32' && fusedDeltaKernelsActive()) return meanAbsTemporalDifferenceFused(y);
  return tf.tidy(() => meanAbs(temporalDifferences(y)));
}
