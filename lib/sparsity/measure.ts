/**
 * Spatial and temporal sparsity of a video model's activations, and the MAC counts they imply.
 *
 * Measured at the input of every linear layer (conv, depthwise conv, dense), i.e. on the values that layer
 * multiplies: the outputs of the delta layer in front of it (its quantized values y), or the raw activations
 * in a baseline model. For one layer, over a batch of B clips of T frames, with n activations per frame:
 *
 * - spatial density   = nnz(y) / (B·T·n)                      fraction of non-zero activations
 * - spatial sparsity  = 1 − spatial density
 * - temporal density  = nnz(Δ) / (B·(T−1)·n), Δ_t = y_t − y_(t−1)   fraction of non-zero changes
 *                       (the T−1 changes of each clip; the first frame, which is sent whole, is left out)
 * - temporal sparsity = 1 − temporal density
 * (The published code reports densities under the name "sp"; here names say which one is meant.)
 *
 * MAC counts are multiply-accumulates per frame. Dense MACs are the standard count, n · fanOut with the 'macs'
 * fan-out of `fanOutOf` (Hout·Wout·k²·Cin·Cout for a conv): dense hardware multiplies every tap, padding
 * included. Zero-skipping and delta MACs are what such an accelerator executes: each non-zero value (of y, of
 * Δ, of a clip's first frame) counted with the fan-out of its own position (`positionFanOutOf`,
 * lib/models/positionFanOut):
 * - zero-skipping MACs       = Σ over non-zero y of fan(r, c) / (B·T)
 * - delta MACs, steady state = Σ over non-zero Δ of fan(r, c) / (B·(T−1))
 *                            (what a long stream costs per frame once running)
 * - delta MACs, first frame included = (Σ over non-zero y_0 + Σ over non-zero Δ) of fan(r, c) / (B·T)
 *                            (what a clip of T frames costs per frame: a delta accelerator receives each
 *                            clip's first frame whole, as a change from its zero state)
 * with fan(r, c) = rowFan[r] · columnFan[c] · filters for a conv (depthMultiplier for a depthwise conv) and
 * units for a dense layer. These are not density · n · fanOut: the average fan-out counts the taps on 'same'
 * padding, which skip-capable hardware never executes, and ignores where the non-zeros are. Example: a 4×4
 * input, 3×3 stride-2 'same' conv, 1 filter (TensorFlow pads 0 above, 1 below): a non-zero at (1, 1) feeds 1
 * output, at (2, 2) 4, at (3, 3) 1, where the average says 2.25 each. The gap is largest where padding is a
 * large part of the frame (4×4 inputs: conv4 of the 32-pixel small CNN, 51%).
 * The non-zero masks are summed over batch, time and channels on the device, to an [H, W] map of integer
 * counts, and weighted by the fan-out in float64 (float32 sums would not be exact beyond 2^24).
 * MAC densities (per layer and overall) are MACs of a mode / dense MACs; they differ from the activation
 * densities, which count values (the training penalty and the cost model's activation traffic use those).
 * `fanOut` (the average, or the 'kernel' convention) is reported per layer for the penalty, not used in MACs.
 * Overall densities weigh layers by activation counts (Σ nnz / Σ n); overall MACs are sums over layers.
 */
import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, invalidArgument, optionKeys, requireInteger } from '../util/errors';
import { isDeltaActivation } from '../layers/penaltyLayer';
import { temporalDifferences } from '../layers/timeAxis';
import { LinearKind, linearKind, modelChain, unwrapTimeDistributed } from '../models/chain';
import { FanOutConvention, fanOutOf } from '../models/fanOut';
import { executedMacs, positionFanOutOf, type PositionFanOut } from '../models/positionFanOut';

