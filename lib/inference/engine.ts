/**
 * A sparse streaming engine: frame-by-frame delta inference that does work only for the inputs that changed.
 *
 * Built once from a chain-shaped video model (as from `buildSmallCnn` / `buildMobileNet` with delta layers):
 * weights are copied into typed arrays, with a batch norm that directly follows a conv / depthwise / dense
 * layer folded into it (`foldBatchNorm`). Per frame, in plain loops over typed arrays (no tfjs op per frame):
 * - a delta layer quantises its current input, y = q · round(relu(x) / q) (round half to even, as tf.round),
 *   with its learned per-channel / per-neuron / per-layer step q, compares the level with the one it last
 *   sent and emits only the changes, as a sparse list (index, Δ); the first frame is sent whole (against 0);
 * - a linear layer fed by a delta layer keeps its pre-activation output in an accumulator (initialised with
 *   its bias) and adds W·Δ for the listed changes only (see `scatter.ts`): a conv scatters a k×k×Cout stencil
 *   per change, a depthwise conv a k×k stencil, a dense layer one weight row; a global average pool adds
 *   Δ/(H·W) into its channel; a linear layer fed by whole values recomputes from its bias, skipping zeros;
 * - element-wise layers (relu, relu6, an unfolded batch norm) run only on the output positions whose
 *   accumulator changed, and the next delta layer compares only those.
 * The per-frame output therefore equals dense inference of the model with its delta layers in 'quantized'
 * mode (what `createStreamingModel` reproduces with tfjs ops), up to float rounding: accumulators are
 * float64, so they do not drift over long clips. One caveat: a value exactly half-way between two levels
 * (x/q = k + ½) is rounded to even here in exact arithmetic, while tfjs's float32 may land on either side. Such
 * exact ties are rare with learned steps, but common in an untrained model whose consecutive delta layers share
 * one q (the global pool's mean of multiples of q, divided by the same q, is often exactly k + ½); there the
 * two may differ by one level of a unit.
 *
 * Operation counts use the definitions of `measureSparsity` and `createStreamingModel`: per linear layer,
 * Σ nnz(input)·fanOut over the frames (the input being Δ behind a delta layer, else the values), fanOut from
 * `fanOutOf` ('macs' convention by default). `macsExecuted` counts the multiply-accumulates the loops
 * actually did (stencil taps inside the output; border inputs feed fewer).
 */
import { isInputNormalization } from '../layers/inputNormalization';
import * as tf from '@tensorflow/tfjs';
import { DeltaSparsityError, invalidArgument } from '../util/errors';
import { DeltaActivation } from '../layers/deltaActivation';
import { activationName, LinearKind, linearKind, modelChain, unwrapTimeDistributed } from '../models/chain';
import { FanOutConvention, fanOutOf } from '../models/fanOut';
import { batchNormParams, foldBatchNormInChain, FoldedLinearLayer, isBatchNorm } from '../models/foldBatchNorm';
import type { StreamingLayerStats } from '../sparsity/streaming';
import { axisGeometry, ConvScatter, DenseScatter, PoolScatter, SparseLinear, TouchedPositions } from './scatter';

/** Operation counts of one linear layer since the last reset: those of the exact reference, and more. */
export interface SparseLayerStats extends StreamingLayerStats {
  /** Multiplications per input (`fanOutOf`). */
  fanOut: number;
  /** Σ nnz(input) over all frames. */
  nonZeroInputs: number;
  /** nnz(input) of the first frame since the last reset (sent whole behind a delta layer). */
  firstFrameNonZeroInputs: number;
  /** Multiply-accumulates the engine's loops executed (exact stencil taps, borders included). */
  macsExecuted: number;
}

/** Options of `createSparseEngine`. */
export interface SparseEngineOptions {
  /** Fan-out convention of the op counts. Default 'macs' (as `measureSparsity`). */
  fanOutConvention?: FanOutConvention;
}

