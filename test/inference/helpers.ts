/** Test models and clips for the sparse engine. */
import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../lib/util/random';
import { assembleVideoModel, ChainStep, classifierHead, SparsityLayerArgs } from '../../lib/models/assemble';
import { modelChain, unwrapTimeDistributed } from '../../lib/models/chain';
import { Arena } from '../../lib/inference/arena';
import type { SparseLoops } from '../../lib/inference/engine';
import { SparseLinear, TouchedPositions } from '../../lib/inference/scatter';
import { sparseKernels, SparseKernels } from '../../lib/inference/sparseKernels';

/**
 * A clip [T, H, W, 3] with real temporal structure: a sinusoidal grating drifting slowly to the right over the
 * left half of the frame, a bright square moving one pixel every other frame, and a still textured right half.
 */
export function movingClip(frames: number, size: number, seed = 3): Float32Array {
  const random = new SeededRandom(seed);
  const still = Float32Array.from({ length: size * size * 3 }, () => random.uniform(0, 0.8));
  const clip = new Float32Array(frames * size * size * 3);
  for (let t = 0; t < frames; t++) {
    const sx = Math.floor(t / 2) % (size - 6);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) {
          const i = (y * size + x) * 3 + c;
          let v = x < size / 2 ? 0.5 + 0.4 * Math.sin((x - 0.3 * t) * 0.7 + y * 0.2 + c) : still[i];
          if (y >= 4 && y < 10 && x >= sx && x < sx + 6) v = 0.9;
          clip[t * size * size * 3 + i] = v;
        }
      }
    }
  }
  return clip;
}

/** Frame t of a clip [T, H, W, C] (a view). */
export function frameOf(clip: Float32Array, t: number, frameSize: number): Float32Array {
  return clip.subarray(t * frameSize, (t + 1) * frameSize);
}

/** The model without its temporal-average head: per-frame outputs [1, T, classes]. */
export function perFrameModel(model: tf.LayersModel): tf.LayersModel {
  const chain = modelChain(model);
  const last = chain[chain.length - 1];
  const perFrame = last.getClassName() === 'GlobalAveragePooling1D' ? chain[chain.length - 2] : last;
  return tf.model({ inputs: model.inputs, outputs: perFrame.output as tf.SymbolicTensor });
}

/** Dense tfjs inference of the quantised model, per frame: [T][classes]. */
export function denseLogits(model: tf.LayersModel, clip: Float32Array, frames: number, frameShape: number[]): Float32Array[] {
  const classes = (model.outputs[0].shape[1] as number);
  const out = tf.tidy(() => (perFrameModel(model).predict(tf.tensor(clip, [1, frames, ...frameShape])) as tf.Tensor).dataSync());
  return Array.from({ length: frames }, (_, t) => out.slice(t * classes, (t + 1) * classes) as Float32Array);
}

/** Sets every batch norm of `model` to non-trivial moving statistics, γ and β (seeded). */
export function randomizeBatchNorms(model: tf.LayersModel, seed = 5): void {
  const random = new SeededRandom(seed);
  for (const layer of modelChain(model)) {
    const inner = unwrapTimeDistributed(layer);
    if (inner.getClassName() !== 'BatchNormalization') continue;
    const c = inner.getWeights()[0].size;
    const values = (low: number, high: number) => tf.tensor1d(Array.from({ length: c }, () => random.uniform(low, high)));
    const weights = [values(0.5, 1.5), values(-0.2, 0.2), values(-0.1, 0.1), values(0.3, 2)]; // γ, β, μ, σ²
    inner.setWeights(weights);
    tf.dispose(weights);
  }
}

/**
 * Gives every delta layer seeded per-unit thresholds q in [low, high], as training would: with one shared q, the
 * pooled mean of values quantised with q is often exactly half-way between two levels of the next layer's
 * same q (Σk/(H·W) with an odd half), and which way such an exact tie goes depends on float32 rounding.
 */
export function randomizeThresholds(model: tf.LayersModel, seed = 7, low = 0.03, high = 0.08): void {
  const random = new SeededRandom(seed);
  for (const layer of modelChain(model)) {
    if (layer.getClassName() !== 'DeltaActivation') continue;
    const shape = layer.getWeights()[0].shape;
    const q = tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random.uniform(low, high)), shape);
    layer.setWeights([q]);
    q.dispose();
  }
}

const bn = (name: string): ChainStep => ({ layer: tf.layers.batchNormalization({ name, axis: -1 }), timeDistributed: true });

