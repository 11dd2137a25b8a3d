/**
 * Streaming delta inference, frame by frame, as delta hardware would run a model:
 * - each delta layer remembers the last value it sent per unit (starting from 0) and emits only the change
 *   Δ = y_t − y_sent, so the first frame is sent whole;
 * - the linear layer after it (conv, depthwise conv, dense) keeps an accumulator holding its pre-activation
 *   output and adds W·Δ to it (conv of the delta map for a conv: linear, so the sum of the updates equals
 *   the conv of the current input); its activation is applied to the accumulator;
 * - every other layer (relu, pooling, batch norm, input normalisation, the spatial-L1 pass-through, ...) runs
 *   densely on the current values.
 * The accumulated output equals the dense output on the quantized inputs, up to float rounding.
 *
 * MAC counts per linear layer, as `measureSparsity` defines them: `macs` = the MACs executed for the non-zero
 * inputs over the frames processed, each counted with its position's fan-out (`positionFanOutOf`: taps on
 * padding are not executed), where the input is Δ behind a delta layer (delta execution) and the activations
 * otherwise (zero-skipping); `denseMacs` = Σ n·fanOut, with the 'macs' fan-out of `fanOutOf` (padding included).
 * Models whose delta layers output 'delta' or 'delta-drop-first' are run as if they output 'quantized'.
 */
import * as tf from '@tensorflow/tfjs';
import { invalidArgument } from '../util/errors';
import { DeltaActivation } from '../layers/deltaActivation';
import { isInputNormalization } from '../layers/inputNormalization';
import { SpatialL1 } from '../layers/spatialL1';
import { activationName, isFrameWrapper, LinearKind, linearKind, modelChain, unwrapTimeDistributed } from '../models/chain';
import { fanOutOf } from '../models/fanOut';
import { executedMacs, positionFanOutOf } from '../models/positionFanOut';

/** Operations of one linear layer since the last reset. */
export interface StreamingLayerStats {
  name: string;
  kind: LinearKind;
  /** Whether the layer reads changes from a delta layer (else whole activations). */
  deltaInput: boolean;
  frames: number;
  /** Multiply-accumulates executed: Σ over non-zero inputs of their position's fan-out. */
  macs: number;
  /** Multiply-accumulates of dense execution: Σ n·fanOut (padding taps included). */
  denseMacs: number;
}

export interface StreamingModel {
  /** Processes one frame [H, W, C] (or [1, H, W, C]); returns the per-frame output [1, ...] (dispose it). */
  step(frame: tf.Tensor): tf.Tensor;
  /** Forgets all state (last sent values, accumulators, counts): the next frame starts a new clip. */
  reset(): void;
  /** Mean of the per-frame outputs since the last reset: the model's temporal-average output [1, ...]. */
  clipOutput(): tf.Tensor;
  /** Operation counts per linear layer, in model order. */
  stats(): StreamingLayerStats[];
  /** Frees all state tensors. */
  dispose(): void;
}

/** What flows between stages for one frame: current values, and their change when a delta layer sent it. */
interface Message {
  full: tf.Tensor;
  delta: tf.Tensor | null;
}

interface Stage {
  process(message: Message): Message;
  reset(): void;
  stats?(): StreamingLayerStats;
}

/** Replaces a kept state tensor, disposing the previous one. */
function replace(previous: tf.Tensor | null, next: tf.Tensor): tf.Tensor {
  const kept = tf.keep(next);
  if (previous != null && previous !== kept) previous.dispose();
  return kept;
}

const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => tf.clone(x),
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  elu: (x) => tf.elu(x),
  softmax: (x) => tf.softmax(x),
};

class DeltaStage implements Stage {
  private sent: tf.Tensor | null = null;
  constructor(private readonly layer: DeltaActivation) {}
  process(message: Message): Message {
    const y = this.layer.quantizeValues(message.full);
    const delta = this.sent == null ? tf.clone(y) : tf.sub(y, this.sent);
    this.sent = replace(this.sent, y);
    return { full: tf.clone(y), delta };
  }
  reset(): void {
    this.sent?.dispose();
    this.sent = null;
  }
}

class LinearStage implements Stage {
  private accumulator: tf.Tensor | null = null;
  private frames = 0;
  private macs = 0;
  private denseMacs = 0;
  private deltaInput = false;
  private readonly inner: tf.layers.Layer;
  private readonly activation: (x: tf.Tensor) => tf.Tensor;
  constructor(
    private readonly layer: tf.layers.Layer,
    private readonly kind: LinearKind,
  ) {
    this.inner = unwrapTimeDistributed(layer);
    const name = activationName(layer);
    const activation = ACTIVATIONS[name];
    if (activation == null) throw invalidArgument(`${layer.name} activation`, `one of ${Object.keys(ACTIVATIONS).join(', ')}`, name);
    this.activation = activation;
  }

