/**
 * The straight-through quantizer of the Delta Activation Layer:
 *
 *   y = q · round(relu(x) / q),   q = |threshold| > 0
 *
 * Gradients (what `tf.grad` sees):
 * - `round` is replaced by the identity (straight-through estimator), so dy/dx = 1 where x > 0.
 * - Inside the division q is treated as a constant (a stop-gradient), so the only path to q is the outer
 *   product: dy/dq = round(relu(x) / q).
 * - With `thresholdGrowsWithPenalty` (default true, as in the published method) the gradient reaching q
 *   through that product is negated. The sparsity penalty on |Δ| alone would shrink q (smaller thresholds give
 *   smaller quantized values); negated, the same signal pushes q up: coarser levels, more zero deltas.
 *   Note that the task loss's gradient to q is negated as well, exactly as in the published method.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedDeltaKernelsActive, quantizeFused, stepsBroadcastAsSuffix } from './fusedDelta';

/** round(x) with the identity as gradient (straight-through estimator). */
export const roundStraightThrough: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.round(x), gradFunc: (dy: tf.Tensor) => dy };
}) as (x: tf.Tensor) => tf.Tensor;

/** x itself, with no gradient flowing back (tfjs has no `stopGradient`). */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

/** x itself, with the incoming gradient negated (a gradient-reversal identity). */
export const negateGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.neg(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

/** Options of `quantize`. */
export interface QuantizeOptions {
  /** Negate the gradient reaching q (pushes q up under the sparsity penalty). Default true. */
  thresholdGrowsWithPenalty?: boolean;
  /** Apply relu before quantizing (the layer sits after a ReLU; harmless there, needed for the input). Default true. */
  rectify?: boolean;
}

/**
 * y = q · round(relu(x) / q) with straight-through rounding: one fused op where the backend has our kernel
 * (`wasm`; see fusedDelta.ts) and q's shape is a suffix of x's, else `quantizeComposite`.
 * @param x any shape, e.g. [B, T, H, W, C]
 * @param q positive thresholds broadcastable to x (e.g. [C], [H, W, C] or [1]); take |threshold| before calling.
 */
export function quantize(x: tf.Tensor, q: tf.Tensor, options: QuantizeOptions = {}): tf.Tensor {
  const fusable =
    x.dtype === 'float32' && q.dtype === 'float32' && stepsBroadcastAsSuffix(x.shape, q.shape) && fusedDeltaKernelsActive();
  if (!fusable) return quantizeComposite(x, q, options);
  return quantizeFused(x, q, {
    rectify: options.rectify ?? true,
    thresholdGrowsWithPenalty: options.thresholdGrowsWithPenalty ?? true,
  });
}

/** `quantize` as a chain of tfjs ops (any backend, any broadcastable q): the reference of the fused op. */
export function quantizeComposite(x: tf.Tensor, q: tf.Tensor, options: QuantizeOptions = {}): tf.Tensor {
  const invert = options.thresholdGrowsWithPenalty ?? true;
  const rectify = options.rectify ?? true;
  return tf.tidy(() => {
    const input = rectify ? tf.relu(x) : x;
    const levels = roundStraightThrough(tf.div(input, stopGradient(q)));
    return tf.mul(levels, invert ? negateGradient(q) : q);
  });
}