/** Densities (and their complements) and per-frame MAC counts, of one layer or of the whole network. */
export interface DensitiesAndMacs {
  spatialDensity: number;
  spatialSparsity: number;
  temporalDensity: number;
  temporalSparsity: number;
  denseMacsPerFrame: number;
  zeroSkippingMacsPerFrame: number;
  /** Delta MACs per frame in steady state: the T−1 changes of each clip only. */
  deltaMacsPerFrame: number;
  /** Delta MACs per frame over whole clips of `framesPerClip` frames, each clip's first frame sent whole. */
  deltaMacsPerFrameFirstIncluded: number;
  /**
   * deltaMacsPerFrame / denseMacsPerFrame, in [0, 1]: the fraction of the dense MACs that delta execution does in
   * steady state (its inverse is how many times fewer MACs it needs). NaN without MACs.
   */
  deltaMacDensity: number;
  /** zeroSkippingMacsPerFrame / denseMacsPerFrame, in [0, 1]: the same for zero-skipping execution. */
  zeroSkippingMacDensity: number;
}

/** Sparsity of the activations entering one linear layer. */
export interface LayerSparsity extends DensitiesAndMacs {
  /** Name of the linear layer (the per-frame layer inside TimeDistributed), e.g. "conv2". */
  name: string;
  kind: LinearKind;
  /** n: input activations per frame. */
  inputActivations: number;
  /** Multiplications per input activation, on average (the `fanOutConvention`); not used in the MAC counts. */
  fanOut: number;
  /** Weights of the layer (biases excluded). */
  weights: number;
  /** Outputs per frame. */
  outputs: number;
  /** Non-zero activations, summed over all B·T frames. */
  nonZeroActivations: number;
  /** Non-zero changes, summed over all B·(T−1) frame pairs. */
  nonZeroChanges: number;
  /** Non-zero activations of the first frame of each clip, summed over the B clips. */
  nonZeroFirstFrame: number;
}

export type OverallSparsity = DensitiesAndMacs;

export interface SparsityMeasurement {
  clips: number;
  framesPerClip: number;
  layers: LayerSparsity[];
  overall: OverallSparsity;
}

export interface MeasureSparsityOptions {
  /** Clips per forward pass (memory bound). Default 4. */
  batchSize?: number;
  /** Convention of the reported `fanOut` (the MAC counts do not depend on it). Default 'macs'. */
  fanOutConvention?: FanOutConvention;
}

