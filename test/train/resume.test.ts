/**
 * Resuming restores every piece of optimizer state (issue 13, item 5), and no optimizer leaves tensors
 * behind (item 12).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { loadCheckpointModel, restoreOptimizer, saveCheckpoint } from '../../lib/train/checkpoint';
import { resolveTrainConfig } from '../../lib/train/config';
import { createOptimizer, disposeOptimizer } from '../../lib/train/optimizer';
import { train } from '../../lib/train/trainer';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
const temporary = () => fs.mkdtempSync(path.join(os.tmpdir(), 'resume-'));

function tinyModel(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: 'glorotUniform', biasInitializer: 'ones' })] });
}

/** `steps` optimizer steps on a fixed least-squares problem. */
function step(model: tf.LayersModel, optimizer: tf.Optimizer, steps: number): void {
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const x = tf.tensor2d([[1, 2, 3, 4], [-1, 0.5, 2, -3]]);
      const y = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
      optimizer.minimize(() => tf.losses.meanSquaredError(y, model.predict(x) as tf.Tensor) as tf.Scalar, false, variables);
    });
  }
}

const bits = (model: tf.LayersModel) => model.getWeights().map((weight) => Array.from(new Uint32Array(new Float32Array(weight.dataSync()).buffer)));

describe('an optimizer restored from a checkpoint', () => {
  it.each(OPTIMIZERS)('%s continues bit-identically to one that never stopped', async (name) => {
    tf.setBackend('wasm');
    const runDir = temporary();
    const model = tinyModel();
    const optimizer = createOptimizer(resolveTrainConfig({ optimizer: { name, learningRate: 0.01 } }).optimizer);
    // 30 steps: Adam's β1^t as a product of 30 multiplications differs in the last bits from pow(β1, 31)
    // that tfjs's setWeights recomputes, which is how resumed Adam runs drifted.
    step(model, optimizer, 30);
    await saveCheckpoint(runDir, model, optimizer, { epochsDone: 1 });

    const resumedModel = await loadCheckpointModel(runDir);
    const resumedOptimizer = createOptimizer(resolveTrainConfig({ optimizer: { name, learningRate: 0.01 } }).optimizer);
    // Slots are created lazily by the first step; tfjs's setWeights fills them like that step would.
    await restoreOptimizer(runDir, resumedOptimizer);
    step(model, optimizer, 30);
    step(resumedModel, resumedOptimizer, 30);
    expect(bits(resumedModel)).toEqual(bits(model));
    for (const m of [model, resumedModel]) m.dispose();
    for (const o of [optimizer, resumedOptimizer]) disposeOptimizer(o);
  });
});

describe('train() resumed after an interruption', () => {
  // Columns that depend on the wall clock; everything else must match bit for bit.
  const timing = new Set(['seconds', 'trainFramesPerSec']);
  const withoutTiming = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !timing.has(key))));

  it.each(OPTIMIZERS)('%s: metrics and weights equal an uninterrupted run exactly; no tensor is left behind', async (name) => {
    const config = { epochs: 4, model: { variant: 'delta' as const }, optimizer: { name } };
    const quick = { progress: 'silent' as const, preset: 'quick', config };
    // A first run warms up what tfjs caches once per process (kernels, constants).
    (await train({ ...quick, runDir: path.join(temporary(), 'warm-up'), config: { ...config, epochs: 1 } })).model.dispose();

    const before = tf.memory().numTensors;
    const whole = await train({ ...quick, runDir: path.join(temporary(), 'whole') });
    const wholeBits = bits(whole.model);
    whole.model.dispose();
    // Item 12: SGD (momentum) leaked its learning-rate scalar on every call.
    expect(tf.memory().numTensors).toBe(before);

    const runDir = path.join(temporary(), 'interrupted');
    (await train({ ...quick, runDir, stopAfterEpochs: 1 })).model.dispose();
    (await train({ ...quick, runDir, stopAfterEpochs: 2 })).model.dispose();
    const resumed = await train({ ...quick, runDir });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(withoutTiming(resumed.metrics)).toEqual(withoutTiming(whole.metrics));
    expect(bits(resumed.model)).toEqual(wholeBits);
    resumed.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
