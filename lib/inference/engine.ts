/**
 * A sparse streaming engine: frame-by-frame delta inference that does work only for the inputs that changed.
 *
 * Built once from a chain-shaped video model (as from `buildSmallCnn` / `buildMobileNet` with delta layers):
 * weights are copied into typed arrays, with a batch norm that directly follows a conv / depthwise / dense
 * layer folded into it (`foldBatchNorm`). Per frame, in loops over typed arrays (no tfjs op per frame) laid out
 * in one block (`Arena`): by default a small WebAssembly module with 128-bit SIMD (`sparseKernels.ts`,
 * wasm/sparse.wat), else the TypeScript loops (`loops: 'typescript'`), which give bit-identical results:
 * - a delta layer quantises its current input, y = q · round(relu(x) / q) (round half to even, as tf.round),
 *   with its learned per-channel / per-neuron / per-layer threshold q, compares the level with the one it last
 *   sent and emits only the changes, as a sparse list (index, Δ); the first frame is sent whole (against 0);
 * - a linear layer fed by a delta layer keeps its pre-activation output in a float64 accumulator (initialised
 *   with its bias) and adds W·Δ for the listed changes only (see `scatter.ts`): a conv scatters a k×k×Cout
 *   stencil per change (the changes of one input pixel summed per tap when Cout is a multiple of 16), a
 *   depthwise conv a k×k stencil, a dense layer one weight row; a global average pool adds Δ/(H·W) into its
 *   channel; a linear layer fed by whole values recomputes from its bias, skipping zeros. A frame's sums are
 *   formed in float32 (four SIMD lanes) and folded into the accumulator of the touched positions only;
 * - element-wise layers (relu, relu6, an unfolded batch norm) run only on the output positions whose
 *   accumulator changed, and the next delta layer compares only those.
 * The per-frame output therefore equals dense inference of the model with its delta layers in 'quantized'
 * mode (what `createStreamingModel` reproduces with tfjs ops), up to float rounding: the accumulators are
 * float64 and each frame adds only its own float32-rounded increment (relative error ~6e-8 of that increment,
 * not of the accumulated value), so they do not drift the way float32 accumulators would. Delta layers quantise
 * as tfjs does: level = round(f32(x) / q) with the division in float32 and ties to even (`quantizationLevel`).
 * When results can differ: a delta layer's input within float rounding (~1e-6 relative) of a level boundary
 * x/q = k + ½ may land on the other side than in tfjs's float32 convolutions and pools, and that unit then
 * differs by one level (±q, so its consumers by q·|W|) while it stays there. Continuous conv outputs almost never
 * do; exact ties arise when a delta layer reads the global average of another delta layer's levels with the same
 * q (Σk/(H·W) with an odd half), as in an untrained model where every q is 0.1: with 2x2 pooled positions about a
 * fifth of the pooled units are exact ties, of which the engine sends 0-1 the other way (engineTies.test.ts).
 *
 * Operation counts use the definitions of `measureSparsity` and `createStreamingModel`: per linear layer,
 * `macs` counts the multiply-accumulates the loops did (the input being Δ behind a delta layer, else the
 * values; stencil taps inside the output only, so border inputs feed fewer and padding none), which equals
 * Σ over non-zero inputs of their position's fan-out (`positionFanOutOf`); `denseMacs` is the standard dense
 * count, n · the 'macs' fan-out of `fanOutOf` per frame, padding taps included.
 */
import { isInputNormalization } from '../layers/inputNormalization';
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, DeltaSparsityError, invalidArgument, optionKeys } from '../util/errors';
import { DeltaActivation } from '../layers/deltaActivation';
import { activationName, LinearKind, linearKind, modelChain, unwrapTimeDistributed } from '../models/chain';
import { FanOutConvention, fanOutOf } from '../models/fanOut';
import { batchNormParams, foldBatchNormInChain, FoldedLinearLayer, isBatchNorm } from '../models/foldBatchNorm';
import { Arena } from './arena';
import { axisGeometry, ConvScatter, DenseScatter, PoolScatter, SparseLinear, TouchedPositions } from './scatter';
import { sparseKernels, SparseKernels } from './sparseKernels';
import { DeltaStage, LinearStage, Pointwise, PointwiseStage, SparseLayerStats, Stage, Signal, Values } from './stages';