interface Probe {
  name: string;
  kind: LinearKind;
  /** Index of the probe-model output giving the tensor to measure. */
  outputIndex: number;
  /** Quantize the probed tensor first (the consumer reads a delta layer that outputs changes). */
  quantizeWith: ((x: tf.Tensor) => tf.Tensor) | null;
  frameShape: number[];
  fanOut: number;
  /** Dense MACs per frame: n · the 'macs' fan-out, padding taps included. */
  denseMacs: number;
  position: PositionFanOut;
  /** Sum the non-zero mask over batch, time and channels to [H, W] (window layers), else over everything. */
  perPosition: boolean;
  weights: number;
  outputs: number;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

/** Measures densities and MAC counts of `model` on `clips` [B, T, ...frame] (T >= 2). */
export function measureSparsity(model: tf.LayersModel, clips: tf.Tensor, options: MeasureSparsityOptions = {}): SparsityMeasurement {
  checkOptionKeys('measureSparsity', options, optionKeys<MeasureSparsityOptions>({ batchSize: true, fanOutConvention: true }));
  if (clips.rank < 3 || (clips.shape[1] ?? 0) < 2) {
    throw invalidArgument('clips', 'a tensor [batch, time, ...frame] with time >= 2', clips.shape);
  }
  const expected = model.inputs[0]?.shape;
  const mismatch = expected != null && (expected.length !== clips.rank || expected.some((size, axis) => axis >= 2 && size != null && size !== clips.shape[axis]));
  if (mismatch) {
    throw invalidArgument('clips', `a tensor of the model's input shape [${expected.map((d) => d ?? '?').join(', ')}]`, clips.shape);
  }
  const batchSize = requireInteger('batchSize', options.batchSize ?? 4, 1);
  const convention = options.fanOutConvention ?? 'macs';
  const chain = modelChain(model);
  const probeOutputs: tf.SymbolicTensor[] = [];
  const probes: Probe[] = [];
  chain.forEach((layer, i) => {
    const kind = linearKind(layer);
    if (kind == null) return;
    const inbound = i === 0 ? null : chain[i - 1];
    let tensor = layer.input as tf.SymbolicTensor;
    let quantizeWith: Probe['quantizeWith'] = null;
    if (inbound != null && isDeltaActivation(inbound) && inbound.outputMode !== 'quantized') {
      tensor = inbound.input as tf.SymbolicTensor;
      quantizeWith = (x) => inbound.quantizeValues(x);
    }
    const frameShape = (layer.input as tf.SymbolicTensor).shape.slice(2) as number[];
    const inner = unwrapTimeDistributed(layer);
    const position = positionFanOutOf(layer, frameShape);
    probes.push({
      name: inner.name,
      kind,
      outputIndex: probeOutputs.length,
      quantizeWith,
      frameShape,
      fanOut: fanOutOf(layer, frameShape, convention),
      denseMacs: product(frameShape) * fanOutOf(layer, frameShape, 'macs'),
      position,
      perPosition: position.rows != null,
      weights: inner.getWeights()[0]?.size ?? 0,
      outputs: product((layer.output as tf.SymbolicTensor).shape.slice(2) as number[]),
    });
    probeOutputs.push(tensor);
  });
  if (probes.length === 0) throw invalidArgument('model', 'a model with Conv2D, DepthwiseConv2D or Dense layers', model.name);

  // Outputs that are the model input itself are read from the clips directly.
  const inputIndex = probeOutputs.map((t) => model.inputs.indexOf(t));
  const internal = probeOutputs.filter((_, i) => inputIndex[i] < 0);
  const probeModel = internal.length > 0 ? tf.model({ inputs: model.inputs, outputs: internal }) : null;

  // Values counted per probe as well as non-zeros: behind a 'delta-drop-first' layer a probe sees T−1 frames.
  // MACs: the executed MACs of the non-zeros (Σ of their positions' fan-out), summed over batches.
  const counts = probes.map(() => ({ nnzY: 0, nnzDelta: 0, valuesY: 0, valuesDelta: 0, nnzFirst: 0, valuesFirst: 0, macsY: 0, macsDelta: 0, macsFirst: 0 }));
  const [clipCount, frames] = clips.shape;
  for (let start = 0; start < clipCount; start += batchSize) {
    const size = Math.min(batchSize, clipCount - start);
    const batchCounts = tf.tidy(() => {
      const batch = tf.slice(clips, [start], [size]);
      const raw = probeModel == null ? [] : probeModel.predict(batch);
      const list = Array.isArray(raw) ? raw : [raw];
      let next = 0;
      return probes.map((probe, i) => {
        let y = inputIndex[i] >= 0 ? batch : list[next++];
        if (probe.quantizeWith) y = probe.quantizeWith(y);
        const changes = temporalDifferences(y);
        const first = tf.slice(y, [0, 0], [-1, 1]); // [B, 1, ...]: what a clip's first frame sends
        // Non-zero counts per position: [H·W] for a window layer (summed over B, T, C), else [1]. int32: exact.
        const perPosition = (x: tf.Tensor): tf.Tensor => {
          const mask = tf.notEqual(x, 0);
          return probe.perPosition ? tf.reshape(tf.sum(mask, [0, 1, 4]), [-1]) : tf.reshape(tf.sum(mask), [1]);
        };
        return {
          y: perPosition(y),
          delta: perPosition(changes),
          first: perPosition(first),
          values: tf.tensor1d([y.size, changes.size, first.size], 'int32'),
        };
      });
    });
    batchCounts.forEach((t, i) => {
      const [valuesY, valuesDelta, valuesFirst] = t.values.dataSync();
      const y = t.y.dataSync();
      const delta = t.delta.dataSync();
      const first = t.first.dataSync();
      const c = counts[i];
      c.nnzY += sumOf(y);
      c.nnzDelta += sumOf(delta);
      c.nnzFirst += sumOf(first);
      c.valuesY += valuesY;
      c.valuesDelta += valuesDelta;
      c.valuesFirst += valuesFirst;
      c.macsY += executedMacs(probes[i].position, y);
      c.macsDelta += executedMacs(probes[i].position, delta);
      c.macsFirst += executedMacs(probes[i].position, first);
    });
    tf.dispose(batchCounts.flatMap((t) => [t.y, t.delta, t.first, t.values]));
  }

  const layers: LayerSparsity[] = probes.map((probe, i) => {
    const c = counts[i];
    const n = product(probe.frameShape);
    const spatialDensity = c.nnzY / c.valuesY;
    const temporalDensity = c.nnzDelta / c.valuesDelta;
    // Per frame: the probe's frames are values / n (T, or T−1 behind a 'delta-drop-first' layer) per clip.
    const zeroSkippingMacs = (c.macsY * n) / c.valuesY;
    const deltaMacs = (c.macsDelta * n) / c.valuesDelta;
    // A whole clip's transmissions: the first frame's values plus the T−1 changes, over its frames.
    const deltaMacsFirstIncluded = ((c.macsFirst + c.macsDelta) * n) / (c.valuesFirst + c.valuesDelta);
    return {
      name: probe.name,
      kind: probe.kind,
      inputActivations: n,
      fanOut: probe.fanOut,
      weights: probe.weights,
      outputs: probe.outputs,
      nonZeroActivations: c.nnzY,
      nonZeroChanges: c.nnzDelta,
      nonZeroFirstFrame: c.nnzFirst,
      spatialDensity,
      spatialSparsity: 1 - spatialDensity,
      temporalDensity,
      temporalSparsity: 1 - temporalDensity,
      denseMacsPerFrame: probe.denseMacs,
      zeroSkippingMacsPerFrame: zeroSkippingMacs,
      deltaMacsPerFrame: deltaMacs,
      deltaMacsPerFrameFirstIncluded: deltaMacsFirstIncluded,
      deltaMacDensity: deltaMacs / probe.denseMacs,
      zeroSkippingMacDensity: zeroSkippingMacs / probe.denseMacs,
    };
  });
  const sum = (f: (l: LayerSparsity) => number): number => layers.reduce((a, l) => a + f(l), 0);
  const total = (f: (c: (typeof counts)[number]) => number): number => counts.reduce((a, c) => a + f(c), 0);
  const spatialDensity = total((c) => c.nnzY) / total((c) => c.valuesY);
  const temporalDensity = total((c) => c.nnzDelta) / total((c) => c.valuesDelta);
  const denseMacs = sum((l) => l.denseMacsPerFrame);
  const zeroSkippingMacs = sum((l) => l.zeroSkippingMacsPerFrame);
  const deltaMacs = sum((l) => l.deltaMacsPerFrame);
  const deltaMacsFirstIncluded = sum((l) => l.deltaMacsPerFrameFirstIncluded);
  return {
    clips: clipCount,
    framesPerClip: frames,
    layers,
    overall: {
      spatialDensity,
      spatialSparsity: 1 - spatialDensity,
      temporalDensity,
      temporalSparsity: 1 - temporalDensity,
      denseMacsPerFrame: denseMacs,
      zeroSkippingMacsPerFrame: zeroSkippingMacs,
      deltaMacsPerFrame: deltaMacs,
      deltaMacsPerFrameFirstIncluded: deltaMacsFirstIncluded,
      deltaMacDensity: deltaMacs / denseMacs,
      zeroSkippingMacDensity: zeroSkippingMacs / denseMacs,
    },
  };
}
