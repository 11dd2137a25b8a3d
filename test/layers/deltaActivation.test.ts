import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeltaActivation, MIN_THRESHOLD, deltaActivation } from '../../lib/layers/deltaActivation';
import { spatialL1 } from '../../lib/layers/spatialL1';
import { DeltaSparsityError } from '../../lib/util/errors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// One clip, three frames, two channels: [B=1, T=3, C=2].
// With q = 0.1: levels t0 = [3, 0] (0.26→2.6→3, −0.5→relu 0), t1 = [5, 1] (0.52, 0.13), t2 = [5, 2] (0.49, 0.21).
// y = [[0.3, 0], [0.5, 0.1], [0.5, 0.2]];  Δ1 = [0.2, 0.1], Δ2 = [0, 0.1].
const clip = () => tf.tensor3d([[[0.26, -0.5], [0.52, 0.13], [0.49, 0.21]]]);
const values = (t: tf.Tensor) => Array.from(t.dataSync()).map((v) => Math.round(v * 1e5) / 1e5);

describe('DeltaActivation', () => {
  it('outputs quantized values, deltas with the first frame whole, or deltas only', () => {
    const x = clip();
    expect(values(deltaActivation().apply(x) as tf.Tensor)).toEqual([0.3, 0, 0.5, 0.1, 0.5, 0.2]);
    const delta = deltaActivation({ output: 'delta' }).apply(x) as tf.Tensor;
    expect(delta.shape).toEqual([1, 3, 2]);
    expect(values(delta)).toEqual([0.3, 0, 0.2, 0.1, 0, 0.1]);
    const dropFirst = deltaActivation({ output: 'delta-drop-first' });
    const out = dropFirst.apply(x) as tf.Tensor;
    expect(out.shape).toEqual([1, 2, 2]);
    expect(values(out)).toEqual([0.2, 0.1, 0, 0.1]);
    expect(dropFirst.computeOutputShape([null, 3, 2])).toEqual([null, 2, 2]);
  });

  it('computes λ·fanOut·mean|Δ| whatever it outputs', () => {
    // mean|Δ| over T−1 = 2 differences × 2 channels = (0.2 + 0.1 + 0 + 0.1) / 4 = 0.1; × λ=0.5 × fanOut=4 = 0.2
    for (const output of ['quantized', 'delta', 'delta-drop-first'] as const) {
      const layer = deltaActivation({ sparsityWeight: 0.5, fanOut: 4, output });
      const y = layer.apply(clip()) as tf.Tensor;
      expect(layer.penalty(y).dataSync()[0]).toBeCloseTo(0.2, 5);
    }
    // Spatial L1 on the same input as activations: mean|x| = (0.26+0.5+0.52+0.13+0.49+0.21)/6 = 2.11/6; × 0.5 × 4
    const l1 = spatialL1({ sparsityWeight: 0.5, fanOut: 4 });
    const same = l1.apply(clip()) as tf.Tensor;
    expect(values(same)).toEqual(values(clip()));
    expect(l1.penalty(same).dataSync()[0]).toBeCloseTo((2.11 / 6) * 2, 5);
  });

  it('builds thresholds with the shape its granularity implies', () => {
    const x = tf.zeros([1, 2, 3, 4, 5]);
    const shapes = (['channel', 'neuron', 'layer'] as const).map((granularity) => {
      const layer = deltaActivation({ granularity, threshold: 0.25 });
      layer.apply(x);
      const w = layer.getWeights()[0];
      expect(w.dataSync()[0]).toBeCloseTo(0.25, 6);
      return w.shape;
    });
    expect(shapes).toEqual([[5], [3, 4, 5], [1]]);
  });

  it('sends the gradient to the threshold with the sign chosen (finite differences)', () => {
    // Penalty on the clip above as a function of the threshold θ (q = |θ|), λ = fanOut = 1, layer granularity.
    // By hand: d mean|Δ| / dq = Σ sign(Δ)·(k_t − k_(t−1)) / 4 = ((5−3) + (1−0) + 0 + (2−1)) / 4 = 1.
    const penaltyAt = (layer: DeltaActivation) => () => layer.penalty(layer.apply(clip()) as tf.Tensor);
    for (const invert of [false, true]) {
      const layer = deltaActivation({ granularity: 'layer', sparsityWeight: 1, thresholdGrowsWithPenalty: invert });
      layer.apply(clip());
      const at = (theta: number) => {
        layer.setWeights([tf.tensor1d([theta])]);
        return penaltyAt(layer)().dataSync()[0];
      };
      const numeric = (at(0.101) - at(0.099)) / 0.002;
      expect(numeric).toBeCloseTo(1, 2);
      layer.setWeights([tf.tensor1d([0.1])]);
      const { grads } = tf.variableGrads(penaltyAt(layer) as () => tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
      const g = Object.values(grads)[0].dataSync()[0];
      expect(g).toBeCloseTo(invert ? -numeric : numeric, 2);
    }
  });

  it('rejects inputs without a time axis and bad arguments, naming them', () => {
    const layer = deltaActivation();
    expect(() => layer.apply(tf.zeros([4, 10]))).toThrow(DeltaSparsityError);
    expect(() => deltaActivation().apply(tf.zeros([4, 10]))).toThrow(/\[batch, time, \.\.\.features\].*Received: .*\[4,10\]/);
    expect(() => deltaActivation({ threshold: -1 })).toThrow(/threshold.*Received: threshold=-1/);
    expect(() => deltaActivation({ threshold: 0 })).toThrow(/Received: threshold=0/);
    expect(() => deltaActivation({ threshold: NaN })).toThrow(/Received: threshold=NaN/);
    expect(() => deltaActivation({ sparsityWeight: -0.1 })).toThrow(/Received: sparsityWeight=-0.1/);
    expect(() => deltaActivation({ sparsityWeight: NaN })).toThrow(/Received: sparsityWeight=NaN/);
    expect(() => deltaActivation({ granularity: 'pixel' as never })).toThrow(/granularity/);
    expect(() => deltaActivation({ fanOut: 0 })).toThrow(/Received: fanOut=0/);
    expect(() => spatialL1().apply(tf.zeros([4, 10]))).toThrow(/\[batch, time, \.\.\.features\]/);
    expect(() => spatialL1({ sparsityWeight: -1 })).toThrow(/Received: sparsityWeight=-1/);
  });

  it('leaks no tensors in apply and penalty', () => {
    const layer = deltaActivation({ output: 'delta' });
    const x = clip();
    layer.apply(x); // builds the threshold weight
    const before = tf.memory().numTensors;
    const y = layer.apply(x) as tf.Tensor;
    layer.penalty(y).dispose();
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('never divides by zero when a learned threshold reaches 0 (steps are floored at MIN_THRESHOLD)', () => {
    const layer = deltaActivation({ threshold: 0.1, granularity: 'layer' });
    const x = tf.tensor3d([0.3, 0.5, 0.2, 0.7], [1, 4, 1]); // [B, T, features]
    layer.apply(x);
    layer.setWeights([tf.zeros([1])]); // as if training had driven q through zero
    const steps = layer.thresholds();
    expect(steps.dataSync()[0]).toBe(Math.fround(MIN_THRESHOLD));
    const y = layer.apply(x) as tf.Tensor;
    // With a 1e-6 step the quantized values equal the inputs to within half a step, and are finite.
    const values = Array.from(y.dataSync());
    expect(values.every(Number.isFinite)).toBe(true);
    values.forEach((v, i) => expect(Math.abs(v - [0.3, 0.5, 0.2, 0.7][i])).toBeLessThanOrEqual(MIN_THRESHOLD));
    tf.dispose([x, y, steps]);
  });
});

describe('DeltaActivation thresholds', () => {
  it('setThreshold writes q into every channel and meanThreshold reads their mean, without leaking tensors', () => {
    const layer = deltaActivation({ threshold: 0.1 });
    layer.apply(clip());
    const before = tf.memory().numTensors;
    layer.setThreshold(0.4);
    expect(tf.tidy(() => values(layer.thresholds()))).toEqual([0.4, 0.4]);
    const perChannel = tf.tensor1d([0.1, 0.3]);
    layer.setWeights([perChannel]);
    perChannel.dispose();
    // (0.1 + 0.3) / 2 = 0.2
    expect(layer.meanThreshold()).toBeCloseTo(0.2, 6);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => layer.setThreshold(0)).toThrow(DeltaSparsityError);
    expect(() => deltaActivation().setThreshold(0.1)).toThrow(/a built layer/);
  });
});