export { roundHalfEven } from './stages';
export type { SparseLayerStats } from './stages';

/** Options of `createSparseEngine`. */
export interface SparseEngineOptions {
  /** Convention of the reported average `fanOut` (the MAC counts do not depend on it). Default 'macs' (as `measureSparsity`). */
  fanOutConvention?: FanOutConvention;
  /**
   * Which loops run the scatter and the per-position passes: 'wasm' (WebAssembly with 128-bit SIMD, the
   * default) or 'typescript' (plain loops over typed arrays). Both give identical results; 'wasm' falls back to
   * 'typescript' where WebAssembly SIMD is unavailable (`SparseEngine.loops` says which ran).
   */
  loops?: SparseLoops;
}

/** The engine's loop implementations (see `SparseEngineOptions.loops`). */
export type SparseLoops = 'wasm' | 'typescript';

export interface SparseEngine {
  /** Per-frame input shape [H, W, C]. */
  readonly frameShape: number[];
  /** The loops that run (see `SparseEngineOptions.loops`). */
  readonly loops: SparseLoops;
  /**
   * Delta layers in the model. 0 for a baseline or spatial-L1 model: the engine then recomputes every layer
   * from whole values each frame (zeros skipped), so nothing is skipped for being unchanged.
   */
  readonly deltaLayers: number;
  /**
   * Processes one frame [H, W, C] (float32: a Float32Array of H·W·C values in row-major order, or a tensor,
   * which is read and not disposed). Returns the per-frame output (e.g. logits [classes]) as a new array.
   * Throws a `DeltaSparsityError` for a frame of another shape or dtype, or after `dispose()`.
   */
  step(frame: Float32Array | tf.Tensor): Float32Array;
  /** Forgets all state (sent levels, accumulators, counts): the next frame starts a new clip. */
  reset(): void;
  /** Mean of the per-frame outputs since the last reset (the model's temporal-average output). */
  clipOutput(): Float32Array;
  /** Operation counts per linear layer, in model order (global pools are additions and are not listed). */
  stats(): SparseLayerStats[];
  /** Releases the buffers; the engine must not be used afterwards. */
  dispose(): void;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function frameShapeOf(tensor: tf.SymbolicTensor | tf.SymbolicTensor[], layer: tf.layers.Layer): number[] {
  const t = Array.isArray(tensor) ? tensor[0] : tensor;
  const shape = t.shape.slice(2);
  if (shape.some((d) => d == null)) throw invalidArgument(`${layer.name} input shape`, 'known per-frame sizes', t.shape);
  return shape as number[];
}

/** Layers that pass values through unchanged in inference (Reshape/Flatten keep the row-major order). */
const PASS_THROUGH = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'Flatten', 'Reshape', 'SpatialL1']);
const SUPPORTED =
  'InputNormalization, DeltaActivation, Conv2D, DepthwiseConv2D, Dense, GlobalAveragePooling2D, BatchNormalization, ReLU, ' +
  'Activation(relu|relu6|linear), Dropout, Flatten, Reshape, SpatialL1, and a final GlobalAveragePooling1D';

function pointwiseOfActivation(name: string): Pointwise | null | 'unsupported' {
  if (name === 'linear') return null;
  if (name === 'relu') return { op: 'relu' };
  if (name === 'relu6') return { op: 'relu6' };
  return 'unsupported';
}

/** Steps q of a delta layer expanded to one per unit of its per-frame input (flat [H, W, C] order). */
function expandedSteps(layer: DeltaActivation, frameShape: number[]): Float64Array {
  const n = product(frameShape);
  const q = tf.tidy(() => layer.thresholds().dataSync());
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = q.length === 1 ? q[0] : q[i % q.length];
  return out;
}

