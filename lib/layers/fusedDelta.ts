/**
 * The delta layer's quantizer and temporal L1 penalty as single fused ops where the active backend has our
 * kernels (`wasm`, see lib/backend/wasmDeltaKernels.ts), each with its own gradient through `tf.customGrad`.
 * `quantize` (quantize.ts) and `meanAbsTemporalDifference` (timeAxis.ts) call these when
 * `fusedDeltaKernelsActive()` and fall back on their pure-tfjs composites otherwise; the two paths agree
 * within float32 rounding (tested).
 */
import * as tf from '@tensorflow/tfjs';
import {
  QUANTIZE_GRAD_KERNEL,
  QUANTIZE_KERNEL,
  stepsBroadcastAsSuffix,
  TEMPORAL_L1_GRAD_KERNEL,
  TEMPORAL_L1_KERNEL,
} from '../backend/wasmDeltaKernels';

export { stepsBroadcastAsSuffix };

/** Whether the active backend runs the fused delta kernels (true on `wasm` after `initBackend`). */
export function fusedDeltaKernelsActive(): boolean {
  const backend = tf.getBackend();
  return tf.getKernel(QUANTIZE_KERNEL, backend) != null && tf.getKernel(TEMPORAL_L1_KERNEL, backend) != null;
}

type Attrs = { rectify: boolean; thresholdGrowsWithPenalty: boolean };

function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: Attrs | Record<string, never> = {}): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
}

/**
 * y = q · round(relu(x) / q) as one op, with the straight-through gradients of `quantize` (quantize.ts).
 * @param x float32, e.g. [B, T, H, W, C]
 * @param q positive thresholds whose shape (leading 1s dropped) equals x's trailing axes, e.g. [C]
 */
export function quantizeFused(x: tf.Tensor, q: tf.Tensor, attrs: Attrs): tf.Tensor {
  const op = tf.customGrad((...args) => {
    const [input, steps, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([input, steps]);
    return {
      value: runKernel(QUANTIZE_KERNEL, { x: input, q: steps }, attrs) as tf.Tensor,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        runKernel(QUANTIZE_GRAD_KERNEL, { dy: dy as tf.Tensor, x: saved[0], q: saved[1] }, attrs) as tf.Tensor[],
    };
  });
  return op(x, q) as tf.Tensor;
}

/**
 * mean |y_t − y_(t−1)| over the T−1 differences of each clip as one op; gradient with sign(0) = 0.
 * @param y float32 clips [B, T, ...features] with T >= 2
 */
export function meanAbsTemporalDifferenceFused(y: tf.Tensor): tf.Scalar {
  const op = tf.customGrad((...args) => {
    const [clips, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([clips]);
    return {
      value: runKernel(TEMPORAL_L1_KERNEL, { y: clips }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        runKernel(TEMPORAL_L1_GRAD_KERNEL, { dy: dy as tf.Tensor, y: saved[0] }) as tf.Tensor,
    };
  });
  return op(y) as tf.Scalar;
}
