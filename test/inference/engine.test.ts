import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSparseEngine, SparseEngine } from '../../lib/inference/engine';
import { buildMobileNet } from '../../lib/models/mobileNet';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { measureSparsity } from '../../lib/sparsity/measure';
import { denseLogits, frameOf, mobileNetWithBatchNorm, movingClip, randomizeBatchNorms, randomizeThresholds, smallCnnWithBatchNorm } from './helpers';
import { InputNormalization } from '../../lib/layers/inputNormalization';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const T = 64;
const SIZE = 32;
const FRAME = [SIZE, SIZE, 3];
const FRAME_SIZE = SIZE * SIZE * 3;

function streamClip(engine: SparseEngine, clip: Float32Array, frames = T): Float32Array[] {
  return Array.from({ length: frames }, (_, t) => engine.step(frameOf(clip, t, FRAME_SIZE)));
}

/** Largest |a − b| over all frames, relative to the largest |logit| of the dense reference. */
function relativeError(streamed: Float32Array[], dense: Float32Array[]): number {
  let scale = 0;
  let error = 0;
  dense.forEach((d, t) =>
    d.forEach((v, k) => {
      scale = Math.max(scale, Math.abs(v));
      error = Math.max(error, Math.abs(v - streamed[t][k]));
    }),
  );
  return error / scale;
}

/** How many frames' logits differ from the first frame's by more than 1e-3 of their scale (temporal structure). */
function framesThatChange(dense: Float32Array[]): number {
  const scale = Math.max(...dense[0].map(Math.abs));
  return dense.filter((d) => d.some((v, k) => Math.abs(v - dense[0][k]) > 1e-3 * scale)).length;
}

/** Trained-like steps: each delta layer its own seeded q per channel (see `randomizeThresholds`). */
function withSteps(model: tf.LayersModel): tf.LayersModel {
  randomizeThresholds(model);
  return model;
}

const models: [string, () => tf.LayersModel][] = [
  ['small CNN', () => withSteps(buildSmallCnn({ inputShape: [T, SIZE, SIZE, 3], classes: 5, filters: [16, 32, 64], variant: 'delta', threshold: 0.05 }))],
  ['small CNN with batch norm', () => smallCnnWithBatchNorm([T, SIZE, SIZE, 3], 5, [16, 32, 64], { variant: 'delta', threshold: 0.05 })],
  [
    'MobileNet-style',
    () => withSteps(buildMobileNet({ inputShape: [T, SIZE, SIZE, 3], classes: 4, stemFilters: 8, blocks: [{ filters: 16, stride: 1 }, { filters: 16, stride: 2 }], widthMultiplier: 1, variant: 'delta', threshold: 0.05 })),
  ],
  [
    "the study's small CNN (builder batchNorm and inputNormalization)",
    () => {
      const model = buildSmallCnn({ inputShape: [T, SIZE, SIZE, 3], classes: 5, filters: [16, 32, 64], variant: 'delta', threshold: 0.05, batchNorm: true, inputNormalization: true });
      (model.layers.find((l) => l instanceof InputNormalization) as InputNormalization).setStatistics([0.45, 0.5, 0.4], [0.22, 0.25, 0.2]);
      randomizeBatchNorms(model);
      return withSteps(model);
    },
  ],
  ['MobileNet-style with batch norm (relu6)', () => mobileNetWithBatchNorm([T, SIZE, SIZE, 3], 4, { variant: 'delta', threshold: 0.05 })],
];

describe('createSparseEngine: equals dense inference of the quantised model', () => {
  const clip = movingClip(T, SIZE);
  for (const [name, build] of models) {
    it(`${name}, every one of ${T} frames, and its MAC counts equal measureSparsity's`, () => {
      const model = build();
      const dense = denseLogits(model, clip, T, FRAME);
      expect(framesThatChange(dense)).toBeGreaterThan(T / 8); // not vacuous: the output moves with the clip
      const engine = createSparseEngine(model);
      const streamed = streamClip(engine, clip);
      expect(relativeError(streamed, dense)).toBeLessThan(1e-4);

      // The temporal average equals the model's clip output.
      const clipLogits = tf.tidy(() => (model.predict(tf.tensor(clip, [1, T, ...FRAME])) as tf.Tensor).dataSync());
      const average = engine.clipOutput();
      const scale = Math.max(...clipLogits.map(Math.abs));
      average.forEach((v, k) => expect(Math.abs(v - clipLogits[k])).toBeLessThan(1e-4 * scale));

      // Op counts: measureSparsity counts the T−1 changes of each layer's quantised input; the engine also
      // sends the first frame whole, so its changes after the first frame must equal measureSparsity's.
      const clipTensor = tf.tensor(clip, [1, T, ...FRAME]);
      const measured = measureSparsity(model, clipTensor);
      clipTensor.dispose();
      const stats = engine.stats();
      expect(stats.map((s) => s.name)).toEqual(measured.layers.map((l) => l.name));
      stats.forEach((s, i) => {
        const m = measured.layers[i];
        expect(s.deltaInput).toBe(true);
        expect(s.frames).toBe(T);
        expect(s.fanOut).toBe(m.fanOut);
        expect(s.nonZeroInputs - s.firstFrameNonZeroInputs).toBe(m.nonZeroChanges);
        // Executed MACs of one clip: its first frame sent whole and its T−1 changes, T frames in all.
        expect(s.macs / T).toBeCloseTo(m.deltaMacsPerFrameFirstIncluded, 6);
        expect(s.denseMacs).toBeCloseTo(T * m.denseMacsPerFrame, 6);
        // A loose bound: no input feeds more MACs than the layer has weights (a dense layer: its units).
        expect(s.macs).toBeLessThanOrEqual(s.nonZeroInputs * (m.weights / (m.kind === 'dense' ? m.inputActivations : 1)));
      });
      // The drifting pattern leaves much of each frame unchanged.
      const total = stats.reduce((a, s) => a + s.macs, 0);
      const dense0 = stats.reduce((a, s) => a + s.denseMacs, 0);
      expect(total).toBeLessThan(0.6 * dense0);
      engine.dispose();
    });
  }
});

describe('createSparseEngine: the WebAssembly and TypeScript loops agree', () => {
  const clip = movingClip(T, SIZE, 9);
  for (const [name, build] of models) {
    it(`${name}: every one of ${T} frames within 1e-5, and the same MAC counts`, () => {
      const model = build();
      const wasm = createSparseEngine(model, { loops: 'wasm' });
      const typescript = createSparseEngine(model, { loops: 'typescript' });
      expect([wasm.loops, typescript.loops]).toEqual(['wasm', 'typescript']);
      const a = streamClip(wasm, clip);
      const b = streamClip(typescript, clip);
      // Both do the same IEEE operations in the same order, so 1e-5 of the logits' scale is a loose bound.
      expect(relativeError(a, b)).toBeLessThan(1e-5);
      expect(wasm.stats()).toEqual(typescript.stats());
      expect(wasm.stats().reduce((n, s) => n + s.nonZeroInputs, 0)).toBeGreaterThan(0);
      wasm.dispose();
      typescript.dispose();
    });
  }

  it("rejects another value of 'loops'", () => {
    const model = models[0][1]();
    expect(() => createSparseEngine(model, { loops: 'gpu' as 'wasm' })).toThrow(/loops.*'wasm' or 'typescript'.*Received: loops=.*gpu/);
  });
});