function linearScatter(
  layer: tf.layers.Layer,
  kind: LinearKind,
  weights: FoldedLinearLayer,
  inShape: number[],
  outShape: number[],
  arena: Arena,
  kernels: SparseKernels | null,
): SparseLinear {
  const config = unwrapTimeDistributed(layer).getConfig();
  if (kind === 'dense') {
    const cin = inShape[inShape.length - 1];
    return new DenseScatter(product(inShape), cin, product(inShape) / cin, weights.kernel, weights.outputs, arena, kernels);
  }
  const [kh, kw] = weights.kernelShape;
  const strides = typeof config.strides === 'number' ? [config.strides, config.strides] : (config.strides as number[]);
  const padding = String(config.padding);
  const height = axisGeometry(inShape[0], kh, strides[0], padding);
  const width = axisGeometry(inShape[1], kw, strides[1], padding);
  if (height.output !== outShape[0] || width.output !== outShape[1]) {
    throw new DeltaSparsityError(`${layer.name}: computed output ${height.output}x${width.output} differs from the model's ${outShape.slice(0, 2).join('x')}`);
  }
  return new ConvScatter(height, width, inShape[2], weights.outputs, weights.kernel, kind === 'depthwise', arena, kernels);
}

/**
 * Builds the sparse streaming engine of a chain-shaped video model [B, T, H, W, C] → [B, outputs] (see the
 * module comment). A model without delta layers is accepted (`deltaLayers` is then 0).
 * Throws a `DeltaSparsityError` when `model` is not a tf.LayersModel, and one listing every layer the engine
 * cannot run, before any frame: among them a delta layer with `output` 'delta' or 'delta-drop-first' (its
 * consumer then computes W·Δ_t + b per frame in dense inference, not the accumulated W·y_t + b the engine keeps).
 */
