/**
 * Spatial-L1 baseline: a pass-through layer placed where delta layers would go, whose penalty is the same
 * L1 form on the activations themselves (no quantization, no time differences):
 *
 *   penalty = λ · fanOut · mean |y|
 *
 * It pushes activations to zero (spatial sparsity, exploited by zero-skipping hardware) instead of pushing
 * them to stay constant over time.
 */
import * as tf from '@tensorflow/tfjs';
import { optionKeys, requireNonNegative, requirePositive } from '../util/errors';
import { checkLayerFactoryArgs, type LayerArgs } from './layerArgs';
import { LayerShape, meanAbs, requireTimeAxis, singleShape, singleTensor } from './timeAxis';


/** Arguments of `spatialL1`. */
export interface SpatialL1Args extends LayerArgs {
  /** λ, weight of the penalty (>= 0). Default 1e-3 (same scale as the delta layer's default). */
  sparsityWeight?: number;
  /** Multiplications each activation feeds in the next layer (> 0). Default 1; the model builders set it. */
  fanOut?: number;
}

export class SpatialL1 extends tf.layers.Layer {
  static className = 'SpatialL1';

  readonly sparsityWeight: number;
  fanOut: number;

  constructor(args: SpatialL1Args = {}) {
    super(args);
    this.sparsityWeight = requireNonNegative('sparsityWeight', args.sparsityWeight ?? 1e-3);
    this.fanOut = requirePositive('fanOut', args.fanOut ?? 1);
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    requireTimeAxis(this.name, singleShape(this.name, inputShape));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = singleTensor(this.name, inputs); // [B, T, ...features]
    requireTimeAxis(this.name, x.shape);
    return tf.clone(x);
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    return singleShape(this.name, inputShape);
  }

  /** λ · fanOut · mean|y| of this layer's output. A differentiable scalar. */
  penalty(output: tf.Tensor): tf.Scalar {
    return tf.tidy(() => tf.mul(meanAbs(output), this.sparsityWeight * this.fanOut));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), sparsityWeight: this.sparsityWeight, fanOut: this.fanOut };
  }
}
tf.serialization.registerClass(SpatialL1);

const SPATIAL_L1_ARG_KEYS = optionKeys<Omit<SpatialL1Args, keyof LayerArgs>>({ sparsityWeight: true, fanOut: true });

/** Creates a spatial-L1 penalty layer (see `SpatialL1Args`). */
export function spatialL1(args?: SpatialL1Args): SpatialL1 {
  return new SpatialL1(checkLayerFactoryArgs('spatialL1', args, SPATIAL_L1_ARG_KEYS));
}