/** The small CNN of `buildSmallCnn` (stride-2 3×3 convs) with a batch norm between each conv and its relu. */
export function smallCnnWithBatchNorm(inputShape: [number, number, number, number], classes: number, filters: number[], args: SparsityLayerArgs): tf.LayersModel {
  const steps: ChainStep[] = [];
  filters.forEach((f, i) => {
    steps.push(
      { layer: tf.layers.conv2d({ name: `conv${i + 1}`, filters: f, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed: 1 + i }) }), timeDistributed: true },
      bn(`bn${i + 1}`),
      { layer: tf.layers.reLU({ name: `relu${i + 1}` }), timeDistributed: false },
    );
  });
  steps.push(...classifierHead(classes, 1));
  const model = assembleVideoModel({ timeSteps: inputShape[0], frameShape: inputShape.slice(1) }, steps, args, { name: 'small_cnn_bn', temporalAverage: true, defaultVariant: 'delta' });
  randomizeBatchNorms(model);
  randomizeThresholds(model);
  return model;
}

/** A MobileNet-style stack (stem conv, depthwise + pointwise blocks, relu6) with batch norms after every conv. */
export function mobileNetWithBatchNorm(inputShape: [number, number, number, number], classes: number, args: SparsityLayerArgs): tf.LayersModel {
  const steps: ChainStep[] = [
    { layer: tf.layers.conv2d({ name: 'conv_stem', filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }), timeDistributed: true },
    bn('bn_stem'),
    { layer: tf.layers.reLU({ name: 'relu_stem', maxValue: 6 }), timeDistributed: false },
  ];
  [{ f: 16, s: 1 }, { f: 16, s: 2 }].forEach(({ f, s }, i) => {
    steps.push(
      { layer: tf.layers.depthwiseConv2d({ name: `dw${i + 1}`, kernelSize: 3, strides: s, padding: 'same', depthwiseInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.47, seed: 10 + i }) }), timeDistributed: true },
      bn(`bn_dw${i + 1}`),
      { layer: tf.layers.reLU({ name: `relu_dw${i + 1}`, maxValue: 6 }), timeDistributed: false },
      { layer: tf.layers.conv2d({ name: `pw${i + 1}`, filters: f, kernelSize: 1, kernelInitializer: tf.initializers.heNormal({ seed: 20 + i }) }), timeDistributed: true },
      bn(`bn_pw${i + 1}`),
      { layer: tf.layers.reLU({ name: `relu_pw${i + 1}`, maxValue: 6 }), timeDistributed: false },
    );
  });
  steps.push(...classifierHead(classes, 1));
  const model = assembleVideoModel({ timeSteps: inputShape[0], frameShape: inputShape.slice(1) }, steps, args, { name: 'mobilenet_bn', temporalAverage: true, defaultVariant: 'delta' });
  randomizeBatchNorms(model);
  randomizeThresholds(model);
  return model;
}

/**
 * One scatter with its accumulator, change list and touched set laid out in an arena, run by the given loops
 * (the WebAssembly loops need every buffer in their own memory).
 */
export function scatterHarness(loops: SparseLoops, make: (arena: Arena, kernels: SparseKernels | null) => SparseLinear, maxChanges: number) {
  const arena = new Arena();
  const kernels = loops === 'wasm' ? sparseKernels() : null;
  if (loops === 'wasm' && kernels == null) throw new Error('WebAssembly SIMD is not available in this Node');
  const scatter = make(arena, kernels);
  const touched = new TouchedPositions(scatter.outputPositions, arena);
  const buffers: { pending: Float32Array; indices: Int32Array; deltas: Float64Array } = { pending: new Float32Array(0), indices: new Int32Array(0), deltas: new Float64Array(0) };
  arena.reserve('f32', scatter.outputPositions * scatter.outputChannels, (view) => (buffers.pending = view));
  arena.reserve('i32', maxChanges, (view) => (buffers.indices = view));
  arena.reserve('f64', maxChanges, (view) => (buffers.deltas = view));
  arena.finish(kernels?.memory ?? null);
  return {
    touched,
    /** The float32 sums [outputs] the scatter added into. */
    accumulator: () => buffers.pending,
    /** Scatters the changes (indices[j], deltas[j]); returns the multiply-accumulates done. */
    run(indices: ArrayLike<number>, deltas: ArrayLike<number>): number {
      buffers.indices.set(indices);
      buffers.deltas.set(deltas);
      return scatter.scatter(buffers.indices, buffers.deltas, indices.length, buffers.pending, touched);
    },
  };
}
