import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeltaActivation } from '../../lib/layers/deltaActivation';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { meanThreshold, setAllThresholds } from '../../lib/models/thresholds';
import { DeltaSparsityError } from '../../lib/util/errors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('meanThreshold and setAllThresholds', () => {
  it('set every delta layer to one q and read it back; null for a model without delta layers', () => {
    const model = buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4, 6], variant: 'delta', threshold: 0.1 });
    const before = tf.memory().numTensors;
    setAllThresholds(model, 0.35);
    expect(meanThreshold(model)).toBeCloseTo(0.35, 6);
    const layer = model.getLayer('delta_conv2') as DeltaActivation;
    expect(Array.from(tf.tidy(() => layer.thresholds().dataSync()))).toEqual(new Array(4).fill(Math.fround(0.35)));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => setAllThresholds(model, -1)).toThrow(DeltaSparsityError);
    const baseline = buildSmallCnn({ inputShape: [4, 8, 8, 3], classes: 3, filters: [4], variant: 'baseline' });
    expect(meanThreshold(baseline)).toBeNull();
    expect(() => setAllThresholds(baseline, 0.2)).toThrow(/model: expected a model with delta layers/);
    model.dispose();
    baseline.dispose();
  });
});
