import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { SpatialL1 } from '../../lib/layers/spatialL1';
import { insertSparsityLayers } from '../../lib/models/insertSparsityLayers';
import { buildSmallCnn } from '../../lib/models/smallCnn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const clips = () => tf.randomUniform([2, 4, 12, 12, 3], 0, 1, 'float32', 7);

describe('insertSparsityLayers', () => {
  it('keeps the weights: with λ=0 and a tiny q the outputs are unchanged', () => {
    const baseline = buildSmallCnn({ inputShape: [4, 12, 12, 3], classes: 3, filters: [4, 8] });
    const delta = insertSparsityLayers(baseline, { threshold: 1e-6, sparsityWeight: 0 });
    expect(delta.layers.filter((l) => l instanceof DeltaActivation).map((l) => l.name)).toEqual([
      'delta_conv1',
      'delta_conv2',
      'delta_pool',
      'delta_logits',
    ]);
    const x = clips();
    // Each quantizer moves a value by at most q/2 = 5e-7, so logits move by far less than 1e-4.
    expect(maxAbsDiff(baseline.predict(x) as tf.Tensor, delta.predict(x) as tf.Tensor)).toBeLessThan(1e-4);
    // A coarse q does change them (the comparison above is not vacuous).
    const coarse = insertSparsityLayers(baseline, { threshold: 0.5 });
    expect(maxAbsDiff(baseline.predict(x) as tf.Tensor, coarse.predict(x) as tf.Tensor)).toBeGreaterThan(1e-3);
    // The source model still has no delta layers and its own weights.
    expect(baseline.layers.some((l) => l instanceof DeltaActivation)).toBe(false);
  });

  it('turns a per-frame model into a video model with TimeDistributed layers and a temporal average', () => {
    const perFrame = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu', name: 'c1' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 2, name: 'out' }),
      ],
    });
    const video = insertSparsityLayers(perFrame, { threshold: 1e-6, timeSteps: 3 });
    // One delta layer on the input frames (feeding c1) and one after c1's fused relu, which feeds the dense
    // through flatten (fanOut = units = 2).
    const deltas = video.layers.filter((l): l is DeltaActivation => l instanceof DeltaActivation);
    expect(deltas.map((l) => [l.name, l.fanOut])).toEqual([
      ['delta_c1', (4 * 4 * 9 * 3) / 36], // c1 is 'valid', 6→4: 4·4·9·3 / (6·6) = 12
      ['delta_out', 2],
    ]);
    const frames = tf.randomUniform([1, 3, 6, 6, 2], 0, 1, 'float32', 3);
    // Reference: the per-frame model on each frame, averaged over time.
    const perFrameOut = perFrame.predict(tf.reshape(frames, [3, 6, 6, 2])) as tf.Tensor;
    const expected = tf.mean(perFrameOut, 0, true);
    expect(maxAbsDiff(video.predict(frames) as tf.Tensor, expected)).toBeLessThan(1e-4);
  });

  it('builds the spatial-L1 baseline at the same positions', () => {
    const baseline = buildSmallCnn({ inputShape: [4, 12, 12, 3], classes: 3, filters: [4] });
    const l1 = insertSparsityLayers(baseline, { variant: 'spatial-l1' });
    expect(l1.layers.filter((l) => l instanceof SpatialL1).map((l) => l.name)).toEqual(['l1_conv1', 'l1_pool', 'l1_logits']);
    const x = clips();
    expect(maxAbsDiff(baseline.predict(x) as tf.Tensor, l1.predict(x) as tf.Tensor)).toBe(0);
  });
});

describe('serialization', () => {
  it('saves and reloads a delta model with its thresholds, settings and behaviour', async () => {
    const model = buildSmallCnn({ inputShape: [4, 12, 12, 3], classes: 3, filters: [4], variant: 'delta', granularity: 'neuron', output: 'quantized', sparsityWeight: 0.02 });
    const layer = model.getLayer('delta_conv1') as DeltaActivation;
    // Learned-looking thresholds, different per neuron.
    const thresholds = tf.randomUniform(layer.getWeights()[0].shape, 0.05, 0.3, 'float32', 5);
    layer.setWeights([thresholds]);
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
    const again = reloaded.getLayer('delta_conv1') as DeltaActivation;
    expect(again).toBeInstanceOf(DeltaActivation);
    expect(maxAbsDiff(again.getWeights()[0], thresholds)).toBe(0);
    expect([again.granularity, again.sparsityWeight, again.fanOut, again.outputMode]).toEqual(['neuron', 0.02, layer.fanOut, 'quantized']);
    const x = clips();
    expect(maxAbsDiff(model.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor)).toBe(0);
  });
});
