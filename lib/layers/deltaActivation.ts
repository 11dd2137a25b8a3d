/**
 * The Delta Activation Layer: quantizes activations with a learnable threshold q (the quantisation step) and exposes the temporal changes
 * that a delta-based accelerator would transmit. Applied to clips `[batch, time, ...features]`.
 *
 * Training forward: y = q · round(relu(x) / q), q = |threshold| (see `quantize.ts` for the gradients).
 * Sparsity penalty (computed by the training loop with `layer.penalty(output)`, because tfjs-layers 4.22
 * cannot train on losses added with `addLoss` inside `call`):
 *
 *   penalty = λ · fanOut · mean |Δ|,  Δ_t = y_t − y_(t−1) over the T−1 differences of each clip.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, optionKeys, requireNonNegative, requireOneOf, requirePositive } from '../util/errors';
import { checkLayerFactoryArgs, type LayerArgs } from './layerArgs';
import { LAYER_ARG_RENAMES, upgradeLegacyKeys } from '../util/legacyNames';
import { quantize } from './quantize';
import { LayerShape, meanAbs, meanAbsTemporalDifference, requireTimeAxis, singleShape, singleTensor, temporalDifferences } from './timeAxis';


/** Smallest threshold q used, whatever the learned weight (1e-6: far below any useful threshold). */
export const MIN_THRESHOLD = 1e-6;

export const DELTA_GRANULARITIES = ['channel', 'neuron', 'layer'] as const;
/** One threshold per channel (last axis), per neuron (every feature position) or one for the whole layer. */
export type DeltaGranularity = (typeof DELTA_GRANULARITIES)[number];

export const DELTA_OUTPUTS = ['quantized', 'delta', 'delta-drop-first'] as const;
/**
 * What the layer passes on: `quantized` y (same time length), `delta` Δ with the first frame sent whole
 * (Δ_0 = y_0, same time length), or `delta-drop-first` only the T−1 changes (time length T−1).
 */
export type DeltaOutput = (typeof DELTA_OUTPUTS)[number];

/** Arguments of `deltaActivation`. */
export interface DeltaActivationArgs extends LayerArgs {
  /** Initial threshold q (> 0). Default 0.1 (as in the published method). */
  threshold?: number;
  /** Threshold granularity. Default 'channel'. */
  granularity?: DeltaGranularity;
  /**
   * λ, weight of the sparsity penalty (>= 0; 0 disables it). Default 1e-3. The published layer defaults to
   * 1.0 with a fan-out given by hand (k·k·filters); the fan-outs derived here count MACs per activation, and the
   * training configuration defaults to λ = 0.1 (`lib/train/config.ts`); a smaller λ keeps the
   * penalty comparable to a cross-entropy of about 1.
   */
  sparsityWeight?: number;
  /** Multiplications each activation feeds in the next layer (> 0). Default 1; the model builders set it. */
  fanOut?: number;
  /** What the layer outputs. Default 'quantized'. */
  output?: DeltaOutput;
  /**
   * Negate the gradient that reaches q through y = q · round(·), so that the penalty pushes q up (coarser
   * steps, more zero deltas) instead of down. Default true, as in the published method.
   */
  thresholdGrowsWithPenalty?: boolean;
  /** Apply relu before quantizing. Default true; set false for inputs that may be negative. */
  rectify?: boolean;
  /** Whether the threshold is learned. Default true. */
  trainableThreshold?: boolean;
}

export class DeltaActivation extends tf.layers.Layer {
  static className = 'DeltaActivation';

  readonly initialThreshold: number;
  readonly granularity: DeltaGranularity;
  readonly sparsityWeight: number;
  /** Multiplications per activation in the consumer layer; mutable so that builders can set it late. */
  fanOut: number;
  readonly outputMode: DeltaOutput;
  readonly thresholdGrowsWithPenalty: boolean;
  readonly rectify: boolean;
  readonly trainableThreshold: boolean;
  private thresholdWeight: tf.LayerVariable | null = null;

  constructor(rawArgs: DeltaActivationArgs = {}) {
    // Saved models from before the vocabulary clean-up name some arguments differently (lib/util/legacyNames).
    const args = upgradeLegacyKeys(rawArgs, LAYER_ARG_RENAMES, 'DeltaActivation argument');
    super(args);
    this.initialThreshold = requirePositive('threshold', args.threshold ?? 0.1);
    this.granularity = requireOneOf('granularity', args.granularity ?? 'channel', DELTA_GRANULARITIES);
    this.sparsityWeight = requireNonNegative('sparsityWeight', args.sparsityWeight ?? 1e-3);
    this.fanOut = requirePositive('fanOut', args.fanOut ?? 1);
    this.outputMode = requireOneOf('output', args.output ?? 'quantized', DELTA_OUTPUTS);
    this.thresholdGrowsWithPenalty = args.thresholdGrowsWithPenalty ?? true;
    this.rectify = args.rectify ?? true;
    this.trainableThreshold = args.trainableThreshold ?? true;
  }

