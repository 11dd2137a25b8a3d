import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { thresholdColumns } from '../../lib/train/trainer';
import { meanThreshold } from '../../lib/models/thresholds';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('thresholdColumns', () => {
  it('gives each delta layer\'s mean q under the name of the layer it feeds; their mean is meanThreshold', () => {
    const model = buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4, 6], variant: 'delta', threshold: 0.1 });
    // Give delta_conv2's 4 channels the steps 0.1, 0.2, 0.3, 0.4 (q = |weight|): mean 0.25.
    const layer = model.getLayer('delta_conv2') as DeltaActivation;
    expect(layer.getWeights()).toHaveLength(1);
    const target = tf.tensor1d([0.1, 0.2, 0.3, 0.4]);
    layer.setWeights([target]);
    const before = tf.memory().numTensors;
    const columns = thresholdColumns(model);
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(columns)).toEqual(['conv1.meanThreshold', 'conv2.meanThreshold', 'pool.meanThreshold', 'logits.meanThreshold']);
    expect(columns['conv1.meanThreshold']).toBeCloseTo(0.1, 6);
    expect(columns['conv2.meanThreshold']).toBeCloseTo(0.25, 6);
    // meanThreshold averages the per-layer means: (0.1 + 0.25 + 0.1 + 0.1) / 4 = 0.1375.
    expect(meanThreshold(model)).toBeCloseTo(0.1375, 6);
    expect(thresholdColumns(buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4], variant: 'baseline' }))).toEqual({});
    target.dispose();
    model.dispose();
  });
});
