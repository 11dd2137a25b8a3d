/**
 * Refinement: turn an existing trained Layers model into a delta (or spatial-L1) video model, keeping its
 * weights. The source is either a per-frame model ([B, ...frame] → output; e.g. a pretrained image CNN
 * loaded from disk) — each of its layers is then applied per frame (TimeDistributed) and a temporal-average
 * head is appended — or a video model whose per-frame layers are already TimeDistributed.
 * Sparsity layers are inserted as in the builders: on the input, after every non-linear activation and after
 * a global pool, each with the fan-out of the layer that consumes it. The source model is left untouched:
 * layers are cloned from their configs and weights are copied.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { assembleVideoModel, ChainStep, checkBuilderArgs, SPARSITY_LAYER_ARG_KEYS, SparsityLayerArgs } from './assemble';
import { isFrameWrapper, modelChain, unwrapTimeDistributed } from './chain';
import { FrameDistributed } from '../layers/frameDistributed';

/** Arguments of `insertSparsityLayers` (besides those of `SparsityLayerArgs`; variant defaults to 'delta'). */
export interface InsertSparsityLayersArgs extends SparsityLayerArgs {
  /**
   * Whether the source is a per-frame model. Default: true unless it contains TimeDistributed or
   * GlobalAveragePooling1D layers.
   */
  perFrame?: boolean;
  /** T of the new input for a per-frame source (null: any length). Default null. */
  timeSteps?: number | null;
  /** Name of the new model. Default `${source.name}_delta`. */
  name?: string;
}

function cloneLayer(layer: tf.layers.Layer): tf.layers.Layer {
  // A TimeDistributed wrapper (models saved before FrameDistributed) becomes the faster FrameDistributed.
  if (layer.getClassName() === 'TimeDistributed') {
    return new FrameDistributed({ name: layer.name, layer: cloneLayer(unwrapTimeDistributed(layer)) });
  }
  const ctor = layer.constructor as tf.serialization.SerializableConstructor<tf.layers.Layer>;
  return ctor.fromConfig(ctor, layer.getConfig());
}

/** Every argument this builder reads (a misspelt one is refused, not ignored). */
const INSERT_ARG_KEYS = ['perFrame', 'timeSteps', 'name', ...SPARSITY_LAYER_ARG_KEYS];

/** A new video model with sparsity layers inserted and the source's weights copied in. */
export function insertSparsityLayers(source: tf.LayersModel, rawArgs: InsertSparsityLayersArgs = {}): tf.LayersModel {
  const args = checkBuilderArgs('insertSparsityLayers', rawArgs, INSERT_ARG_KEYS);
  const chain = modelChain(source);
  const isVideo = chain.some((l) => isFrameWrapper(l) || l.getClassName() === 'GlobalAveragePooling1D');
  const perFrame = args.perFrame ?? !isVideo;
  const inputShape = source.inputs[0].shape.slice(1);
  const frameDims = perFrame ? inputShape : inputShape.slice(1);
  if (frameDims.length === 0 || frameDims.some((d) => d == null)) {
    throw invalidArgument('model input shape', 'known frame sizes', source.inputs[0].shape);
  }
  const clones = chain.map(cloneLayer);
  const steps: ChainStep[] = clones.map((layer) => ({ layer, timeDistributed: perFrame }));
  const input = perFrame
    ? { timeSteps: args.timeSteps ?? null, frameShape: inputShape as number[] }
    : { timeSteps: inputShape[0], frameShape: inputShape.slice(1) as number[] };
  const model = assembleVideoModel(input, steps, args, {
    name: args.name ?? `${source.name}_delta`,
    temporalAverage: perFrame,
    defaultVariant: 'delta',
  });
  chain.forEach((layer, i) => {
    const weights = layer.getWeights();
    if (weights.length > 0) unwrapTimeDistributed(clones[i]).setWeights(weights);
  });
  return model;
}
