/**
 * What one hidden layer of a model receives over time, as maps for a figure: the activation entering a
 * linear layer (quantised when a delta layer sits in front of it) and the change |Δ| from the previous
 * frame, both averaged over channels, at chosen time steps of one clip. Plain arrays out; every tensor is
 * disposed.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { isDeltaActivation } from '../layers/penaltyLayer';
import { linearKind, modelChain, unwrapTimeDistributed } from '../models/chain';

export interface ActivationMapsOptions {
  /**
   * The linear layer whose input is shown (the per-frame layer's name, as in a sparsity measurement, e.g.
   * `'conv2'`). Default: the second linear layer (the first whose input is a hidden activation).
   */
  layer?: string;
  /** Time steps (frame indices) to return. Default: every frame. */
  times?: readonly number[];
}

/** Maps of one layer's input at the chosen time steps; each map is H·W values, row-major. */
export interface ActivationMaps {
  layer: string;
  /** `[H, W, C]` of the layer's input. */
  frameShape: [number, number, number];
  /** Whether the values are quantised (a delta layer sits in front of the layer). */
  quantized: boolean;
  times: number[];
  /** Channel mean of the input frame (clip channels) at each time: `[H_in·W_in]`, with `frameSize` [H_in, W_in]. */
  frames: Float32Array[];
  frameSize: [number, number];
  /** Channel mean of the activation y_t entering the layer: `[H·W]` per time. */
  activation: Float32Array[];
  /** Channel mean of |Δ_t| = |y_t − y_(t−1)| (Δ_0 = y_0: the first frame is sent whole): `[H·W]` per time. */
  absDelta: Float32Array[];
  /** Fraction of the C channels with Δ_t ≠ 0 at each pixel: `[H·W]` per time. */
  changedFraction: Float32Array[];
}

/**
 * The maps of `options.layer`'s input for one clip `[1, T, H, W, C]` (or `[T, H, W, C]`). Throws a
 * DeltaSparsityError naming the argument for an unknown layer, a layer whose input is not a map
 * (e.g. a Dense layer after global pooling), or time steps outside the clip.
 */
export function activationMaps(model: tf.LayersModel, clip: tf.Tensor, options: ActivationMapsOptions = {}): ActivationMaps {
  if (clip.rank !== 5 && clip.rank !== 4) throw invalidArgument('clip', 'a clip [1, T, H, W, C] or [T, H, W, C]', clip.shape);
  if (clip.rank === 5 && clip.shape[0] !== 1) throw invalidArgument('clip', 'one clip: [1, T, H, W, C]', clip.shape);
  const frameCount = (clip.rank === 5 ? clip.shape[1] : clip.shape[0]) as number;
  const times = [...(options.times ?? Array.from({ length: frameCount }, (_, t) => t))];
  times.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= frameCount) throw invalidArgument(`times[${i}]`, `a frame index in [0, ${frameCount - 1}]`, t);
  });
  const chain = modelChain(model);
  const linear = chain.map((layer, i) => ({ layer, i })).filter(({ layer }) => linearKind(layer) !== null);
  const names = linear.map(({ layer }) => unwrapTimeDistributed(layer).name);
  const wanted = options.layer ?? names[1] ?? names[0];
  const found = linear[names.indexOf(wanted)];
  if (found === undefined) throw invalidArgument('layer', `one of the model's linear layers (${names.join(', ')})`, wanted);
  const inputShape = (found.layer.input as tf.SymbolicTensor).shape;
  if (inputShape.length !== 5) {
    throw invalidArgument('layer', 'a layer whose input is a map per frame [B, T, H, W, C]', `${wanted} reads [${inputShape.join(', ')}]`);
  }
  const inbound = found.i > 0 ? chain[found.i - 1] : null;
  const delta = inbound !== null && isDeltaActivation(inbound) ? inbound : null;
  const probeTensor = (delta !== null && delta.outputMode !== 'quantized' ? delta.input : found.layer.input) as tf.SymbolicTensor;
  const quantizeFirst = delta !== null && delta.outputMode !== 'quantized';

  const result = tf.tidy(() => {
    const batch = clip.rank === 5 ? clip : tf.expandDims(clip, 0); // [1, T, H, W, C]
    const isInput = model.inputs.includes(probeTensor);
    let y = isInput ? batch : (tf.model({ inputs: model.inputs, outputs: probeTensor }).predict(batch) as tf.Tensor);
    if (quantizeFirst && delta !== null) y = delta.quantizeValues(y);
    const first = tf.slice(y, [0, 0], [-1, 1]);
    const changes = tf.concat([first, tf.sub(tf.slice(y, [0, 1], [-1, -1]), tf.slice(y, [0, 0], [-1, frameCount - 1]))], 1); // Δ_0 = y_0
    const pick = (x: tf.Tensor) => tf.gather(x, times, 1); // [1, times, H, W, C]
    return [
      tf.mean(pick(batch), -1),
      tf.mean(pick(y), -1),
      tf.mean(tf.abs(pick(changes)), -1),
      tf.mean(tf.cast(tf.notEqual(pick(changes), 0), 'float32'), -1),
    ];
  });
  const [frames, activation, absDelta, changedFraction] = result.map((tensor) => {
    const [, count, h, w] = tensor.shape as number[];
    const data = tensor.dataSync() as Float32Array;
    tensor.dispose();
    return Array.from({ length: count }, (_, t) => data.slice(t * h * w, (t + 1) * h * w));
  });
  const [, , h, w, c] = inputShape as number[];
  const frameShape = clip.shape.slice(-3) as number[];
  return {
    layer: wanted,
    frameShape: [h, w, c],
    quantized: delta !== null,
    times,
    frames,
    frameSize: [frameShape[0], frameShape[1]],
    activation,
    absDelta,
    changedFraction,
  };
}

/** The threshold q of one delta layer, per channel. */
export interface LayerThresholds {
  /** The layer the delta layer feeds (the per-frame layer's name, as in a sparsity measurement), e.g. `'conv2'`. */
  layer: string;
  /** The delta layer's own name, e.g. `'delta_conv2'`. */
  deltaLayer: string;
  /** q per channel (one value for a per-layer threshold). */
  values: number[];
}

/** The threshold q of every delta layer of `model`, in model order (empty for a model without delta layers). */
export function learnedThresholds(model: tf.LayersModel): LayerThresholds[] {
  const chain = modelChain(model);
  return chain.flatMap((layer, i) => {
    if (!isDeltaActivation(layer)) return [];
    const next = chain[i + 1];
    const values = tf.tidy(() => Array.from(layer.thresholds().dataSync()));
    return [{ layer: next ? unwrapTimeDistributed(next).name : layer.name, deltaLayer: layer.name, values }];
  });
}
