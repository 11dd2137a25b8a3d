/**
 * `bench --train-video`: the measuring code (tiny settings: a smoke test, no timing assertion) and, when
 * /usr/bin/python3 has torch, that the PyTorch twin has exactly our model's trainable parameters.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { benchTrainVideo, pytorchAvailability } from '../../lib/bench';

describe('benchTrainVideo', () => {
  it('reports clips/s for baseline and delta and restores the backend', async () => {
    await tf.setBackend('cpu');
    const result = await benchTrainVideo({ rounds: 1, stepsPerRound: 1, warmup: 0, batchSize: 1, noPytorch: true, quiet: true });
    expect(tf.getBackend()).toBe('cpu');
    expect(result.backend).toBe('wasm');
    expect(result.wasmThreads).toBe(1);
    expect(result.pytorch.available).toBe(false);
    for (const variant of ['baseline', 'delta'] as const) {
      const r = result.trainVideo[variant];
      expect(r.stepsMs.length).toBe(1);
      expect(r.clipsPerSec).toBeCloseTo(1000 / r.stepsMs[0], 6); // batch 1: clips/s = 1000 / step ms
      expect(r.pytorchClipsPerSec).toBeUndefined();
    }
    // Per-frame convs 3→16→32→64 (3x3, with biases) and dense 64→5:
    // 448 + 4,640 + 18,496 + 325 = 23,909; the delta variant adds one threshold per channel of its five
    // layers (input 3, relus 16, 32, 64, pooled 64): 179.
    expect(result.trainVideo.baseline.params).toBe(23_909);
    expect(result.trainVideo.delta.params).toBe(23_909 + 179);
  });

  it.skipIf(!pytorchAvailability().available)('runs the PyTorch twin, which has the same parameters', async () => {
    const result = await benchTrainVideo({ rounds: 1, stepsPerRound: 1, warmup: 0, batchSize: 1, quiet: true });
    expect(result.pytorch.threads).toBe(1);
    for (const variant of ['baseline', 'delta'] as const) {
      const r = result.trainVideo[variant];
      expect(r.pytorchParams).toBe(r.params);
      expect(r.pytorchStepsMs?.length).toBe(1);
      expect(r.ratio).toBeCloseTo(r.clipsPerSec / (r.pytorchClipsPerSec as number), 9);
    }
  });
});
