import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { deltaActivation } from '../../lib/layers/deltaActivation';
import { measureSparsity } from '../../lib/sparsity/measure';
import { toWorkloads } from '../../lib/sparsity/workloads';
import { dataFrameOf } from '../../lib/util/dataFrame';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** input [B, T, 4] → TimeDistributed(dense 3): the dense reads the clips themselves. */
function denseModel(): tf.LayersModel {
  const input = tf.input({ shape: [3, 4] });
  const out = tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, name: 'fc' }) }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

// One clip, three frames, four activations:
// t0 = [0, 1, 2, 0], t1 = [0, 1, 3, 0], t2 = [5, 1, 3, 0]
const clip = () => tf.tensor3d([[[0, 1, 2, 0], [0, 1, 3, 0], [5, 1, 3, 0]]]);

describe('measureSparsity', () => {
  it('matches hand-computed densities and MAC counts of a dense layer', () => {
    const m = measureSparsity(denseModel(), clip());
    const fc = m.layers[0];
    expect([fc.name, fc.kind, fc.inputActivations, fc.fanOut, fc.weights, fc.outputs]).toEqual(['fc', 'dense', 4, 3, 12, 3]);
    // nnz(y) = 2 + 2 + 3 = 7 of 3·4 = 12 → spatial density 7/12
    expect(fc.nonZeroActivations).toBe(7);
    expect(fc.spatialDensity).toBeCloseTo(7 / 12, 10);
    expect(fc.spatialSparsity).toBeCloseTo(5 / 12, 10);
    // Δ1 = [0, 0, 1, 0], Δ2 = [5, 0, 0, 0] → nnz(Δ) = 2 of 2·4 = 8 → temporal density 0.25
    expect(fc.nonZeroChanges).toBe(2);
    expect(fc.temporalDensity).toBe(0.25);
    // Per frame: dense 4·3 = 12; zero-skipping 7·3/3 frames = 7; delta 2·3/2 frame pairs = 3
    expect([fc.denseMacsPerFrame, fc.zeroSkippingMacsPerFrame, fc.deltaMacsPerFrame].map((v) => +v.toFixed(10))).toEqual([12, 7, 3]);
    expect(m.overall.deltaMacDensity).toBe(0.25); // 3 of the 12 dense MACs
  });

  it('counts each clip\'s first frame whole in the first-frame-included delta MACs', () => {
    const m = measureSparsity(denseModel(), clip());
    const fc = m.layers[0];
    // The first frame t0 = [0, 1, 2, 0] is sent whole: 2 non-zeros; then the 2 non-zero changes.
    expect(fc.nonZeroFirstFrame).toBe(2);
    // (2 + 2) non-zeros · fanOut 3 / 3 frames = 4 MACs per frame, against 3 in steady state (2·3 / 2 pairs).
    expect(fc.deltaMacsPerFrameFirstIncluded).toBeCloseTo(4, 10);
    expect(m.overall.deltaMacsPerFrameFirstIncluded).toBeCloseTo(4, 10);
    // Two clips: the second, [[1,1,1,1]] x 3 frames, sends 4 values first and no change after.
    const two = measureSparsity(denseModel(), tf.tensor3d([[[0, 1, 2, 0], [0, 1, 3, 0], [5, 1, 3, 0]], [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]]]));
    // (2 + 4 first-frame non-zeros + 2 changes) · 3 / (2 clips · 3 frames) = 4
    expect(two.layers[0].deltaMacsPerFrameFirstIncluded).toBeCloseTo(4, 10);
    // steady state: 2 changes · 3 / (2 clips · 2 pairs) = 1.5
    expect(two.layers[0].deltaMacsPerFrame).toBeCloseTo(1.5, 10);
  });

  it('reads a delta layer that outputs changes as its quantized values, and counts conv fan-out', () => {
    // input [B, T=2, 4, 4, 1] → delta (q=1, output 'delta') → TimeDistributed(conv 2 filters, k3, stride 2, same)
    const input = tf.input({ shape: [2, 4, 4, 1] });
    const d = deltaActivation({ threshold: 1, output: 'delta', name: 'd' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }) }).apply(d) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    // Frame 0: one pixel 2.2 (→ 2), one 0.4 (→ 0); frame 1: the first pixel 2.4 (→ 2, unchanged), a new 3.
    const x = tf.buffer([1, 2, 4, 4, 1]);
    x.set(2.2, 0, 0, 0, 0, 0);
    x.set(0.4, 0, 0, 1, 1, 0);
    x.set(2.4, 0, 1, 0, 0, 0);
    x.set(3, 0, 1, 3, 3, 0);
    const c = measureSparsity(model, x.toTensor()).layers[0];
    // Quantized: frame 0 has 1 non-zero, frame 1 has 2 → 3 / (2·16); one change (the new 3) → 1 / 16.
    expect(c.nonZeroActivations).toBe(3);
    expect(c.spatialDensity).toBe(3 / 32);
    expect(c.temporalDensity).toBe(1 / 16);
    // fanOut: 4×4 → 2×2 outputs, 2·2·9·2 / 16 = 4.5; weights 3·3·1·2 = 18; outputs 2·2·2 = 8.
    expect([c.fanOut, c.weights, c.outputs]).toEqual([4.5, 18, 8]);
    // Executed MACs: rows = columns = [1, 1, 2, 1] windows (out 2, pad_total 1: 0 above, 1 below), 2 filters.
    // Dense: 16 · 4.5 = 72 = 2·2·9·1·2 (padding taps included).
    expect(c.denseMacsPerFrame).toBe(72);
    // The one change, at (3,3): 1·1·2 = 2 MACs per frame pair (the average fan-out would say 4.5).
    expect(c.deltaMacsPerFrame).toBe(2);
    // Zero-skipping: frame 0 (0,0) → 1·1·2 = 2; frame 1 (0,0) and (3,3) → 2 + 2; (2 + 4) / 2 frames = 3.
    expect(c.zeroSkippingMacsPerFrame).toBe(3);
    // First frame included: (first frame 2 + change 2) / 2 frames = 2.
    expect(c.deltaMacsPerFrameFirstIncluded).toBe(2);
    expect(c.deltaMacDensity).toBe(2 / 72);
    expect(c.zeroSkippingMacDensity).toBe(3 / 72);
  });

  it('counts each non-zero with its own position\'s fan-out (4×4, 3×3 stride-2 same conv, 1 filter)', () => {
    const input = tf.input({ shape: [2, 4, 4, 1] });
    const out = tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }) }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    // Clip 0: a pixel at (1,1) in both frames; clip 1: (2,2) in frame 0 only; clip 2: (3,3) in frame 1 only.
    const x = tf.buffer([3, 2, 4, 4, 1]);
    x.set(1, 0, 0, 1, 1, 0);
    x.set(1, 0, 1, 1, 1, 0);
    x.set(1, 1, 0, 2, 2, 0);
    x.set(1, 2, 1, 3, 3, 0);
    const c = measureSparsity(model, x.toTensor(), { batchSize: 2 }).layers[0];
    // Fan-out: (1,1) → 1, (2,2) → 2·2 = 4, (3,3) → 1 (rows 0..3 lie in 1, 1, 2, 1 windows).
    // Zero-skipping: (1 + 1) + 4 + 1 = 7 MACs over 3 clips · 2 frames → 7/6 (average fan-out: 4 · 2.25 / 6 = 1.5).
    expect(c.zeroSkippingMacsPerFrame).toBeCloseTo(7 / 6, 12);
    // Changes: clip 0 none; clip 1 (2,2) → −1: 4; clip 2 (3,3) → +1: 1. 5 MACs over 3 frame pairs.
    expect(c.deltaMacsPerFrame).toBeCloseTo(5 / 3, 12);
    // First frames: (1,1) → 1 and (2,2) → 4; plus the changes' 5: 10 MACs over 6 frames.
    expect(c.deltaMacsPerFrameFirstIncluded).toBeCloseTo(10 / 6, 12);
    // Activation densities count values, not MACs: 4 non-zeros of 3·2·16, 2 changes of 3·1·16.
    expect(c.spatialDensity).toBe(4 / 96);
    expect(c.temporalDensity).toBe(2 / 48);
    expect(c.denseMacsPerFrame).toBe(36); // 2·2·9·1·1
  });

  it('converts to hardware workloads and a DataFrame', () => {
    const m = measureSparsity(denseModel(), clip());
    expect(toWorkloads(m)).toEqual([
      // A dense layer's fan-out does not depend on position: the MAC densities equal the activation densities.
      { name: 'fc', kind: 'dense', inputActivations: 4, fanOut: 3, weights: 12, outputs: 3, spatialDensity: 7 / 12, temporalDensity: 0.25, zeroSkippingMacDensity: 7 / 12, deltaMacDensity: 0.25 },
    ]);
    const df = dataFrameOf(m.layers);
    expect(df.shape).toEqual([1, Object.keys(m.layers[0]).length]);
    expect(df.columns).toContain('temporalDensity');
  });

  it('rejects clips without a time axis and leaks no tensors', () => {
    const model = denseModel();
    expect(() => measureSparsity(model, tf.zeros([4, 4]))).toThrow(/\[batch, time, \.\.\.frame\].*Received: clips=\[4,4\]/);
    // Clips of another rank or frame size than the model's input: a one-line error, not a tfjs ValueError.
    expect(() => measureSparsity(model, tf.zeros([1, 3, 2, 2]))).toThrow(/^clips: expected a tensor of the model's input shape \[\?, 3, 4\]\. Received: clips=\[1,3,2,2\]/);
    expect(() => measureSparsity(model, tf.zeros([1, 3, 5]))).toThrow(/^clips: expected a tensor of the model's input shape/);
    const x = clip();
    measureSparsity(model, x);
    const before = tf.memory().numTensors;
    measureSparsity(model, x, { batchSize: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });
});