  /** W·x without bias, for one frame x [1, ...frame]. */
  private linear(x: tf.Tensor): tf.Tensor {
    const config = this.inner.getConfig();
    const kernel = this.inner.getWeights()[0];
    if (this.kind === 'dense') {
      const features = x.shape[x.rank - 1];
      const out = tf.matMul(tf.reshape(x, [-1, features]), kernel as tf.Tensor2D);
      return tf.reshape(out, [...x.shape.slice(0, -1), kernel.shape[1] as number]);
    }
    const strides = config.strides as [number, number];
    const padding = config.padding as 'same' | 'valid';
    if (this.kind === 'conv') return tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, padding);
    return tf.depthwiseConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, padding);
  }

  process(message: Message): Message {
    const weights = this.inner.getWeights();
    const useBias = this.inner.getConfig().useBias !== false && weights.length > 1;
    const input = message.delta ?? message.full;
    const frameShape = message.full.shape.slice(1);
    const fanOut = fanOutOf(this.layer, frameShape, 'macs');
    const position = positionFanOutOf(this.layer, frameShape);
    // Non-zeros per position [H·W] (summed over channels) for a window layer, else in total; int32, exact.
    const mask = tf.notEqual(input, 0);
    const nonZero = position.rows != null ? tf.reshape(tf.sum(mask, [0, 3]), [-1]) : tf.reshape(tf.sum(mask), [1]);
    this.macs += executedMacs(position, nonZero.dataSync());
    this.denseMacs += (input.size / input.shape[0]) * fanOut;
    this.frames += 1;
    this.deltaInput = message.delta != null;
    const update = this.linear(input);
    let next: tf.Tensor;
    if (message.delta != null && this.accumulator != null) next = tf.add(this.accumulator, update);
    else next = useBias ? tf.add(update, weights[1]) : update;
    this.accumulator = replace(this.accumulator, next);
    return { full: this.activation(this.accumulator), delta: null };
  }

  reset(): void {
    this.accumulator?.dispose();
    this.accumulator = null;
    this.frames = 0;
    this.macs = 0;
    this.denseMacs = 0;
  }

  stats(): StreamingLayerStats {
    return {
      name: this.inner.name,
      kind: this.kind,
      deltaInput: this.deltaInput,
      frames: this.frames,
      macs: this.macs,
      denseMacs: this.denseMacs,
    };
  }
}

/** Layers that may sit outside TimeDistributed and still act on each frame alone. */
const PER_ELEMENT = new Set(['ReLU', 'LeakyReLU', 'ELU', 'Activation', 'Dropout', 'Softmax', 'ThresholdedReLU']);
/** Layers that only move values around: a change passes through them like the values do. */
const RESHAPING = new Set(['Flatten', 'Reshape', 'Dropout']);

class ElementwiseStage implements Stage {
  private readonly inner: tf.layers.Layer;
  constructor(layer: tf.layers.Layer) {
    this.inner = unwrapTimeDistributed(layer);
  }
  process(message: Message): Message {
    const run = (x: tf.Tensor) => this.inner.apply(x, { training: false }) as tf.Tensor;
    const passesDelta = message.delta != null && RESHAPING.has(this.inner.getClassName());
    return { full: run(message.full), delta: passesDelta ? run(message.delta as tf.Tensor) : null };
  }
  reset(): void {}
}

/** Prepares frame-by-frame delta inference of a chain-shaped video model (see the module comment). */
export function createStreamingModel(model: tf.LayersModel): StreamingModel {
  const chain = modelChain(model);
  const frameShape = model.inputs[0].shape.slice(2);
  const stages: Stage[] = [];
  chain.forEach((layer, i) => {
    const className = layer.getClassName();
    if (layer instanceof DeltaActivation) stages.push(new DeltaStage(layer));
    else if (layer instanceof SpatialL1) return;
    else if (className === 'GlobalAveragePooling1D' && i === chain.length - 1) return; // the temporal head
    // InputNormalization is per-channel affine on the last axis, so it applies to one frame as to a clip.
    else if (!isFrameWrapper(layer) && !PER_ELEMENT.has(className) && !isInputNormalization(layer)) {
      throw invalidArgument(`layer ${layer.name}`, 'a FrameDistributed, TimeDistributed or per-element layer (streaming runs one frame at a time)', className);
    } else {
      const kind = linearKind(layer);
      stages.push(kind != null ? new LinearStage(layer, kind) : new ElementwiseStage(layer));
    }
  });

  let outputSum: tf.Tensor | null = null;
  let frames = 0;
  const reset = (): void => {
    stages.forEach((stage) => stage.reset());
    outputSum?.dispose();
    outputSum = null;
    frames = 0;
  };

  return {
    step(frame: tf.Tensor): tf.Tensor {
      const batched = frame.rank === frameShape.length ? null : frame;
      if (batched != null && (frame.rank !== frameShape.length + 1 || frame.shape[0] !== 1)) {
        throw invalidArgument('frame', `one frame shaped [${frameShape.join(', ')}] or [1, ${frameShape.join(', ')}]`, frame.shape);
      }
      return tf.tidy(() => {
        let message: Message = { full: batched ?? tf.expandDims(frame, 0), delta: null };
        for (const stage of stages) message = stage.process(message);
        outputSum = replace(outputSum, outputSum == null ? tf.clone(message.full) : tf.add(outputSum, message.full));
        frames += 1;
        return message.full;
      });
    },
    reset,
    clipOutput(): tf.Tensor {
      if (outputSum == null) throw invalidArgument('clipOutput', 'at least one frame stepped since the last reset', 0);
      return tf.div(outputSum, frames);
    },
    stats(): StreamingLayerStats[] {
      return stages.flatMap((stage) => (stage.stats ? [stage.stats()] : []));
    },
    dispose: reset,
  };
}
