import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { activationMaps, learnedThresholds } from '../../lib/sparsity';
import { DeltaSparsityError } from '../../lib/util/errors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const T = 6;
const H = 12;

/** [1, T, H, H, 3]: a bright 4x4 square moving one pixel per frame over a fixed random background. */
function movingClip(): tf.Tensor {
  return tf.tidy(() => {
    const background = tf.randomUniform([H, H, 3], 0, 0.3, 'float32', 5);
    const frames = Array.from({ length: T }, (_, t) => tf.add(background, tf.mul(tf.pad(tf.ones([4, 4, 3]), [[2, H - 6], [t, H - 4 - t], [0, 0]]), 0.6)));
    return tf.expandDims(tf.stack(frames), 0);
  });
}

describe('activationMaps', () => {
  const delta = buildSmallCnn({ inputShape: [T, H, H, 3], classes: 3, filters: [4, 6], variant: 'delta', threshold: 0.1 });
  const baseline = buildSmallCnn({ inputShape: [T, H, H, 3], classes: 3, filters: [4, 6], variant: 'baseline' });

  it('returns per-time channel-mean maps of the second linear layer\'s input, Δ_0 = y_0, and disposes every tensor', () => {
    const clip = movingClip();
    const before = tf.memory().numTensors;
    const maps = activationMaps(delta, clip, { times: [0, 2, 5] });
    expect(tf.memory().numTensors).toBe(before);
    expect(maps.quantized).toBe(true);
    expect(maps.times).toEqual([0, 2, 5]);
    const [h, w] = maps.frameShape;
    expect(maps.activation).toHaveLength(3);
    expect(maps.activation[0]).toHaveLength(h * w);
    // Frame t=2 channel mean at pixel (3, 3): inside the square (rows 2..5, cols 2..5), by hand from the clip.
    const pixel = tf.tidy(() => tf.mean(tf.slice(clip, [0, 2, 3, 3, 0], [1, 1, 1, 1, 3])).dataSync()[0]);
    expect(maps.frames[1][3 * H + 3]).toBeCloseTo(pixel, 6);
    // The first frame is sent whole: Δ_0 = y_0 ≥ 0 (after ReLU), so mean |Δ_0| = mean y_0 at every pixel.
    maps.absDelta[0].forEach((v, i) => expect(v).toBeCloseTo(maps.activation[0][i], 6));
    // The square moves, so something changes later, and changedFraction is a fraction.
    expect(Math.max(...maps.changedFraction[2])).toBeGreaterThan(0);
    expect(maps.changedFraction.flatMap((m) => Array.from(m)).every((v) => v >= 0 && v <= 1)).toBe(true);
    clip.dispose();
  });

  it('finds no change at all after the first frame of a still clip', () => {
    const still = tf.tidy(() => tf.tile(tf.slice(movingClip(), [0, 0], [1, 1]), [1, T, 1, 1, 1]));
    for (const model of [delta, baseline]) {
      const maps = activationMaps(model, still, { times: [1, 4] });
      expect(maps.absDelta.every((m) => m.every((v) => v === 0))).toBe(true);
      expect(maps.changedFraction.every((m) => m.every((v) => v === 0))).toBe(true);
    }
    expect(activationMaps(baseline, still).quantized).toBe(false);
    still.dispose();
  });

  it('names the argument for an unknown layer, a layer without maps, or a time outside the clip', () => {
    const clip = movingClip();
    expect(() => activationMaps(delta, clip, { layer: 'conv9' })).toThrow(DeltaSparsityError);
    expect(() => activationMaps(delta, clip, { layer: 'conv9' })).toThrow(/layer: expected one of the model's linear layers \(conv1, conv2/);
    expect(() => activationMaps(delta, clip, { layer: 'logits' })).toThrow(/layer: expected a layer whose input is a map/);
    expect(() => activationMaps(delta, clip, { times: [T] })).toThrow(`times[0]: expected a frame index in [0, ${T - 1}]`);
    clip.dispose();
  });

  it('learnedThresholds lists q per channel of each delta layer under the layer it feeds', () => {
    const before = tf.memory().numTensors;
    const thresholds = learnedThresholds(delta);
    expect(tf.memory().numTensors).toBe(before);
    // small-cnn with filters [4, 6]: delta layers before conv1 (3 input channels), conv2 (4), pool (6), logits (6).
    expect(thresholds.map((t) => [t.layer, t.values.length])).toEqual([['conv1', 3], ['conv2', 4], ['pool', 6], ['logits', 6]]);
    expect(thresholds[1].deltaLayer).toBe('delta_conv2');
    // Untrained: every step is the initial threshold 0.1.
    expect(thresholds.every((t) => t.values.every((v) => Math.abs(v - 0.1) < 1e-6))).toBe(true);
    expect(learnedThresholds(baseline)).toEqual([]);
  });
});