export interface SparseEngine {
  /** Per-frame input shape [H, W, C]. */
  readonly frameShape: number[];
  /**
   * Processes one frame [H, W, C] (float32: a Float32Array of H·W·C values in row-major order, or a tensor,
   * which is read and not disposed). Returns the per-frame output (e.g. logits [classes]) as a new array.
   * Throws a `DeltaSparsityError` for a frame of another shape or dtype.
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

/** Whole values after a layer; the positions listed (position·channels + c) may have changed this frame. */
interface Values {
  kind: 'values';
  values: Float64Array;
  touched: TouchedPositions;
  channels: number;
}
/** Sparse changes sent by a delta layer: (indices[j], deltas[j]) for j < count. */
interface Changes {
  kind: 'changes';
  indices: Int32Array;
  deltas: Float64Array;
  count: number;
  size: number;
}
type Signal = Values | Changes;

interface Stage {
  run(input: Signal): Signal;
  reset(): void;
}

/** round() with ties to even, as tf.round (banker's rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties towards +∞
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

class DeltaStage implements Stage {
  private readonly sent: Float64Array;
  private readonly output: Changes;
  constructor(
    private readonly steps: Float64Array, // q per unit [n]
    private readonly rectify: boolean,
  ) {
    const n = steps.length;
    this.sent = new Float64Array(n);
    this.output = { kind: 'changes', indices: new Int32Array(n), deltas: new Float64Array(n), count: 0, size: n };
  }
  run(input: Signal): Signal {
    const { values, touched, channels } = input as Values;
    const { steps, sent, rectify } = this;
    const { indices, deltas } = this.output;
    const list = touched.list;
    let count = 0;
    for (let k = 0; k < touched.count; k++) {
      const base = list[k] * channels;
      for (let c = 0; c < channels; c++) {
        const i = base + c;
        let v = values[i];
        if (rectify && v < 0) v = 0;
        const q = steps[i];
        const level = roundHalfEven(v / q);
        const previous = sent[i];
        if (level !== previous) {
          indices[count] = i;
          deltas[count] = (level - previous) * q;
          sent[i] = level;
          count++;
        }
      }
    }
    this.output.count = count;
    return this.output;
  }
  reset(): void {
    this.sent.fill(0);
    this.output.count = 0;
  }
}

class LinearStage implements Stage {
  private readonly accumulator: Float64Array;
  private readonly touched: TouchedPositions;
  private readonly output: Values;
  private readonly all: Changes;
  private started = false;
  private frames = 0;
  private nonZeroInputs = 0;
  private firstFrameNonZeroInputs = 0;
  private macsExecuted = 0;
  constructor(
    private readonly scatter: SparseLinear,
    private readonly bias: Float32Array | null, // per output channel
    readonly info: { name: string; kind: LinearKind | 'pool'; fanOut: number; deltaInput: boolean },
  ) {
    this.accumulator = new Float64Array(scatter.outputPositions * scatter.outputChannels);
    this.touched = new TouchedPositions(scatter.outputPositions);
    this.output = { kind: 'values', values: this.accumulator, touched: this.touched, channels: scatter.outputChannels };
    const n = scatter.inputSize;
    this.all = { kind: 'changes', indices: new Int32Array(n), deltas: new Float64Array(n), count: 0, size: n };
    this.resetAccumulator();
  }
  private resetAccumulator(): void {
    const { bias, accumulator } = this;
    if (bias == null) accumulator.fill(0);
    else for (let i = 0; i < accumulator.length; i++) accumulator[i] = bias[i % bias.length];
  }
  /** The non-zero entries of whole values, as changes against a zero input. */
  private nonZeros(input: Values): Changes {
    const { values } = input;
    const { indices, deltas } = this.all;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== 0) {
        indices[count] = i;
        deltas[count++] = v;
      }
    }
    this.all.count = count;
    return this.all;
  }
  run(input: Signal): Signal {
    let changes: Changes;
    this.touched.clear();
    if (input.kind === 'changes') {
      changes = input;
    } else {
      // Whole values (no delta layer in front): recompute from the bias, skipping zeros.
      this.resetAccumulator();
      changes = this.nonZeros(input);
      this.touched.all();
    }
    if (!this.started) {
      // The first frame: every output is new, whatever the input touched.
      this.touched.all();
      this.firstFrameNonZeroInputs = changes.count;
      this.started = true;
    }
    this.macsExecuted += this.scatter.scatter(changes.indices, changes.deltas, changes.count, this.accumulator, this.touched);
    this.nonZeroInputs += changes.count;
    this.frames += 1;
    return this.output;
  }
  reset(): void {
    this.resetAccumulator();
    this.touched.clear();
    this.started = false;
    this.frames = 0;
    this.nonZeroInputs = 0;
    this.firstFrameNonZeroInputs = 0;
    this.macsExecuted = 0;
  }
  stats(): SparseLayerStats | null {
    const { name, kind, fanOut, deltaInput } = this.info;
    if (kind === 'pool') return null;
    return {
      name,
      kind,
      deltaInput,
      frames: this.frames,
      operations: this.nonZeroInputs * fanOut,
      denseOperations: this.frames * this.scatter.inputSize * fanOut,
      fanOut,
      nonZeroInputs: this.nonZeroInputs,
      firstFrameNonZeroInputs: this.firstFrameNonZeroInputs,
      macsExecuted: this.macsExecuted,
    };
  }
}

/** An element-wise map: relu, relu6, or a per-channel affine map (an unfolded batch norm). */
type Pointwise = { op: 'relu' } | { op: 'relu6' } | { op: 'affine'; scale: Float64Array; shift: Float64Array };

class PointwiseStage implements Stage {
  private readonly output: Values;
  constructor(
    readonly op: Pointwise,
    size: number,
  ) {
    this.output = { kind: 'values', values: new Float64Array(size), touched: new TouchedPositions(0), channels: 1 };
  }
  run(input: Signal): Signal {
    const { values, touched, channels } = input as Values;
    const out = this.output.values;
    const list = touched.list;
    const op = this.op;
    for (let k = 0; k < touched.count; k++) {
      const base = list[k] * channels;
      for (let i = base; i < base + channels; i++) {
        const v = values[i];
        if (op.op === 'relu') out[i] = v > 0 ? v : 0;
        else if (op.op === 'relu6') out[i] = v > 0 ? (v < 6 ? v : 6) : 0;
        else {
          const c = i % op.scale.length;
          out[i] = v * op.scale[c] + op.shift[c];
        }
      }
    }
    this.output.touched = touched;
    this.output.channels = channels;
    return this.output;
  }
  reset(): void {
    this.output.values.fill(0);
  }
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
  const q = tf.tidy(() => layer.steps().dataSync());
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = q.length === 1 ? q[0] : q[i % q.length];
  return out;
}

