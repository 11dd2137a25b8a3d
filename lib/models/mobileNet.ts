/**
 * A MobileNet-v1-style depthwise-separable CNN applied to each frame, with a temporal-average head:
 *   [B, T, H, W, C] → conv 3×3 stride 2 (α·stem) → relu
 *   → per block: depthwise 3×3 (stride s) → relu → pointwise 1×1 (α·filters) → relu
 *   → global average pool → dense(classes) → average over time → logits [B, classes].
 * Default blocks are the first four of MobileNetV1 (Howard et al. 2017, Table 1: 64/1, 128/2, 128/1, 256/2)
 * with width multiplier α = 0.25, small enough to train on 2 CPU cores at 32×32–64×64. With `batchNorm`, a
 * batch norm follows every conv (folded into it at inference, so a delta accumulator still holds each layer's
 * exact pre-activation output).
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument, requireInteger, requirePositive } from '../util/errors';
import { assembleVideoModel, checkBuilderArgs, FRAME_NETWORK_ARG_KEYS, SPARSITY_LAYER_ARG_KEYS, batchNormStep, ChainStep, classifierHead, FrameNetworkArgs, inputNormalizationStep, SparsityLayerArgs } from './assemble';
import { checkVideoShape } from './smallCnn';

/** One depthwise-separable block: pointwise filters (before α) and depthwise stride. */
export interface MobileNetBlock {
  filters: number;
  stride: number;
}

/** Arguments of `buildMobileNet`. */
export interface MobileNetArgs extends SparsityLayerArgs, FrameNetworkArgs {
  /** [T, H, W, C]; T may be null. Required. */
  inputShape: [number | null, number, number, number];
  /** Number of classes (outputs are logits). Required. */
  classes: number;
  /** Width multiplier α scaling every filter count (rounded, at least 1). Default 0.25. */
  widthMultiplier?: number;
  /** Filters of the stem conv before α. Default 32. */
  stemFilters?: number;
  /** Blocks. Default [{64,1},{128,2},{128,1},{256,2}]. */
  blocks?: MobileNetBlock[];
  /** Seed of the weight initialisers. Default 1. */
  seed?: number;
  /** Model name. Default 'mobilenet'. */
  name?: string;
}

export const DEFAULT_MOBILENET_BLOCKS: readonly MobileNetBlock[] = [
  { filters: 64, stride: 1 },
  { filters: 128, stride: 2 },
  { filters: 128, stride: 1 },
  { filters: 256, stride: 2 },
];

/** Every argument this builder reads (a misspelt one is refused, not ignored). */
const MOBILE_NET_ARG_KEYS = ['inputShape', 'classes', 'widthMultiplier', 'stemFilters', 'blocks', 'seed', 'name', ...FRAME_NETWORK_ARG_KEYS, ...SPARSITY_LAYER_ARG_KEYS];

/** Builds the MobileNet-v1-style video classifier (see the module comment). */
export function buildMobileNet(rawArgs: MobileNetArgs): tf.LayersModel {
  const args = checkBuilderArgs('buildMobileNet', rawArgs, MOBILE_NET_ARG_KEYS);
  const inputShape = checkVideoShape(args.inputShape);
  const classes = requireInteger('classes', args.classes, 1);
  const alpha = requirePositive('widthMultiplier', args.widthMultiplier ?? 0.25);
  const blocks = args.blocks ?? DEFAULT_MOBILENET_BLOCKS;
  if (blocks.length === 0) throw invalidArgument('blocks', 'a non-empty list of {filters, stride}', blocks);
  const width = (f: number): number => Math.max(1, Math.round(f * alpha));
  const seed = args.seed ?? 1;
  let seedOffset = 0;
  const he = () => tf.initializers.heNormal({ seed: seed + seedOffset++ });
  // tfjs's heNormal takes a depthwise kernel [k, k, C, 1]'s fan-in as k·k·C, but each output reads only k·k
  // inputs: that would shrink activations C-fold per block (dead relus deep in the net). Use He's std for k·k.
  const depthwiseInit = () => tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / 9), seed: seed + seedOffset++ });

  const bn = args.batchNorm ?? false;
  const steps: ChainStep[] = [
    ...(args.inputNormalization ? [inputNormalizationStep(inputShape[3])] : []),
    {
      layer: tf.layers.conv2d({ name: 'conv_stem', filters: width(requireInteger('stemFilters', args.stemFilters ?? 32, 1)), kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: he(), useBias: !bn }),
      timeDistributed: true,
    },
    ...(bn ? [batchNormStep('bn_stem')] : []),
    { layer: tf.layers.reLU({ name: 'relu_stem' }), timeDistributed: false },
  ];
  blocks.forEach((block, i) => {
    const n = i + 1;
    requireInteger(`blocks[${i}].filters`, block.filters, 1);
    requireInteger(`blocks[${i}].stride`, block.stride, 1);
    steps.push(
      {
        layer: tf.layers.depthwiseConv2d({ name: `dw${n}`, kernelSize: 3, strides: block.stride, padding: 'same', depthwiseInitializer: depthwiseInit(), useBias: !bn }),
        timeDistributed: true,
      },
      ...(bn ? [batchNormStep(`bn_dw${n}`)] : []),
      { layer: tf.layers.reLU({ name: `relu_dw${n}` }), timeDistributed: false },
      { layer: tf.layers.conv2d({ name: `pw${n}`, filters: width(block.filters), kernelSize: 1, kernelInitializer: he(), useBias: !bn }), timeDistributed: true },
      ...(bn ? [batchNormStep(`bn_pw${n}`)] : []),
      { layer: tf.layers.reLU({ name: `relu_pw${n}` }), timeDistributed: false },
    );
  });
  steps.push(...classifierHead(classes, seed));
  return assembleVideoModel(
    { timeSteps: inputShape[0], frameShape: inputShape.slice(1) as number[] },
    steps,
    args,
    { name: args.name ?? 'mobilenet', temporalAverage: true, defaultVariant: 'baseline' },
  );
}
