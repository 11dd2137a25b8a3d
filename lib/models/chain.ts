/**
 * Reading the layers of a chain-shaped (sequential-topology) Layers model: which layers are linear
 * consumers of activations, which are activation points, and how TimeDistributed wraps them.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { isPenaltyLayer } from '../layers/penaltyLayer';

/** Linear layers whose multiplications the MAC counts and the cost model care about. */
export type LinearKind = 'conv' | 'depthwise' | 'dense';

const LINEAR_KINDS: Record<string, LinearKind> = { Conv2D: 'conv', DepthwiseConv2D: 'depthwise', Dense: 'dense' };
const POOLS = new Set(['GlobalAveragePooling2D', 'AveragePooling2D', 'MaxPooling2D', 'GlobalMaxPooling2D']);
const GLOBAL_POOLS = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D']);
const ACTIVATION_LAYERS = new Set(['ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'PReLU']);

/**
 * Wrappers that apply a layer to every frame: our FrameDistributed (time folded into the batch) and
 * tfjs-layers' TimeDistributed (one call per frame; models saved before FrameDistributed use it).
 */
const FRAME_WRAPPERS = new Set(['FrameDistributed', 'TimeDistributed']);

/** True for a FrameDistributed or TimeDistributed wrapper. */
export function isFrameWrapper(layer: tf.layers.Layer): boolean {
  return FRAME_WRAPPERS.has(layer.getClassName());
}

/** The layer a FrameDistributed or TimeDistributed wrapper applies per frame, or the layer itself. */
export function unwrapTimeDistributed(layer: tf.layers.Layer): tf.layers.Layer {
  if (isFrameWrapper(layer)) return (layer as unknown as { layer: tf.layers.Layer }).layer;
  return layer;
}

/** 'conv' | 'depthwise' | 'dense' for linear layers (possibly wrapped in FrameDistributed or TimeDistributed), else null. */
export function linearKind(layer: tf.layers.Layer): LinearKind | null {
  return LINEAR_KINDS[unwrapTimeDistributed(layer).getClassName()] ?? null;
}

/** A pooling layer (additions or comparisons, no multiplications). */
export function isPooling(layer: tf.layers.Layer): boolean {
  return POOLS.has(unwrapTimeDistributed(layer).getClassName());
}

export function isGlobalPooling(layer: tf.layers.Layer): boolean {
  return GLOBAL_POOLS.has(unwrapTimeDistributed(layer).getClassName());
}

/** A layer that reads activations and combines them (a linear layer or a pool): where fan-out is counted. */
export function isConsumer(layer: tf.layers.Layer): boolean {
  return linearKind(layer) != null || isPooling(layer);
}

/** The activation function name in a layer's config ('linear' when it has none). */
export function activationName(layer: tf.layers.Layer): string {
  const inner = unwrapTimeDistributed(layer);
  const config = inner.getConfig();
  if (inner.getClassName() === 'ReLU') return config.maxValue != null ? 'relu6' : 'relu';
  if (ACTIVATION_LAYERS.has(inner.getClassName())) return inner.getClassName().toLowerCase();
  const activation = config.activation;
  return typeof activation === 'string' ? activation : 'linear';
}

/** True when a layer's output is a non-linear activation that a delta layer should follow (softmax excluded). */
export function isActivationPoint(layer: tf.layers.Layer): boolean {
  if (isPenaltyLayer(layer)) return false;
  const name = activationName(layer);
  return name !== 'linear' && name !== 'softmax';
}

/**
 * The layers of a model that is a single chain input → l1 → l2 → … → output, without the InputLayer.
 * Throws for branching models (ResNet-style skips are not supported yet).
 */
export function modelChain(model: tf.LayersModel): tf.layers.Layer[] {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw invalidArgument('model', 'a model with one input and one output', `${model.inputs.length} inputs, ${model.outputs.length} outputs`);
  }
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  for (let i = 0; i < layers.length; i++) {
    const node = layers[i].inboundNodes[0];
    const inbound = node?.inboundLayers ?? [];
    const expected = i === 0 ? 'InputLayer' : layers[i - 1].name;
    const got = inbound.length === 1 ? (i === 0 ? inbound[0].getClassName() : inbound[0].name) : `${inbound.length} inputs`;
    if (got !== expected) {
      throw invalidArgument(
        'model',
        'a chain of layers (each layer reading the previous one; branching models are not supported)',
        `layer ${layers[i].name} reads ${got}`,
      );
    }
  }
  return layers;
}