function linearScatter(layer: tf.layers.Layer, kind: LinearKind, weights: FoldedLinearLayer, inShape: number[], outShape: number[]): SparseLinear {
  const config = unwrapTimeDistributed(layer).getConfig();
  if (kind === 'dense') {
    const cin = inShape[inShape.length - 1];
    return new DenseScatter(product(inShape), cin, product(inShape) / cin, weights.kernel, weights.outputs);
  }
  const [kh, kw] = weights.kernelShape;
  const strides = typeof config.strides === 'number' ? [config.strides, config.strides] : (config.strides as number[]);
  const padding = String(config.padding);
  const height = axisGeometry(inShape[0], kh, strides[0], padding);
  const width = axisGeometry(inShape[1], kw, strides[1], padding);
  if (height.output !== outShape[0] || width.output !== outShape[1]) {
    throw new DeltaSparsityError(`${layer.name}: computed output ${height.output}x${width.output} differs from the model's ${outShape.slice(0, 2).join('x')}`);
  }
  return new ConvScatter(height, width, inShape[2], weights.outputs, weights.kernel, kind === 'depthwise');
}

/**
 * Builds the sparse streaming engine of a chain-shaped video model [B, T, H, W, C] → [B, outputs] (see the
 * module comment). Delta layers in 'delta' or 'delta-drop-first' mode run as if 'quantized'.
 * Throws a `DeltaSparsityError` listing every layer the engine cannot run, before any frame.
 */
export function createSparseEngine(model: tf.LayersModel, options: SparseEngineOptions = {}): SparseEngine {
  const convention = options.fanOutConvention ?? 'macs';
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
      const shape = frameShapeOf(layer.input as tf.SymbolicTensor, layer);
      // relu then a rectifying quantiser is the quantiser alone (relu is idempotent): skip a pass over the units.
      const previous = stages[stages.length - 1];
      if (layer.rectify && previous instanceof PointwiseStage && previous.op.op === 'relu') stages.pop();
      stages.push(new DeltaStage(expandedSteps(layer, shape), layer.rectify));
      signal = 'changes';
    } else if (kind != null || className === 'GlobalAveragePooling2D') {
      const inShape = frameShapeOf(layer.input as tf.SymbolicTensor, layer);
      const outShape = frameShapeOf(layer.output as tf.SymbolicTensor, layer);
      const deltaInput = signal === 'changes';
      if (kind == null) {
        stages.push(new LinearStage(new PoolScatter(product(inShape), inShape[inShape.length - 1]), null, { name: inner.name, kind: 'pool', fanOut: 1, deltaInput }));
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
        const stage = new LinearStage(linearScatter(layer, kind, weights, inShape, outShape), weights.bias, {
          name: inner.name,
          kind,
          fanOut: fanOutOf(layer, inShape, convention),
          deltaInput,
        });
        stages.push(stage);
        linearStages.push(stage);
        if (activation != null) stages.push(new PointwiseStage(activation, product(outShape)));
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
      stages.push(new PointwiseStage({ op: 'affine', scale, shift }, product(frameShapeOf(layer.output as tf.SymbolicTensor, layer))));
    } else if (isInputNormalization(inner)) {
      // (x − mean) / std per channel: an affine pointwise stage in front of the input's delta layer.
      if (!needValues(layer, 'InputNormalization')) return;
      const { mean, std } = inner.statistics();
      const scale = Float64Array.from(std, (s) => 1 / s);
      const shift = Float64Array.from(mean, (m, c) => -m / std[c]);
      stages.push(new PointwiseStage({ op: 'affine', scale, shift }, product(frameShapeOf(layer.output as tf.SymbolicTensor, layer))));
    } else if (className === 'ReLU' || className === 'Activation') {
      const config = inner.getConfig();
      const name = activationName(layer);
      const plain = className === 'Activation' || config.maxValue == null || config.maxValue === 6;
      const op = pointwiseOfActivation(name);
      if (!plain || op === 'unsupported') {
        unsupported.push(`${layer.name} (${className} ${className === 'ReLU' ? `maxValue ${String(config.maxValue)}` : name})`);
        return;
      }
      if (op != null && needValues(layer, className)) stages.push(new PointwiseStage(op, product(frameShapeOf(layer.output as tf.SymbolicTensor, layer))));
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
  const input: Values = { kind: 'values', values: new Float64Array(frameSize), touched: new TouchedPositions(frameSize / frameShape[2]), channels: frameShape[2] };
  input.touched.all();
  let outputSum: Float64Array | null = null;
  let frames = 0;

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
    step(frame: Float32Array | tf.Tensor): Float32Array {
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
    },
  };
}
