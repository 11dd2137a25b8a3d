/**
 * A small plain CNN applied to each frame, with a temporal-average head:
 *   [B, T, H, W, C] → (conv k×k stride s [→ batch norm] → relu) × len(filters) → global average pool → dense(classes)
 *   → average over time → logits [B, classes].
 * Strided convs downsample (no max pooling, which is non-linear and would break delta accumulation).
 * With variant 'delta' (or 'spatial-l1') a sparsity layer sits on the input frames, after every relu and
 * after the global pool.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, requireInteger } from '../util/errors';
import { assembleVideoModel, checkBuilderArgs, FRAME_NETWORK_ARG_KEYS, SPARSITY_LAYER_ARG_KEYS, batchNormStep, ChainStep, classifierHead, FrameNetworkArgs, inputNormalizationStep, SparsityLayerArgs } from './assemble';

/** Arguments of `buildSmallCnn`. */
export interface SmallCnnArgs extends SparsityLayerArgs, FrameNetworkArgs {
  /** [T, H, W, C]; T may be null for clips of any length. Required. */
  inputShape: [number | null, number, number, number];
  /** Number of classes (outputs are logits). Required. */
  classes: number;
  /** Filters of each conv. Default [8, 16, 32]. */
  filters?: number[];
  /** Kernel size of every conv. Default 3. */
  kernelSize?: number;
  /** Stride of each conv (same length as filters). Default 2 for every conv. */
  strides?: number[];
  /** Seed of the weight initialisers. Default 1. */
  seed?: number;
  /** Model name. Default 'small_cnn'. */
  name?: string;
}

export function checkVideoShape(inputShape: unknown): [number | null, number, number, number] {
  const ok =
    Array.isArray(inputShape) &&
    inputShape.length === 4 &&
    (inputShape[0] === null || (Number.isInteger(inputShape[0]) && inputShape[0] > 0)) &&
    inputShape.slice(1).every((d) => Number.isInteger(d) && d > 0);
  if (!ok) throw invalidArgument('inputShape', '[time, height, width, channels] (time may be null)', inputShape);
  return inputShape as [number | null, number, number, number];
}

/** Every argument this builder reads (a misspelt one is refused, not ignored). */
const SMALL_CNN_ARG_KEYS = ['inputShape', 'classes', 'filters', 'kernelSize', 'strides', 'seed', 'name', ...FRAME_NETWORK_ARG_KEYS, ...SPARSITY_LAYER_ARG_KEYS];

/** Builds the small per-frame CNN video classifier (see the module comment). */
export function buildSmallCnn(rawArgs: SmallCnnArgs): tf.LayersModel {
  const args = checkBuilderArgs('buildSmallCnn', rawArgs, SMALL_CNN_ARG_KEYS);
  const inputShape = checkVideoShape(args.inputShape);
  const classes = requireInteger('classes', args.classes, 1);
  const filters = args.filters ?? [8, 16, 32];
  if (filters.length === 0) throw invalidArgument('filters', 'a non-empty list of positive integers', filters);
  filters.forEach((f, i) => requireInteger(`filters[${i}]`, f, 1));
  const kernelSize = requireInteger('kernelSize', args.kernelSize ?? 3, 1);
  const strides = args.strides ?? filters.map(() => 2);
  if (strides.length !== filters.length) throw invalidArgument('strides', `${filters.length} strides (one per conv)`, strides);
  strides.forEach((s, i) => requireInteger(`strides[${i}]`, s, 1));
  const seed = args.seed ?? 1;

  const steps: ChainStep[] = args.inputNormalization ? [inputNormalizationStep(inputShape[3])] : [];
  filters.forEach((f, i) => {
    steps.push({
      layer: tf.layers.conv2d({
        name: `conv${i + 1}`,
        filters: f,
        kernelSize,
        strides: strides[i],
        padding: 'same',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        useBias: !args.batchNorm, // BN's β is the bias
      }),
      timeDistributed: true,
    });
    if (args.batchNorm) steps.push(batchNormStep(`bn${i + 1}`));
    steps.push({ layer: tf.layers.reLU({ name: `relu${i + 1}` }), timeDistributed: false });
  });
  steps.push(...classifierHead(classes, seed));
  return assembleVideoModel(
    { timeSteps: inputShape[0], frameShape: inputShape.slice(1) as number[] },
    steps,
    args,
    { name: args.name ?? 'small_cnn', temporalAverage: true, defaultVariant: 'baseline' },
  );
}
