/**
 * Assembles a video model from per-frame layers: each layer is applied to every frame (FrameDistributed where
 * needed), delta or spatial-L1 layers are inserted at the activation points, and a temporal-average head
 * turns per-frame outputs [B, T, classes] into clip outputs [B, classes].
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, rejectUnknownKeys, requireOneOf } from '../util/errors';
import { DeltaActivation, DeltaGranularity, DeltaOutput } from '../layers/deltaActivation';
import { SpatialL1 } from '../layers/spatialL1';
import { FrameDistributed } from '../layers/frameDistributed';
import { isPenaltyLayer, PenaltyLayer } from '../layers/penaltyLayer';
import { InputNormalization, isInputNormalization } from '../layers/inputNormalization';
import { isActivationPoint, isConsumer, isGlobalPooling, unwrapTimeDistributed } from './chain';
import { FanOutConvention, fanOutOf } from './fanOut';
import { LAYER_ARG_RENAMES, upgradeLegacyKeys } from '../util/legacyNames';

export const MODEL_VARIANTS = ['baseline', 'delta', 'spatial-l1'] as const;
/** No sparsity layers, Delta Activation Layers, or the spatial-L1 baseline at the same positions. */
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** Where and how sparsity layers are inserted (shared by the builders and `insertSparsityLayers`). */
export interface SparsityLayerArgs {
  /** Default 'baseline' in the builders, 'delta' in `insertSparsityLayers`. */
  variant?: ModelVariant;
  /** Initial threshold q of every delta layer. Default 0.1. */
  threshold?: number;
  /** Threshold granularity. Default 'channel'. */
  granularity?: DeltaGranularity;
  /** λ of every delta / spatial-L1 layer. Default 1e-3. */
  sparsityWeight?: number;
  /** What delta layers output. Default 'quantized' (the only mode streaming inference reproduces). */
  output?: DeltaOutput;
  /** Negate the gradient reaching q (pushes q up). Default true. */
  thresholdGrowsWithPenalty?: boolean;
  /** How fan-out is counted (see `fanOut.ts`). Default 'macs'. */
  fanOutConvention?: FanOutConvention;
  /** Insert a layer on the input frames. Default true. */
  onInput?: boolean;
  /** Rectify (relu) the input frames before quantizing; set false for inputs that may be negative. Default true. */
  rectifyInput?: boolean;
  /**
   * Insert a layer after a global pool that feeds a dense layer (the pooled features are what the dense
   * reads). The layer in front of the pool then has fan-out 1 (an addition). Default true.
   */
  afterGlobalPooling?: boolean;
}

/** Options of the per-frame networks that are not about sparsity (shared by both builders). */
export interface FrameNetworkArgs {
  /**
   * BatchNormalization after every conv and depthwise conv (conv → BN → ReLU → delta layer); the convs then
   * have no bias. Needed to train from scratch on small real datasets. At inference BN is folded into the
   * preceding conv (`foldBatchNorm`), so MAC counts and streaming are unchanged. Default false.
   */
  batchNorm?: boolean;
  /**
   * An `InputNormalization` layer first ((x − mean) / std per channel, statistics set from the training set
   * before training); the input's delta layer then follows it and does not rectify. Default false.
   */
  inputNormalization?: boolean;
}

/** The BatchNormalization step that follows a conv when `batchNorm` is on. */
export function batchNormStep(name: string): ChainStep {
  // momentum 0.9 (PyTorch's 0.1): the moving statistics settle within the few hundred steps small sets allow.
  return { layer: tf.layers.batchNormalization({ name, axis: -1, momentum: 0.9, epsilon: 1e-3 }), timeDistributed: true };
}

/** The first step of a network with `inputNormalization`: per-channel (x − mean) / std. */
export function inputNormalizationStep(channels: number): ChainStep {
  return { layer: new InputNormalization({ name: 'input_normalization', channels }), timeDistributed: false };
}

/** One per-frame layer of the chain; `timeDistributed` wraps it so it runs on each frame. */
export interface ChainStep {
  layer: tf.layers.Layer;
  timeDistributed: boolean;
}

/** Input of an assembled model: T (null for any length) and the per-frame shape, e.g. [H, W, C]. */
export interface VideoInput {
  timeSteps: number | null;
  frameShape: number[];
}

