/** The training forward pass: model output plus the differentiable sum of the penalty layers' penalties. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { createSparsityForward } from '../../lib/train/sparsityForward';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const clips = () => tf.randomUniform([2, 4, 12, 12, 3], 0, 1, 'float32', 7);

describe('createSparsityForward', () => {
  it('returns the output and the sum of layer penalties, and trains weights and thresholds', () => {
    const model = buildSmallCnn({ inputShape: [4, 12, 12, 3], classes: 3, filters: [4, 8], variant: 'delta', sparsityWeight: 0.01 });
    const forward = createSparsityForward(model);
    const x = clips();
    const { output, penalty } = forward.apply(x, { training: false });
    // Reference: the model's own prediction, and each delta layer's penalty on its own output.
    expect(maxAbsDiff(output, model.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
    const probe = tf.model({ inputs: model.inputs, outputs: forward.penaltyLayers.map((l) => l.output as tf.SymbolicTensor) });
    const outs = probe.predict(x) as tf.Tensor[];
    const expected = forward.penaltyLayers.reduce((s, l, i) => s + l.penalty(outs[i]).dataSync()[0], 0);
    expect(penalty.dataSync()[0]).toBeCloseTo(expected, 5);
    expect(expected).toBeGreaterThan(0);

    const labels = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
    const thresholdsBefore = forward.penaltyLayers.map((l) => (l as DeltaActivation).thresholds().arraySync());
    const convBefore = model.getLayer('conv1_td').getWeights()[0].clone();
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const cost = optimizer.minimize(() => {
      const result = forward.apply(x);
      return tf.add(tf.losses.softmaxCrossEntropy(labels, result.output), result.penalty) as tf.Scalar;
    }, true);
    cost?.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbsDiff(convBefore, model.getLayer('conv1_td').getWeights()[0])).toBeGreaterThan(0);
    const thresholdsAfter = forward.penaltyLayers.map((l) => (l as DeltaActivation).thresholds().arraySync());
    expect(thresholdsAfter).not.toEqual(thresholdsBefore);
  });

  it('gives a zero penalty for a baseline model', () => {
    const model = buildSmallCnn({ inputShape: [4, 12, 12, 3], classes: 3, filters: [4] });
    expect(createSparsityForward(model).apply(clips()).penalty.dataSync()[0]).toBe(0);
  });
});
