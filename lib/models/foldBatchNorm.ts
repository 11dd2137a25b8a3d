/**
 * Folding inference-mode batch normalisation into the linear layer before it.
 *
 * A BatchNormalization layer in inference mode computes, per channel c,
 *   bn(z)_c = γ_c · (z_c − μ_c) / √(σ²_c + ε) + β_c
 * (tfjs-layers: moving mean μ, moving variance σ², `epsilon` from its config; γ = 1 without `scale`, β = 0
 * without `center`). When z = W·x + b comes straight from a conv, depthwise conv or dense layer with no
 * activation of its own, bn(z) is itself linear in x:
 *   s_c = γ_c / √(σ²_c + ε),   W'_{…,c} = s_c · W_{…,c},   b'_c = s_c · (b_c − μ_c) + β_c
 * so the pair runs as one linear layer with kernel W' and bias b' (Ioffe & Szegedy 2015 give the
 * inference-time transform; folding it into the preceding layer is standard practice in inference engines).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { activationName, LinearKind, linearKind, unwrapTimeDistributed } from './chain';

/** Inference-mode parameters of one batch-normalisation layer, one entry per channel (length C). */
export interface BatchNormParams {
  gamma: Float32Array;
  beta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  epsilon: number;
}

/** A linear layer's weights as flat arrays; the output channel of kernel entry i is i % outputs. */
export interface LinearWeights {
  /**
   * Row-major kernel as tfjs stores it: conv [kh, kw, Cin, Cout], depthwise [kh, kw, C, multiplier],
   * dense [in, units]. In all three the output channel of flat entry i is i % outputs.
   */
  kernel: Float32Array;
  kernelShape: number[];
  /** [outputs]; zeros when the layer has no bias. */
  bias: Float32Array;
  /** Output channels: Cout, C·multiplier or units. */
  outputs: number;
}

/**
 * Kernel and bias of `linear` followed by `batchNorm` (see the module comment). Pure: returns new arrays.
 * Throws when the batch-norm parameters do not have one entry per output channel.
 */
export function foldBatchNorm(linear: LinearWeights, batchNorm: BatchNormParams): LinearWeights {
  const { outputs } = linear;
  for (const key of ['gamma', 'beta', 'movingMean', 'movingVariance'] as const) {
    if (batchNorm[key].length !== outputs) {
      throw invalidArgument(`batchNorm.${key}`, `${outputs} values (one per output channel)`, `${batchNorm[key].length} values`);
    }
  }
  const scale = new Float64Array(outputs);
  const bias = new Float32Array(outputs);
  for (let c = 0; c < outputs; c++) {
    scale[c] = batchNorm.gamma[c] / Math.sqrt(batchNorm.movingVariance[c] + batchNorm.epsilon);
    bias[c] = scale[c] * (linear.bias[c] - batchNorm.movingMean[c]) + batchNorm.beta[c];
  }
  const kernel = new Float32Array(linear.kernel.length);
  for (let i = 0; i < kernel.length; i++) kernel[i] = linear.kernel[i] * scale[i % outputs];
  return { kernel, kernelShape: [...linear.kernelShape], bias, outputs };
}

/** The weights of a Conv2D, DepthwiseConv2D or Dense layer (possibly time-distributed) as flat arrays. */
export function linearWeights(layer: tf.layers.Layer): LinearWeights {
  const kind = linearKind(layer);
  if (kind == null) throw invalidArgument(`layer ${layer.name}`, 'a Conv2D, DepthwiseConv2D or Dense layer', unwrapTimeDistributed(layer).getClassName());
  const inner = unwrapTimeDistributed(layer);
  const weights = inner.getWeights();
  const kernelShape = weights[0].shape as number[];
  const outputs = kind === 'depthwise' ? kernelShape[2] * kernelShape[3] : kernelShape[kernelShape.length - 1];
  const useBias = inner.getConfig().useBias !== false && weights.length > 1;
  return {
    kernel: Float32Array.from(weights[0].dataSync()),
    kernelShape: [...kernelShape],
    bias: useBias ? Float32Array.from(weights[1].dataSync()) : new Float32Array(outputs),
    outputs,
  };
}

/** True for a BatchNormalization layer (possibly time-distributed). */
export function isBatchNorm(layer: tf.layers.Layer): boolean {
  return unwrapTimeDistributed(layer).getClassName() === 'BatchNormalization';
}

/** A batch-norm layer's inference parameters. Throws unless it normalises the last (channel) axis. */
export function batchNormParams(layer: tf.layers.Layer): BatchNormParams {
  const inner = unwrapTimeDistributed(layer);
  if (!isBatchNorm(layer)) throw invalidArgument(`layer ${layer.name}`, 'a BatchNormalization layer', inner.getClassName());
  const config = inner.getConfig();
  const axis = config.axis;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    throw invalidArgument(`${inner.name} axis`, '-1 (normalising channels)', axis);
  }
  const weights = inner.getWeights();
  const channels = weights[weights.length - 1].size;
  let next = 0;
  const read = (present: boolean, fill: number): Float32Array =>
    present ? Float32Array.from(weights[next++].dataSync()) : new Float32Array(channels).fill(fill);
  // tfjs orders the weights gamma, beta, moving mean, moving variance, leaving out gamma without `scale`
  // and beta without `center`.
  const gamma = read(config.scale !== false, 1);
  const beta = read(config.center !== false, 0);
  const movingMean = read(true, 0);
  const movingVariance = read(true, 1);
  return { gamma, beta, movingMean, movingVariance, epsilon: Number(config.epsilon ?? 1e-3) };
}

/** One linear layer of a chain with the batch norm that directly follows it folded in. */
export interface FoldedLinearLayer extends LinearWeights {
  /** Index of the linear layer in the chain. */
  index: number;
  layer: tf.layers.Layer;
  kind: LinearKind;
  /** The folded batch-norm layer (chain index `index + 1`), or null. */
  batchNorm: tf.layers.Layer | null;
}

/**
 * Every linear layer of `chain` (as from `modelChain`) with its weights, folding a batch norm that directly
 * follows a linear layer without an activation of its own. A batch norm anywhere else is left unfolded.
 */
export function foldBatchNormInChain(chain: readonly tf.layers.Layer[]): FoldedLinearLayer[] {
  const folded: FoldedLinearLayer[] = [];
  chain.forEach((layer, index) => {
    const kind = linearKind(layer);
    if (kind == null) return;
    const next = chain[index + 1];
    const foldable = next != null && isBatchNorm(next) && activationName(layer) === 'linear';
    const weights = linearWeights(layer);
    folded.push({
      ...(foldable ? foldBatchNorm(weights, batchNormParams(next)) : weights),
      index,
      layer,
      kind,
      batchNorm: foldable ? next : null,
    });
  });
  return folded;
}
