/**
 * Regression tests for the engine ≠ predict report on untrained models (threshold 0.1 everywhere): the engine
 * quantised with a float64 x·(1/q) while tfjs divides in float32, and a delta layer behind a global average
 * pool of another delta layer's levels sees exact ties (mean of multiples of q over H·W positions = (k + ½)·q).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSparseEngine } from '../../lib/inference/engine';
import { quantizationLevel } from '../../lib/inference/stages';
import { deltaActivation, DeltaActivation } from '../../lib/layers/deltaActivation';
import { modelChain } from '../../lib/models/chain';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { SeededRandom } from '../../lib/util/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('quantisation levels as tfjs computes them', () => {
  // x = k/20 for k = 0..40 with q = 0.1: every odd k is a tie x/q = k/2 in exact arithmetic. In float32,
  // 0.35f / 0.1f = 3.49999989 rounds to 3.5 exactly (half spacing 1.2e-7), which tf.round sends to 4, while
  // 0.35f · (1/0.1f) in float64 = 3.49999989 rounds to 3: the old engine's flip.
  const values = Float32Array.from({ length: 41 }, (_, k) => k / 20);

  it('quantizationLevel equals round(x / q) of the delta layer on the cpu backend', () => {
    const q = Math.fround(0.1);
    const expected = tf.tidy(() => Array.from(tf.round(tf.div(tf.tensor1d(values), q)).dataSync()));
    expect(Array.from(values, (x) => quantizationLevel(x, q))).toEqual(expected);
    expect(quantizationLevel(Math.fround(0.35), q)).toBe(4);
  });

  for (const loops of ['typescript', 'wasm'] as const) {
    it(`the engine (${loops} loops) gives the same levels as predict on float32 ties`, () => {
      const input = tf.input({ shape: [1, 1, 1, values.length] });
      const delta = deltaActivation({ name: 'delta', threshold: 0.1, rectify: false }).apply(input) as tf.SymbolicTensor;
      const dense = tf.layers.timeDistributed({
        layer: tf.layers.dense({ units: values.length, useBias: false, kernelInitializer: 'identity' }),
      });
      const model = tf.model({ inputs: input, outputs: dense.apply(delta) as tf.SymbolicTensor });
      const engine = createSparseEngine(model, { loops });
      const streamed = engine.step(values);
      const dense32 = tf.tidy(() => (model.predict(tf.tensor(values, [1, 1, 1, 1, values.length])) as tf.Tensor).dataSync());
      // Identity dense: the outputs are the quantised values themselves, equal up to the float64 level·q.
      streamed.forEach((v, k) => expect(v).toBeCloseTo(dense32[k], 6));
      engine.dispose();
      model.dispose();
    });
  }
});

describe("the tester's untrained model (threshold 0.1, filters [32, 64, 128, 256], BN, input normalisation)", () => {
  it('matches predict up to the exact ties behind the global pool, and no further', () => {
    const model = buildSmallCnn({
      inputShape: [1, 32, 32, 3], classes: 10, variant: 'delta', threshold: 0.1, filters: [32, 64, 128, 256],
      batchNorm: true, inputNormalization: true, seed: 1,
    });
    const random = new SeededRandom(1);
    const frame = Float32Array.from({ length: 32 * 32 * 3 }, () => Math.floor(random.uniform(0, 256)) / 255);
    const chain = modelChain(model);
    const pool = chain.find((l) => l.name === 'pool_td') as tf.layers.Layer;
    const deltaLogits = chain.find((l) => l.name === 'delta_logits') as DeltaActivation;
    const logits = chain.find((l) => l.name === 'logits_td') as tf.layers.Layer;
    const x = tf.tensor(frame, [1, 1, 32, 32, 3]);

    // Up to the pool there is no tie (the conv outputs are continuous): the engine agrees to float rounding.
    const upToPool = tf.model({ inputs: model.inputs, outputs: pool.output as tf.SymbolicTensor });
    const pooledEngine = createSparseEngine(upToPool).step(frame);
    const pooled = tf.tidy(() => (upToPool.predict(x) as tf.Tensor).dataSync());
    pooledEngine.forEach((v, k) => expect(Math.abs(v - pooled[k])).toBeLessThan(1e-6));

    // The pool averages 2×2 positions of levels·q: mean/q = Σk/4, a tie when Σk ≡ 2 (mod 4).
    const q = Math.fround(0.1);
    const ties = Array.from(pooled, (v, k) => k).filter((k) => {
      const quarters = (4 * pooled[k]) / q;
      return Math.abs(quarters - Math.round(quarters)) < 1e-3 && Math.round(quarters) % 4 === 2;
    });
    expect(ties.length).toBeGreaterThan(20); // 55 of 256 units with this seed and frame

    // A tie unit may go to either neighbouring level, which moves logit j by at most q·|W_ij|.
    const [kernel] = logits.getWeights();
    const w = kernel.arraySync() as number[][]; // [256, classes]
    const classes = w[0].length;
    const bound = Array.from({ length: classes }, (_, j) => ties.reduce((s, i) => s + q * Math.abs(w[i][j]), 0));
    const perFrame = tf.model({ inputs: model.inputs, outputs: logits.output as tf.SymbolicTensor });
    const expected = tf.tidy(() => (perFrame.predict(x) as tf.Tensor).dataSync());
    const engine = createSparseEngine(model);
    const streamed = engine.step(frame);
    let flipped = 0;
    for (let j = 0; j < classes; j++) {
      expect(Math.abs(streamed[j] - expected[j])).toBeLessThanOrEqual(bound[j] + 1e-5);
    }
    // Count the tie units that went the other way: each moves the logits by ±q·W_i (a measured pin, 0–1 with
    // this seed; 2–3 with the old float64 x·(1/q)).
    const levelsEngine = Array.from(pooledEngine, (v) => quantizationLevel(v, q));
    const levelsDense = tf.tidy(() => Array.from(deltaLogitsLevels(deltaLogits, perFrame, x)));
    levelsEngine.forEach((l, k) => (flipped += l === levelsDense[k] ? 0 : 1));
    expect(flipped).toBeLessThanOrEqual(1);
    engine.dispose();
    tf.dispose(x);
  });
});

/** The levels delta_logits sends in dense inference: its output / q. */
function deltaLogitsLevels(layer: DeltaActivation, perFrame: tf.LayersModel, x: tf.Tensor): Float32Array {
  const sub = tf.model({ inputs: perFrame.inputs, outputs: layer.output as tf.SymbolicTensor });
  const y = (sub.predict(x) as tf.Tensor).dataSync() as Float32Array;
  return y.map((v) => Math.round(v / Math.fround(0.1)));
}