function makePenaltyLayer(args: SparsityLayerArgs, variant: ModelVariant, name: string, onInput: boolean, normalized: boolean): PenaltyLayer {
  if (variant === 'spatial-l1') return new SpatialL1({ name, sparsityWeight: args.sparsityWeight });
  return new DeltaActivation({
    name,
    threshold: args.threshold,
    granularity: args.granularity,
    sparsityWeight: args.sparsityWeight,
    output: args.output,
    thresholdGrowsWithPenalty: args.thresholdGrowsWithPenalty,
    // Normalised inputs are signed: rectifying them would zero half the signal.
    rectify: onInput ? !normalized && (args.rectifyInput ?? true) : true,
  });
}

/** The arguments of `SparsityLayerArgs` and `FrameNetworkArgs`, for the builders' unknown-argument check. */
export const SPARSITY_LAYER_ARG_KEYS = [
  'variant', 'threshold', 'granularity', 'sparsityWeight', 'output', 'thresholdGrowsWithPenalty', 'fanOutConvention', 'onInput',
  'rectifyInput', 'afterGlobalPooling',
] as const;
export const FRAME_NETWORK_ARG_KEYS = ['batchNorm', 'inputNormalization'] as const;

/**
 * A builder's arguments with retired names read as their new ones (MIGRATION.md); throws a DeltaSparsityError
 * naming `owner` for an argument that is not in `known` (a misspelt one would otherwise be ignored).
 */
export function checkBuilderArgs<T extends object>(owner: string, args: T, known: readonly string[]): T {
  if (args == null || typeof args !== 'object' || Array.isArray(args)) throw invalidArgument(`${owner} arguments`, 'an object of named arguments', args);
  const upgraded = upgradeLegacyKeys(args, LAYER_ARG_RENAMES, 'model builder argument');
  rejectUnknownKeys(owner, upgraded, known);
  return upgraded;
}

/** Builds the video model; returns it with its layers in chain order. */
export function assembleVideoModel(
  input: VideoInput,
  steps: ChainStep[],
  args: SparsityLayerArgs,
  options: { name: string; temporalAverage: boolean; defaultVariant: ModelVariant },
): tf.LayersModel {
  const variant = requireOneOf('variant', args.variant ?? options.defaultVariant, MODEL_VARIANTS);
  const convention = args.fanOutConvention ?? 'macs';
  const prefix = variant === 'delta' ? 'delta' : 'l1';
  const inputTensor = tf.input({ shape: [input.timeSteps, ...input.frameShape], name: `${options.name}_input` });
  let x = inputTensor;
  // Penalty layers waiting for their consumer's input shape to know their fan-out.
  let pending: PenaltyLayer | null = null;
  // The input's sparsity layer sees the frames as the first linear layer reads them: after normalisation.
  const normalized = steps.length > 0 && isInputNormalization(steps[0].layer);
  const inputIndex = normalized ? 1 : 0;

  for (let i = 0; i <= steps.length; i++) {
    const previous = i === 0 ? null : steps[i - 1].layer;
    const wanted =
      variant !== 'baseline' &&
      (i === inputIndex
        ? (args.onInput ?? true)
        : previous != null && (isActivationPoint(previous) || ((args.afterGlobalPooling ?? true) && isGlobalPooling(previous))));
    const consumerIndex = steps.findIndex((step, j) => j >= i && isConsumer(step.layer));
    if (wanted && consumerIndex >= 0 && pending == null) {
      const consumerName = unwrapTimeDistributed(steps[consumerIndex].layer).name;
      pending = makePenaltyLayer(args, variant, `${prefix}_${consumerName}`, i === inputIndex, normalized);
      x = pending.apply(x) as tf.SymbolicTensor;
    }
    if (i === steps.length) break;
    const step = steps[i];
    if (isPenaltyLayer(step.layer)) {
      throw invalidArgument('model', 'a model without delta or spatial-L1 layers', `layer ${step.layer.name}`);
    }
    if (pending != null && isConsumer(step.layer)) {
      pending.fanOut = fanOutOf(step.layer, x.shape.slice(2) as number[], convention);
      pending = null;
    }
    const layer = step.timeDistributed ? new FrameDistributed({ layer: step.layer, name: `${step.layer.name}_td` }) : step.layer;
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  if (options.temporalAverage) {
    x = tf.layers.globalAveragePooling1d({ name: 'temporal_average' }).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: inputTensor, outputs: x, name: options.name });
}

/**
 * The per-frame classifier head both builders end with: global average pool, then a dense layer to logits.
 * (The temporal average over frames is added by `assembleVideoModel`.)
 */
export function classifierHead(classes: number, seed: number): ChainStep[] {
  return [
    { layer: tf.layers.globalAveragePooling2d({ name: 'pool' }), timeDistributed: true },
    {
      layer: tf.layers.dense({ name: 'logits', units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 }) }),
      timeDistributed: true,
    },
  ];
}
