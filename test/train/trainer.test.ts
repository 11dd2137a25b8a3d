/**
 * The training loop on the embedded synthetic set (wasm backend, tiny "quick" settings: seconds per run).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { createSyntheticDataset } from '../../lib/data';
import { train } from '../../lib/train/trainer';
import type { EpochMetrics } from '../../lib/train/runFolder';
import { resolveTrainConfig } from '../../lib/train/config';
import { datasetFromConfig } from '../../lib/train/fromConfig';
import { DeltaSparsityError } from '../../lib/util/errors';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

function temporaryRun(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'train-')), name);
}

const quick = { progress: 'silent' as const, preset: 'quick' };

describe('train', () => {
  it('lowers the training loss on a small set it can memorise', async () => {
    // 2 visually distinct classes x 4 clips, 12 epochs at a high learning rate: a network with a few thousand
    // weights must fit 8 clips, so the last epoch's loss is far below the first's (ln 2 = 0.69 at chance).
    const result = await train({
      ...quick,
      runDir: temporaryRun('fit'),
      config: { epochs: 12, batchSize: 4, data: { syntheticTrainPerClass: 4, syntheticTestPerClass: 2 }, optimizer: { learningRate: 0.01 } },
      dataset: createSyntheticDataset({ classes: ['move-right', 'rotate'], height: 16, width: 16, clipLength: 4, trainPerClass: 4, testPerClass: 2, seed: 1 }),
    });
    result.model.dispose();
    const losses = result.metrics.map((row) => row.trainLoss as number);
    expect(losses).toHaveLength(12);
    expect(losses[11]).toBeLessThan(0.5 * losses[0]);
  });

  it('resumed after epoch 1 gives the same epoch-2 metrics as an uninterrupted run, with a stable tensor count', async () => {
    const config = { epochs: 2, model: { variant: 'delta' as const } };
    const tensorsAfterEpoch: number[] = [];
    const uninterrupted = await train({ ...quick, runDir: temporaryRun('whole'), config, onEpoch: () => tensorsAfterEpoch.push(tf.memory().numTensors) });
    uninterrupted.model.dispose();
    // Epoch 1 creates the optimizer's slots; after that an epoch must not leave tensors behind.
    expect(tensorsAfterEpoch[1]).toBe(tensorsAfterEpoch[0]);

    const runDir = temporaryRun('interrupted');
    const first = await train({ ...quick, runDir, config, stopAfterEpochs: 1 });
    first.model.dispose();
    expect(first.metrics).toHaveLength(1);
    const resumed = await train({ ...quick, runDir, config });
    resumed.model.dispose();
    expect(resumed.resumedFromEpoch).toBe(1);
    expect(resumed.metrics.map((row) => row.epoch)).toEqual([1, 2]);

    const compare = (a: EpochMetrics, b: EpochMetrics) => {
      for (const key of ['trainLoss', 'trainPenalty', 'trainAccuracy', 'testLoss', 'testClipAccuracy', 'temporalDensity', 'spatialDensity', 'meanThreshold']) {
        expect(b[key], key).toBeCloseTo(a[key] as number, 5);
      }
    };
    compare(uninterrupted.metrics[1], resumed.metrics[1]);
    // The run folder holds the files users and the cost model read.
    for (const file of ['config.json', 'metrics.jsonl', 'metrics.csv', 'workload.json', 'checkpoint/model/model.json']) {
      expect(fs.existsSync(path.join(runDir, file)), file).toBe(true);
    }
    expect(fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('evaluates on test clips of their own length when testClipLength is set', async () => {
    const result = await train({ ...quick, runDir: temporaryRun('longer'), config: { epochs: 1, data: { testClipLength: 8 } } });
    result.model.dispose();
    // Trained on 4-frame clips (quick preset), measured on 8-frame test clips: 7 changes per clip.
    expect(result.config.data.clipLength).toBe(4);
    expect(result.sparsity.framesPerClip).toBe(8);
    expect(result.metrics[0].testClipAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('refuses to resume into a folder that holds a different configuration', async () => {
    const runDir = temporaryRun('other');
    const first = await train({ ...quick, runDir, config: { epochs: 1 } });
    first.model.dispose();
    await expect(train({ ...quick, runDir, config: { epochs: 1, seed: 2 } })).rejects.toThrow(
      /holds a run with a different configuration.*seed \(1 in the folder, 2 now\)/,
    );
  });

  it('refuses to refine a model made for other frames, classes or epochs, with a clear error', async () => {
    const baselineDir = temporaryRun('base16');
    const baseline = await train({ ...quick, runDir: baselineDir, config: { epochs: 1 } }); // 16x16 frames, 6 classes
    baseline.model.dispose();
    const refine = (config: object) => train({ ...quick, runDir: temporaryRun('refine'), config: { epochs: 1, initFrom: baselineDir, model: { variant: 'delta' as const }, ...config } });
    await expect(refine({ data: { size: 24 } })).rejects.toThrow(/initFrom: expected a model for 24x24x3 frames.*takes 16x16x3 frames/);
    await expect(
      train({ ...quick, runDir: temporaryRun('refine'), config: { epochs: 1, initFrom: baselineDir }, dataset: createSyntheticDataset({ classes: 3, height: 16, width: 16, clipLength: 4 }) }),
    ).rejects.toThrow(/initFrom: expected a model with 3 outputs.*has 6/);
    await expect(refine({ initFromEpochs: 2 })).rejects.toThrow(/initFromEpochs: expected .* to have finished 2 epochs\. Received: 1 epochs/);
    // A run that failed to start leaves no folder that would refuse the corrected configuration.
    const runDir = temporaryRun('retry');
    await expect(train({ ...quick, runDir, config: { epochs: 1, initFrom: baselineDir, data: { size: 24 } } })).rejects.toThrow(/initFrom/);
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('stops with a clear error before training when the clips do not fit the configuration', async () => {
    await expect(
      train({ ...quick, runDir: temporaryRun('mismatch'), config: { data: { clipLength: 6 } }, dataset: createSyntheticDataset({ height: 16, width: 16, clipLength: 4 }) }),
    ).rejects.toThrow(/expected clips of 6 frames at 16x16 as configured\. Received: 4 frames/);
  });
});

describe('datasetFromConfig', () => {
  it('rejects a UCF101 clip longer than the videos, naming the video, before any training', async () => {
    const config = resolveTrainConfig({
      data: { source: 'ucf101', root: path.join(__dirname, '../../data/ucf101-samples'), classes: ['ApplyEyeMakeup'], clipLength: 500, size: 16, cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'cache-')) },
    });
    await expect(datasetFromConfig(config, 'silent')).rejects.toThrow(DeltaSparsityError);
    await expect(datasetFromConfig(config, 'silent')).rejects.toThrow(/v_ApplyEyeMakeup_g01_c01/);
  });

  it('rejects an empty subset before any training', async () => {
    // The bundled samples are all split-1 test videos, so a subset of them has no training clip.
    const config = {
      data: { source: 'ucf101' as const, root: path.join(__dirname, '../../data/ucf101-samples'), classes: ['ApplyEyeMakeup'], clipLength: 4, size: 16, cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'cache-')) },
    };
    const runDir = temporaryRun('empty');
    // The split-1 training videos of ApplyEyeMakeup are all missing: the class has no usable training video,
    // which is an error naming it even though data.badVideos defaults to 'skip' (issue 13 item 1).
    await expect(train({ ...quick, runDir, config })).rejects.toThrow(/class ApplyEyeMakeup has no usable training video \(\d+ listed\); first reason: Video not found: .*v_ApplyEyeMakeup_g/);
    expect(fs.existsSync(runDir)).toBe(false); // nothing was started
  });

  it('asks for the UCF101 folder when the source is ucf101 without a root', async () => {
    await expect(datasetFromConfig(resolveTrainConfig({ data: { source: 'ucf101' } }), 'silent')).rejects.toThrow(/data\.root: expected the UCF101 folder/);
  });
});
