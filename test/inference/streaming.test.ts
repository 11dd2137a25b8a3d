import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { buildMobileNet } from '../../lib/models/mobileNet';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { fanOutOf } from '../../lib/models/fanOut';
import { createStreamingModel } from '../../lib/inference/streaming';
import { InputNormalization } from '../../lib/layers/inputNormalization';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const T = 16;

/** A smooth synthetic clip [1, T, H, W, 3]: a bright square drifting one pixel every other frame over noise. */
function movingClip(h: number, w: number): tf.Tensor {
  return tf.tidy(() => {
    const background = tf.randomUniform([h, w, 3], 0, 0.3, 'float32', 11);
    const frames = Array.from({ length: T }, (_, t) => {
      const offset = Math.floor(t / 2) % (w - 4);
      const square = tf.pad(tf.ones([4, 4, 3]), [[2, h - 6], [offset, w - 4 - offset], [0, 0]]);
      return tf.add(background, tf.mul(square, 0.6));
    });
    return tf.expandDims(tf.stack(frames), 0);
  });
}

/** The model without its temporal-average head: per-frame outputs [1, T, classes]. */
function perFrameModel(model: tf.LayersModel): tf.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer('logits_td').output as tf.SymbolicTensor });
}

function streamAll(model: tf.LayersModel, clip: tf.Tensor): tf.Tensor {
  const streaming = createStreamingModel(model);
  const outputs = tf.unstack(clip, 1).map((frame) => streaming.step(frame));
  const stacked = tf.stack(outputs, 1); // [1, T, classes]
  tf.dispose(outputs);
  streaming.dispose();
  return stacked;
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('createStreamingModel', () => {
  it('equals batch inference for a conv + dense delta stack over 16 frames', () => {
    const model = buildSmallCnn({ inputShape: [T, 16, 16, 3], classes: 4, filters: [6, 8], variant: 'delta', threshold: 0.05 });
    const clip = movingClip(16, 16);
    const batch = perFrameModel(model).predict(clip) as tf.Tensor;
    const streamed = streamAll(model, clip);
    expect(streamed.shape).toEqual([1, T, 4]);
    expect(maxAbsDiff(streamed, batch)).toBeLessThan(1e-4);
    // Not vacuous: the outputs vary over time.
    expect(maxAbsDiff(tf.slice(batch, [0, 0], [1, 1]), tf.slice(batch, [0, T - 1], [1, 1]))).toBeGreaterThan(1e-4);
  });

  it("streams a model with input normalisation (the study's model), equal to batch inference", () => {
    // Regression: createStreamingModel used to reject InputNormalization as not per-frame.
    const model = buildSmallCnn({
      inputShape: [T, 16, 16, 3], classes: 4, filters: [6, 8], variant: 'delta', threshold: 0.05, batchNorm: true, inputNormalization: true,
    });
    const normalization = model.layers.find((l) => l instanceof InputNormalization) as InputNormalization;
    const clip = movingClip(16, 16);
    const identity = streamAll(model, clip);
    normalization.setStatistics([0.2, 0.25, 0.3], [0.15, 0.2, 0.25]);
    const batch = perFrameModel(model).predict(clip) as tf.Tensor;
    const streamed = streamAll(model, clip);
    expect(maxAbsDiff(streamed, batch)).toBeLessThan(1e-4);
    // Not vacuous: the statistics change the outputs (the stage really normalises).
    expect(maxAbsDiff(streamed, identity)).toBeGreaterThan(1e-3);
    tf.dispose([identity, batch, streamed, clip]);
  });

  it('equals batch inference for a depthwise-separable delta stack, and averages frames like the head', () => {
    const model = buildMobileNet({ inputShape: [T, 16, 16, 3], classes: 3, stemFilters: 8, blocks: [{ filters: 8, stride: 2 }], widthMultiplier: 1, variant: 'delta' });
    const clip = movingClip(16, 16);
    const batch = perFrameModel(model).predict(clip) as tf.Tensor;
    const streaming = createStreamingModel(model);
    const outputs = tf.unstack(clip, 1).map((frame) => streaming.step(frame));
    expect(maxAbsDiff(tf.stack(outputs, 1), batch)).toBeLessThan(1e-4);
    expect(maxAbsDiff(streaming.clipOutput(), model.predict(clip) as tf.Tensor)).toBeLessThan(1e-4);
    streaming.dispose();
  });

  it('counts the executed MACs of the changes per layer (reference: batch outputs of the delta layers)', () => {
    const model = buildSmallCnn({ inputShape: [T, 16, 16, 3], classes: 4, filters: [6], variant: 'delta', threshold: 0.1 });
    const clip = movingClip(16, 16);
    const streaming = createStreamingModel(model);
    tf.unstack(clip, 1).forEach((frame) => streaming.step(frame).dispose());
    const stats = streaming.stats();
    expect(stats.map((s) => [s.name, s.kind, s.deltaInput, s.frames])).toEqual([
      ['conv1', 'conv', true, T],
      ['logits', 'dense', true, T],
    ]);
    // Reference for conv1: its delta layer's quantized outputs y_t from the batch model; the streamed changes are
    // y_0 (sent whole) then y_t − y_(t−1). conv1 is 3×3 stride 2 'same' on 16×16 (out 8, pad_total
    // 7·2 + 3 − 16 = 1: none above, 1 below): window o covers rows 2o..2o+2, so an even row r > 0 lies in 2
    // windows and every other row in 1. A non-zero at (r, c) feeds rowFan[r]·rowFan[c]·6 filters MACs.
    const rowFan = Array.from({ length: 16 }, (_, r) => (r > 0 && r % 2 === 0 ? 2 : 1));
    const fanMap = tf.tensor2d(rowFan.flatMap((a) => rowFan.map((b) => a * b * 6)), [16, 16]);
    const delta = model.getLayer('delta_conv1') as DeltaActivation;
    const y = tf.model({ inputs: model.inputs, outputs: delta.output as tf.SymbolicTensor }).predict(clip) as tf.Tensor;
    const ys = tf.unstack(y, 1); // each [1, 16, 16, 3]
    const macsOf = (x: tf.Tensor) => tf.sum(tf.mul(tf.sum(tf.cast(tf.notEqual(x, 0), 'float32'), [0, 3]), fanMap)).dataSync()[0];
    let macs = macsOf(ys[0]);
    for (let t = 1; t < T; t++) macs += macsOf(tf.sub(ys[t], ys[t - 1]));
    expect(macs).toBeGreaterThan(0);
    expect(stats[0].macs).toBe(macs);
    // Dense: 8·8·9·3·6 per frame (padding taps included) = n · the average fan-out 8·8·9·6 / 256 = 13.5.
    const fanOut = fanOutOf(model.getLayer('conv1_td'), [16, 16, 3]);
    expect(fanOut).toBe(13.5);
    expect(stats[0].denseMacs).toBe(T * 8 * 8 * 9 * 3 * 6);
    // The drifting square leaves most of each frame unchanged: far fewer MACs than dense.
    expect(stats[0].macs).toBeLessThan(stats[0].denseMacs / 2);
    streaming.reset();
    expect(streaming.stats()[0].macs).toBe(0);
    streaming.dispose();
  });

  it('runs a baseline model densely, with the same outputs', () => {
    const model = buildSmallCnn({ inputShape: [T, 16, 16, 3], classes: 4, filters: [6] });
    const clip = movingClip(16, 16);
    expect(maxAbsDiff(streamAll(model, clip), perFrameModel(model).predict(clip) as tf.Tensor)).toBeLessThan(1e-4);
  });

  it('streams 100 frames without leaking tensors', () => {
    const model = buildSmallCnn({ inputShape: [null, 8, 8, 3], classes: 2, filters: [4], variant: 'delta' });
    const frame = tf.randomUniform([8, 8, 3], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const streaming = createStreamingModel(model);
    streaming.step(frame).dispose();
    const withState = tf.memory().numTensors;
    for (let i = 1; i < 100; i++) {
      const next = tf.tidy(() => tf.add(frame, tf.scalar((i % 7) * 0.05)));
      streaming.step(next).dispose();
      next.dispose();
    }
    expect(tf.memory().numTensors).toBe(withState);
    streaming.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects frames of the wrong shape', () => {
    const model = buildSmallCnn({ inputShape: [null, 8, 8, 3], classes: 2, filters: [4], variant: 'delta' });
    const streaming = createStreamingModel(model);
    expect(() => streaming.step(tf.zeros([1, 4, 8, 8, 3]))).toThrow(/one frame shaped \[8, 8, 3\].*Received: frame=\[1,4,8,8,3\]/);
    streaming.dispose();
  });
});

describe('createStreamingModel and measureSparsity with batch norm', () => {
  it('stream a conv → batch norm → relu chain exactly, with the same MAC counts as without the batch norm', async () => {
    const { smallCnnWithBatchNorm } = await import('../inference/helpers');
    const { measureSparsity } = await import('../../lib/sparsity/measure');
    const model = smallCnnWithBatchNorm([T, 16, 16, 3], 4, [6, 8], { variant: 'delta', threshold: 0.05 });
    const clip = movingClip(16, 16);
    const batch = perFrameModel(model).predict(clip) as tf.Tensor;
    const streaming = createStreamingModel(model);
    const outputs = tf.unstack(clip, 1).map((frame) => streaming.step(frame));
    expect(maxAbsDiff(tf.stack(outputs, 1), batch)).toBeLessThan(1e-4);
    // Batch norm is element-wise: it adds no linear layer, and each conv's count is nnz(Δ)·fanOut as measured.
    const measured = measureSparsity(model, clip);
    const stats = streaming.stats();
    expect(stats.map((s) => s.name)).toEqual(['conv1', 'conv2', 'logits']);
    expect(measured.layers.map((l) => l.name)).toEqual(['conv1', 'conv2', 'logits']);
    stats.forEach((s, i) => expect(s.denseMacs).toBeCloseTo(T * measured.layers[i].denseMacsPerFrame, 6));
    streaming.dispose();
  });
});