  /** Shape of the threshold weight for a per-frame feature shape. */
  thresholdShape(features: readonly (number | null)[]): number[] {
    if (this.granularity === 'layer') return [1];
    const needed = this.granularity === 'channel' ? features.slice(-1) : features;
    if (needed.some((d) => d == null)) {
      throw invalidArgument(
        `${this.name} input shape`,
        `known feature sizes for granularity '${this.granularity}'`,
        features,
      );
    }
    return needed as number[];
  }

  override build(inputShape: LayerShape | LayerShape[]): void {
    const shape = singleShape(this.name, inputShape);
    requireTimeAxis(this.name, shape);
    this.thresholdWeight = this.addWeight(
      'threshold',
      this.thresholdShape(shape.slice(2)),
      'float32',
      tf.initializers.constant({ value: this.initialThreshold }),
      undefined,
      this.trainableThreshold,
    );
    this.built = true;
  }

  /** The learned thresholds q = |weight| (a new tensor; shape [C], [...features] or [1]). */
  thresholds(): tf.Tensor {
    if (this.thresholdWeight == null) throw invalidArgument(`${this.name}`, 'a built layer (call it on an input first)', 'unbuilt');
    // Floored so that a threshold driven through zero never divides by zero in quantize().
    return tf.maximum(tf.abs(this.thresholdWeight.read()), MIN_THRESHOLD);
  }

  /** Sets every threshold of the layer (all channels / neurons alike) to `q` (> 0). */
  setThreshold(q: number): void {
    requirePositive('q', q);
    if (this.thresholdWeight == null) throw invalidArgument(`${this.name}`, 'a built layer (call it on an input first)', 'unbuilt');
    const weight = this.thresholdWeight;
    tf.tidy(() => {
      weight.write(tf.fill(weight.shape as number[], q));
    });
  }

  /** The mean of the layer's thresholds q (over channels / neurons). */
  meanThreshold(): number {
    return tf.tidy(() => this.thresholds().mean().dataSync()[0]);
  }

  /** y = q · round(relu(x) / q) for any x whose trailing axes match the feature shape. */
  quantizeValues(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      quantize(x, this.thresholds(), { thresholdGrowsWithPenalty: this.thresholdGrowsWithPenalty, rectify: this.rectify }),
    );
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = singleTensor(this.name, inputs); // [B, T, ...features]
    requireTimeAxis(this.name, x.shape);
    return tf.tidy(() => {
      const y = this.quantizeValues(x);
      if (this.outputMode === 'quantized') return y;
      const changes = temporalDifferences(y); // [B, T−1, ...]
      if (this.outputMode === 'delta-drop-first') return changes;
      const first = tf.slice(y, y.shape.map(() => 0), [y.shape[0], 1, ...y.shape.slice(2)]);
      return tf.concat([first, changes], 1);
    });
  }

  override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape {
    const shape = [...singleShape(this.name, inputShape)];
    requireTimeAxis(this.name, shape);
    if (this.outputMode === 'delta-drop-first' && shape[1] != null) shape[1] = shape[1] - 1;
    return shape;
  }

  /** |Δ| of this layer's own output over the T−1 changes of each clip, e.g. [B, T−1, H, W, C]. */
  changesOf(output: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      if (this.outputMode === 'quantized') return temporalDifferences(output);
      if (this.outputMode === 'delta-drop-first') return tf.clone(output);
      const rest = [...output.shape];
      rest[1] = rest[1] - 1;
      return tf.slice(output, [0, 1, ...output.shape.slice(2).map(() => 0)], rest);
    });
  }

  /**
   * λ · fanOut · mean|Δ| from this layer's output (as returned by `call`). A differentiable scalar; its
   * gradient is 0 where Δ = 0 (sign(0) = 0, as in TensorFlow).
   */
  penalty(output: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const changes = this.outputMode === 'quantized' ? meanAbsTemporalDifference(output) : meanAbs(this.changesOf(output));
      return tf.mul(changes, this.sparsityWeight * this.fanOut);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      threshold: this.initialThreshold,
      granularity: this.granularity,
      sparsityWeight: this.sparsityWeight,
      fanOut: this.fanOut,
      output: this.outputMode,
      thresholdGrowsWithPenalty: this.thresholdGrowsWithPenalty,
      rectify: this.rectify,
      trainableThreshold: this.trainableThreshold,
    };
  }
}
tf.serialization.registerClass(DeltaActivation);

// Retired names (LAYER_ARG_RENAMES) stay accepted: the constructor reads them as their new ones.
const DELTA_ACTIVATION_ARG_KEYS = [
  ...optionKeys<Omit<DeltaActivationArgs, keyof LayerArgs>>({
    threshold: true, granularity: true, sparsityWeight: true, fanOut: true, output: true, thresholdGrowsWithPenalty: true,
    rectify: true, trainableThreshold: true,
  }),
  ...Object.keys(LAYER_ARG_RENAMES),
];

/** Creates a Delta Activation Layer (see `DeltaActivationArgs` for the arguments and their defaults). */
export function deltaActivation(args?: DeltaActivationArgs): DeltaActivation {
  return new DeltaActivation(checkLayerFactoryArgs('deltaActivation', args, DELTA_ACTIVATION_ARG_KEYS));
}
