/**
 * The reference per-frame CNN of the throughput benchmark (issue 2): three 3x3 stride-2 'same' convolutions
 * with 16/32/64 filters and ReLU, global average pooling, a dense softmax layer; input 64x64x3. Also its
 * analytic FLOP count and one Adam training step in a custom loop (the project's training style).
 */
import * as tf from '@tensorflow/tfjs';
import { requireInteger } from '../util/errors';

export interface ReferenceCnnArgs {
  /** Height and width of the square input frames. Default 64. */
  inputSize?: number;
  /** Input channels. Default 3. */
  channels?: number;
  /** Filters of the conv layers, one entry per layer. Default [16, 32, 64]. */
  filters?: number[];
  /** Output classes. Default 10. */
  classes?: number;
  /** Seed of the weight initialisers. Default 1. */
  seed?: number;
}

type ResolvedCnnArgs = Required<ReferenceCnnArgs>;

function resolve(args: ReferenceCnnArgs): ResolvedCnnArgs {
  const resolved = {
    inputSize: args.inputSize ?? 64,
    channels: args.channels ?? 3,
    filters: args.filters ?? [16, 32, 64],
    classes: args.classes ?? 10,
    seed: args.seed ?? 1,
  };
  requireInteger('inputSize', resolved.inputSize, 1);
  requireInteger('channels', resolved.channels, 1);
  requireInteger('classes', resolved.classes, 1);
  resolved.filters.forEach((f, i) => requireInteger(`filters[${i}]`, f, 1));
  return resolved;
}

/** Builds the reference CNN: input [B, S, S, C] -> class probabilities [B, classes]. */
export function buildReferenceCnn(args: ReferenceCnnArgs = {}): tf.Sequential {
  const a = resolve(args);
  const model = tf.sequential();
  a.filters.forEach((filters, i) => {
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [a.inputSize, a.inputSize, a.channels] } : {}),
        filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: a.seed + i }),
      }),
    );
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(
    tf.layers.dense({
      units: a.classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: a.seed + a.filters.length }),
    }),
  );
  return model;
}

export interface CnnFlops {
  /** Floating-point operations of one forward pass, per frame. */
  forwardPerFrame: number;
  /** Forward + backward (weight and input gradients), per frame. */
  trainPerFrame: number;
}

/**
 * Analytic FLOP count, counting a multiply-add as 2 FLOPs:
 *  - conv layer with output OHxOWxCO and a KHxKWxCI filter: forward 2*OH*OW*CO*KH*KW*CI; backward the same
 *    again for the filter gradient (dW = x^T dy over all output positions) and again for the input gradient
 *    (dx = dy W^T), except for the first layer, whose input (the data) needs no gradient;
 *  - dense layer I->O: forward 2*I*O, backward 2*I*O (weights) + 2*I*O (input);
 *  - 'same' padding with stride 2: OH = ceil(H / 2).
 * Bias adds, ReLU, pooling, softmax, the loss and the Adam update are elementwise and ignored: together
 * they are below 1% of the total for the reference model.
 */
export function referenceCnnFlops(args: ReferenceCnnArgs = {}): CnnFlops {
  const a = resolve(args);
  let size = a.inputSize;
  let inChannels = a.channels;
  let forward = 0;
  let backward = 0;
  a.filters.forEach((outChannels, i) => {
    size = Math.ceil(size / 2);
    const macs = size * size * outChannels * 3 * 3 * inChannels;
    forward += 2 * macs;
    backward += 2 * macs * (i === 0 ? 1 : 2);
    inChannels = outChannels;
  });
  const denseMacs = inChannels * a.classes;
  forward += 2 * denseMacs;
  backward += 4 * denseMacs;
  return { forwardPerFrame: forward, trainPerFrame: forward + backward };
}

/**
 * Mean categorical cross-entropy of probabilities `probs` [B, K] against one-hot `labels` [B, K]; a small
 * epsilon keeps log finite for a probability rounding to 0.
 */
export function crossEntropy(labels: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.log(tf.add(probs, 1e-7))), -1))) as tf.Scalar);
}

/**
 * Returns a function that runs one training step of `model` on (x [B,S,S,C], labels [B,K]) with `optimizer`
 * and returns the loss. It leaves no tensors behind (the optimizer's slot variables are created on the
 * first call and reused after).
 */
export function makeTrainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): (x: tf.Tensor4D, labels: tf.Tensor2D) => number {
  return (x, labels) => {
    const loss = optimizer.minimize(() => crossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor), true);
    if (loss == null) throw new Error('optimizer.minimize returned no loss');
    const value = loss.dataSync()[0];
    loss.dispose();
    return value;
  };
}
