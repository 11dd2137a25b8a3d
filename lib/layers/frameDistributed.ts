/**
 * Applies a per-frame layer to every frame of a clip by folding time into the batch:
 *
 *   [B, T, ...features] → reshape [B·T, ...features] → inner layer (one call) → [B·T, ...out] → [B, T, ...out]
 *
 * It computes what tfjs-layers' `TimeDistributed` computes for layers that treat batch items independently
 * (convolutions, dense, pooling, activations), but TimeDistributed calls the inner layer once per frame
 * (T calls, then a stack) and its gradient unstacks again: on the wasm backend that was 1,157 kernel calls per
 * training step of the study's delta model (issue #12). The reshapes here copy nothing.
 *
 * A layer that mixes batch items behaves differently: BatchNormalization in training computes its batch
 * statistics over all B·T frames at once (TimeDistributed: over the B frames of each time step, updating
 * the moving averages T times). `kwargs.training` is passed to the inner layer.
 *
 * Models saved with TimeDistributed still load as TimeDistributed (`lib/models/chain.ts` treats both wrappers
 * alike); `insertSparsityLayers` rebuilds them with this wrapper.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, optionKeys } from '../util/errors';
import { checkLayerFactoryArgs, type LayerArgs } from './layerArgs';
import { LayerShape, singleShape, singleTensor } from './timeAxis';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];

/** Arguments of `frameDistributed`. */
export interface FrameDistributedArgs extends LayerArgs {
  /** The per-frame layer, e.g. a Conv2D taking [batch, H, W, C]. Required. */
  layer: tf.layers.Layer;
}

/** The shape the inner layer sees: [B·T, ...features] (null when B or T is unknown). */
function foldedShape(layerName: string, shape: LayerShape): LayerShape {
  if (shape.length < 3) {
    throw invalidArgument(`${layerName} input shape`, 'a shape [batch, time, ...features] (rank >= 3)', shape);
  }
  const [batch, time] = shape;
  return [batch != null && time != null ? batch * time : null, ...shape.slice(2)];
}

/**
 * The layer a `{ className, config }` entry describes, built through the class registry that
 * `tf.serialization.registerClass` fills (tfjs exports no `deserialize` for layers).
 */
function deserializeLayer(entry: unknown, customObjects: tf.serialization.ConfigDict): tf.layers.Layer {
  const { className, config } = (entry ?? {}) as { className?: unknown; config?: unknown };
  const registered =
    typeof className === 'string' ? tf.serialization.SerializationMap.getMap().classNameMap[className] : undefined;
  if (registered == null || config == null || typeof config !== 'object') {
    throw invalidArgument('FrameDistributed config.layer', 'a { className, config } of a registered layer class', className);
  }
  const [cls, fromConfig] = registered;
  const layer = fromConfig(cls, { ...(config as tf.serialization.ConfigDict), customObjects });
  if (!(layer instanceof tf.layers.Layer)) {
    throw invalidArgument('FrameDistributed config.layer', 'a layer class', className);
  }
  return layer;
}

export class FrameDistributed extends tf.layers.Layer {
  static className = 'FrameDistributed';

  /** The per-frame layer (the same property name as TimeDistributed's, read by `unwrapTimeDistributed`). */
  readonly layer: tf.layers.Layer;

  constructor(args: FrameDistributedArgs) {
    super(args);
    if (!(args?.layer instanceof tf.layers.Layer)) {
      throw invalidArgument('layer', 'a tfjs Layer to apply to each frame', args?.layer);
    }
    this.layer = args.layer;
    this.supportsMasking = false;
  }

  // Weights, trainability and losses are the inner layer's (as in tfjs-layers' Wrapper).
  override get trainable(): boolean {
    return this.layer != null ? this.layer.trainable : false;
  }

  override set trainable(value: boolean) {
    // The base constructor assigns `trainable` before `layer` exists.
    if (this.layer != null) this.layer.trainable = value;
  }

  override get trainableWeights(): tf.LayerVariable[] {
    return this.layer.trainableWeights;
  }

  override get nonTrainableWeights(): tf.LayerVariable[] {
    return this.layer.nonTrainableWeights;
  }

  override get losses(): tf.layers.Layer['losses'] {
    return this.layer.losses;
  }

  override getWeights(): tf.Tensor[] {
    return this.layer.getWeights();
  }

  override setWeights(weights: tf.Tensor[]): void {
    this.layer.setWeights(weights);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(this.name, inputShape);
    const inner = foldedShape(this.name, shape);
    if (!this.layer.built) {
      this.layer.build(inner);
      this.layer.built = true;
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = singleShape(this.name, inputShape);
    const inner = this.layer.computeOutputShape([shape[0], ...shape.slice(2)]) as LayerShape;
    return [inner[0], shape[1], ...inner.slice(1)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const x = singleTensor(this.name, inputs); // [B, T, ...features]
    return tf.tidy(() => {
      const [batch, time] = x.shape;
      const folded = tf.reshape(x, [batch * time, ...x.shape.slice(2)]); // [B·T, ...features]
      const output = this.layer.call(folded, kwargs);
      const y = singleTensor(this.layer.name, output); // [B·T, ...out]
      return tf.reshape(y, [batch, time, ...y.shape.slice(1)]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      layer: { className: this.layer.getClassName(), config: this.layer.getConfig() },
    };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
    customObjects: tf.serialization.ConfigDict = {},
  ): T {
    const { layer: layerConfig, ...rest } = config;
    return new cls({ ...rest, layer: deserializeLayer(layerConfig, customObjects) } as unknown as tf.serialization.ConfigDict);
  }
}
tf.serialization.registerClass(FrameDistributed);

const FRAME_DISTRIBUTED_ARG_KEYS = optionKeys<Omit<FrameDistributedArgs, keyof LayerArgs>>({ layer: true });

/** Wraps a per-frame layer so that it runs on every frame of [B, T, ...] clips in one call (see the module comment). */
export function frameDistributed(args: FrameDistributedArgs): FrameDistributed {
  return new FrameDistributed(checkLayerFactoryArgs('frameDistributed', args, FRAME_DISTRIBUTED_ARG_KEYS));
}