export function createSparseEngine(model: tf.LayersModel, options: SparseEngineOptions = {}): SparseEngine {
  checkOptionKeys('createSparseEngine', options, optionKeys<SparseEngineOptions>({ fanOutConvention: true, loops: true }));
  if (!(model instanceof tf.LayersModel)) {
    const what = model == null ? String(model) : ((model as object).constructor?.name ?? typeof model);
    throw invalidArgument('model', 'a tf.LayersModel (e.g. from buildSmallCnn or loadRun)', what);
  }
  const convention = options.fanOutConvention ?? 'macs';
  const requested = options.loops ?? 'wasm';
  if (requested !== 'wasm' && requested !== 'typescript') throw invalidArgument('loops', "'wasm' or 'typescript'", requested);
  const kernels = requested === 'wasm' ? sparseKernels() : null;
  const arena = new Arena();
  const chain = modelChain(model);
  const inputShape = model.inputs[0].shape;
  if (inputShape.length !== 5 || inputShape.slice(2).some((d) => d == null)) {
    throw invalidArgument('model input shape', '[batch, time, height, width, channels] with known frame sizes', inputShape);
  }
  const frameShape = inputShape.slice(2) as number[];
  const folded = new Map(foldBatchNormInChain(chain).map((f) => [f.index, f]));
  const foldedBatchNorms = new Set([...folded.values()].flatMap((f) => (f.batchNorm ? [f.batchNorm] : [])));

  const stages: Stage[] = [];
  const linearStages: LinearStage[] = [];
  const unsupported: string[] = [];
  // What the next stage receives: whole values or a delta layer's changes.
  let signal = 'values' as 'values' | 'changes';
  let deltaLayers = 0;
  const needValues = (layer: tf.layers.Layer, what: string): boolean => {
    if (signal === 'values') return true;
    unsupported.push(`${layer.name} (${what} reading a delta layer's changes)`);
    return false;
  };

  chain.forEach((layer, i) => {
    const inner = unwrapTimeDistributed(layer);
    const className = inner.getClassName();
    const kind = linearKind(layer);
    if (layer instanceof DeltaActivation) {
      if (!needValues(layer, 'DeltaActivation')) return;
      if (layer.outputMode !== 'quantized') {
        unsupported.push(`${layer.name} (output '${layer.outputMode}'; build the delta layers with output 'quantized')`);
        return;
      }
      deltaLayers += 1;
      const shape = frameShapeOf(layer.input as tf.SymbolicTensor, layer);
      // relu then a rectifying quantiser is the quantiser alone (relu is idempotent): skip a pass over the units.
      const previous = stages[stages.length - 1];
      if (layer.rectify && previous instanceof PointwiseStage && previous.op.op === 'relu') stages.pop();
      stages.push(new DeltaStage(expandedSteps(layer, shape), layer.rectify, arena, kernels));
      signal = 'changes';
    } else if (kind != null || className === 'GlobalAveragePooling2D') {
      const inShape = frameShapeOf(layer.input as tf.SymbolicTensor, layer);
      const outShape = frameShapeOf(layer.output as tf.SymbolicTensor, layer);
      const deltaInput = signal === 'changes';
      if (kind == null) {
        const pool = new PoolScatter(product(inShape), inShape[inShape.length - 1], kernels);
        stages.push(new LinearStage(pool, null, { name: inner.name, kind: 'pool', fanOut: 1, denseMacsPerFrame: product(inShape), deltaInput }, arena, kernels));
      } else {
        const config = inner.getConfig();
        const dilation = config.dilationRate ?? 1;
        if (!(dilation === 1 || (Array.isArray(dilation) && dilation.every((d) => d === 1)))) {
          unsupported.push(`${layer.name} (dilated ${className})`);
          return;
        }
        const activation = pointwiseOfActivation(activationName(layer));
        if (activation === 'unsupported') {
          unsupported.push(`${layer.name} (activation ${activationName(layer)})`);
          return;
        }
        const weights = folded.get(i) as FoldedLinearLayer;
        const scatter = linearScatter(layer, kind, weights, inShape, outShape, arena, kernels);
        const denseMacsPerFrame = product(inShape) * fanOutOf(layer, inShape, 'macs');
        const info = { name: inner.name, kind, fanOut: fanOutOf(layer, inShape, convention), denseMacsPerFrame, deltaInput };
        const stage = new LinearStage(scatter, weights.bias, info, arena, kernels);
        stages.push(stage);
        linearStages.push(stage);
        if (activation != null) stages.push(new PointwiseStage(activation, product(outShape), arena, kernels));
      }
      signal = 'values';
    } else if (isBatchNorm(layer)) {
      if (foldedBatchNorms.has(layer) || !needValues(layer, 'BatchNormalization')) return;
      const p = batchNormParams(layer);
      const scale = new Float64Array(p.gamma.length);
      const shift = new Float64Array(p.gamma.length);
      for (let c = 0; c < scale.length; c++) {
        scale[c] = p.gamma[c] / Math.sqrt(p.movingVariance[c] + p.epsilon);
        shift[c] = p.beta[c] - p.movingMean[c] * scale[c];
      }
      stages.push(new PointwiseStage({ op: 'affine', scale, shift }, product(frameShapeOf(layer.output as tf.SymbolicTensor, layer)), arena, kernels));
    } else if (isInputNormalization(inner)) {
      // (x − mean) / std per channel: an affine pointwise stage in front of the input's delta layer.
      if (!needValues(layer, 'InputNormalization')) return;
      const { mean, std } = inner.statistics();
      const scale = Float64Array.from(std, (s) => 1 / s);
      const shift = Float64Array.from(mean, (m, c) => -m / std[c]);
      stages.push(new PointwiseStage({ op: 'affine', scale, shift }, product(frameShapeOf(layer.output as tf.SymbolicTensor, layer)), arena, kernels));
    } else if (className === 'ReLU' || className === 'Activation') {
      const config = inner.getConfig();
      const name = activationName(layer);
      const plain = className === 'Activation' || config.maxValue == null || config.maxValue === 6;
      const op = pointwiseOfActivation(name);
      if (!plain || op === 'unsupported') {
        unsupported.push(`${layer.name} (${className} ${className === 'ReLU' ? `maxValue ${String(config.maxValue)}` : name})`);
        return;
      }
      if (op != null && needValues(layer, className)) {
        stages.push(new PointwiseStage(op, product(frameShapeOf(layer.output as tf.SymbolicTensor, layer)), arena, kernels));
      }
    } else if (PASS_THROUGH.has(className)) {
      return;
    } else if (className === 'GlobalAveragePooling1D' && i === chain.length - 1) {
      return; // the temporal-average head: clipOutput()
    } else {
      unsupported.push(`${layer.name} (${className})`);
    }
  });
  if (signal === 'changes') unsupported.push(`${chain[chain.length - 1].name} (a delta layer at the output)`);
  if (unsupported.length > 0) {
    throw invalidArgument('model', `layers the sparse engine can run (${SUPPORTED})`, `unsupported layers: ${unsupported.join(', ')}`);
  }

  const frameSize = product(frameShape);
  const input: Values = { kind: 'values', values: new Float64Array(0), touched: new TouchedPositions(frameSize / frameShape[2], arena), channels: frameShape[2] };
  arena.reserve('f64', frameSize, (view) => (input.values = view));
  arena.onFinish(() => input.touched.all());
  arena.finish(kernels?.memory ?? null);
  let outputSum: Float64Array | null = null;
  let frames = 0;
  let disposed = false;
  const requireLive = (method: string): void => {
    if (disposed) throw invalidArgument(method, 'an engine that has not been disposed (create a new one)', 'a disposed engine');
  };

  const readFrame = (frame: Float32Array | tf.Tensor): void => {
    const expected = `a float32 frame [${frameShape.join(', ')}] (a tensor, or a Float32Array of ${frameSize} values)`;
    let data: Float32Array;
    if (frame instanceof Float32Array) {
      if (frame.length !== frameSize) throw invalidArgument('frame', expected, `Float32Array of ${frame.length} values`);
      data = frame;
    } else if (frame instanceof tf.Tensor) {
      if (frame.dtype !== 'float32' || frame.rank !== 3 || frame.shape.some((d, k) => d !== frameShape[k])) {
        throw invalidArgument('frame', expected, `${frame.dtype} tensor [${frame.shape.join(', ')}]`);
      }
      data = frame.dataSync() as Float32Array;
    } else {
      const what = frame == null ? String(frame) : ((frame as object).constructor?.name ?? typeof frame);
      throw invalidArgument('frame', expected, what);
    }
    input.values.set(data);
  };

  const reset = (): void => {
    stages.forEach((stage) => stage.reset());
    outputSum = null;
    frames = 0;
  };

  return {
    frameShape: [...frameShape],
    loops: kernels == null ? 'typescript' : 'wasm',
    deltaLayers,
    step(frame: Float32Array | tf.Tensor): Float32Array {
      requireLive('step');
      readFrame(frame);
      let signal: Signal = input;
      for (const stage of stages) signal = stage.run(signal);
      const values = (signal as Values).values;
      const out = new Float32Array(values);
      if (outputSum == null) outputSum = new Float64Array(values.length);
      for (let k = 0; k < values.length; k++) outputSum[k] += values[k];
      frames += 1;
      return out;
    },
    reset,
    clipOutput(): Float32Array {
      if (outputSum == null) throw invalidArgument('clipOutput', 'at least one frame stepped since the last reset', 0);
      const sum = outputSum;
      return Float32Array.from(sum, (v) => v / frames);
    },
    stats(): SparseLayerStats[] {
      return linearStages.flatMap((stage) => {
        const s = stage.stats();
        return s == null ? [] : [s];
      });
    },
    dispose(): void {
      reset();
      stages.length = 0;
      disposed = true;
    },
  };
}
