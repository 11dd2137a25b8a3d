/**
 * Per-channel input normalisation, y = (x − mean) / std over the last axis, with mean and std stored as
 * (non-trainable) weights so that they travel with the model's checkpoint and with `insertSparsityLayers`.
 *
 * Networks trained from scratch on a few hundred real clips fit far better on zero-mean, unit-variance
 * inputs; the statistics are those of the training set (`channelStatistics` in lib/data), set once before
 * training with `setStatistics`. It is elementwise, so it sits in front of the input's delta layer: that
 * layer then quantises normalised pixels (which may be negative, so it must not rectify).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, requireInteger } from '../util/errors';
import { LayerShape, singleShape, singleTensor } from './timeAxis';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Arguments of `InputNormalization`. */
export interface InputNormalizationArgs extends LayerArgs {
  /** Channels of the last axis (3 for RGB frames). Required. */
  channels: number;
}

export class InputNormalization extends tf.layers.Layer {
  static className = 'InputNormalization';

  readonly channels: number;
  private mean!: tf.LayerVariable;
  private std!: tf.LayerVariable;

  constructor(args: InputNormalizationArgs) {
    super(args);
    this.channels = requireInteger('channels', args.channels, 1);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(this.name, inputShape);
    if (shape[shape.length - 1] !== this.channels) {
      throw invalidArgument(`${this.name} input`, `a last axis of ${this.channels} channels`, shape);
    }
    // Identity until statistics are set: a fresh model behaves as one without this layer.
    this.mean = this.addWeight('mean', [this.channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.std = this.addWeight('std', [this.channels], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleTensor(this.name, inputs); // [..., C]
      return tf.div(tf.sub(x, this.mean.read()), this.std.read());
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return singleShape(this.name, inputShape);
  }

  /**
   * Sets the per-channel statistics (length `channels` each).
   * @throws DeltaSparsityError when a length is wrong, a mean is not finite or a std is not > 0.
   */
  setStatistics(mean: ArrayLike<number>, std: ArrayLike<number>): void {
    const means = Array.from(mean);
    const stds = Array.from(std);
    if (means.length !== this.channels || !means.every(Number.isFinite)) {
      throw invalidArgument('mean', `${this.channels} finite numbers`, means);
    }
    if (stds.length !== this.channels || !stds.every((s) => Number.isFinite(s) && s > 0)) {
      throw invalidArgument('std', `${this.channels} positive numbers`, stds);
    }
    if (!this.built) throw invalidArgument(this.name, 'a layer that is part of a model (built)', 'an unbuilt layer');
    const values = [tf.tensor1d(means), tf.tensor1d(stds)];
    this.setWeights(values); // copies the values
    tf.dispose(values);
  }

  /** The statistics in use: { mean, std }, `channels` numbers each. */
  statistics(): { mean: number[]; std: number[] } {
    return { mean: Array.from(this.mean.read().dataSync()), std: Array.from(this.std.read().dataSync()) };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), channels: this.channels };
  }
}
tf.serialization.registerClass(InputNormalization);

/** True for an `InputNormalization` layer (also when loaded from a file). */
export function isInputNormalization(layer: tf.layers.Layer): layer is InputNormalization {
  return layer.getClassName() === InputNormalization.className;
}
