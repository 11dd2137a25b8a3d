/**
 * What a crash can leave behind, and that the next run recovers from it: a torn metrics line, and a
 * checkpoint caught between the two renames that swap it in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { readCheckpointState, saveCheckpoint, loadCheckpointModel } from '../../lib/train/checkpoint';
import { logEpochMetrics, readEpochMetrics, truncateEpochMetrics } from '../../lib/train/runFolder';
import { createOptimizer, setLearningRate } from '../../lib/train/optimizer';
import { resolveTrainConfig } from '../../lib/train/config';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

const temporary = () => fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));

function tinyModel(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
  return model;
}

describe('metrics after a crash mid-append', () => {
  it('cuts the torn line so that the next epochs are logged and readable', () => {
    const runDir = temporary();
    logEpochMetrics(runDir, { epoch: 1, trainLoss: 1 });
    logEpochMetrics(runDir, { epoch: 2, trainLoss: 0.9 });
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), '{"epoch":3,"trai'); // the crash
    truncateEpochMetrics(runDir, 2);
    logEpochMetrics(runDir, { epoch: 3, trainLoss: 0.8 });
    logEpochMetrics(runDir, { epoch: 4, trainLoss: 0.7 });
    expect(readEpochMetrics(runDir).map((row) => row.epoch)).toEqual([1, 2, 3, 4]);
    expect(fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
  });
});

describe('checkpoint swapped in by renames', () => {
  it('recovers the previous checkpoint when a crash left none in place', async () => {
    const runDir = temporary();
    const model = tinyModel();
    const optimizer = createOptimizer(resolveTrainConfig().optimizer);
    await saveCheckpoint(runDir, model, optimizer, { epochsDone: 1 });
    // A crash right after `checkpoint` was moved aside and before the new one was renamed in.
    fs.renameSync(path.join(runDir, 'checkpoint'), path.join(runDir, 'checkpoint.previous'));
    expect(readCheckpointState(runDir)?.epochsDone).toBe(1);
    const reloaded = await loadCheckpointModel(runDir);
    expect(Array.from(reloaded.getWeights()[0].dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    model.dispose();
    reloaded.dispose();
    optimizer.dispose();
  });

  it('prefers a complete staged checkpoint (the newer one) over the previous', async () => {
    const runDir = temporary();
    const model = tinyModel();
    const optimizer = createOptimizer(resolveTrainConfig().optimizer);
    await saveCheckpoint(runDir, model, optimizer, { epochsDone: 1 });
    await saveCheckpoint(runDir, model, optimizer, { epochsDone: 2 });
    // As if the crash came after staging epoch 2 was complete, with epoch 1 moved aside.
    fs.renameSync(path.join(runDir, 'checkpoint'), path.join(runDir, 'checkpoint.staging'));
    fs.mkdirSync(path.join(runDir, 'checkpoint.previous'));
    expect(readCheckpointState(runDir)?.epochsDone).toBe(2);
    model.dispose();
    optimizer.dispose();
  });

  it('ignores an incomplete staged checkpoint (no state.json)', async () => {
    const runDir = temporary();
    const model = tinyModel();
    const optimizer = createOptimizer(resolveTrainConfig().optimizer);
    await saveCheckpoint(runDir, model, optimizer, { epochsDone: 1 });
    fs.mkdirSync(path.join(runDir, 'checkpoint.staging', 'model'), { recursive: true });
    expect(readCheckpointState(runDir)?.epochsDone).toBe(1);
    model.dispose();
    optimizer.dispose();
  });
});

describe('learning-rate schedules', () => {
  it('take effect on every optimizer, including SGD with momentum (which caches its rate)', () => {
    for (const name of ['sgd', 'adam', 'rmsprop'] as const) {
      const optimizer = createOptimizer(resolveTrainConfig({ optimizer: { name } }).optimizer);
      const weight = tf.variable(tf.scalar(1));
      setLearningRate(optimizer, 0);
      // d(w²)/dw = 2 ≠ 0, but a zero rate must leave w where it is.
      optimizer.minimize(() => tf.square(weight) as tf.Scalar, false, [weight]);
      expect(weight.dataSync()[0], name).toBe(1);
      weight.dispose();
      optimizer.dispose();
    }
  });
});
