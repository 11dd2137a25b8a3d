/**
 * The benchmark's model and measuring code: analytic FLOPs, no tensor leak in a training step on wasm,
 * and the CLI's `bench --json` output.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { buildReferenceCnn, makeTrainStep, referenceCnnFlops, runBench } from '../../lib/bench';

const root = path.resolve(__dirname, '../..');

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('referenceCnnFlops', () => {
  it('counts the reference CNN by hand', () => {
    // MACs per frame: conv1 32*32*16*(3*3*3) = 442,368; conv2 16*16*32*(3*3*16) = 1,179,648;
    // conv3 8*8*64*(3*3*32) = 1,179,648; dense 64*10 = 640; total 2,802,304 -> forward 5,604,608 FLOPs.
    // Backward: conv1 filter gradient only (2*442,368), conv2/conv3 filter + input (4*1,179,648 each),
    // dense 4*640: 884,736 + 9,437,184 + 2,560 = 10,324,480. Training = 15,929,088.
    expect(referenceCnnFlops()).toEqual({ forwardPerFrame: 5_604_608, trainPerFrame: 15_929_088 });
  });
});

describe('reference CNN on wasm', () => {
  it('has the layer shapes of the issue', () => {
    const model = buildReferenceCnn();
    expect(model.outputs[0].shape).toEqual([null, 10]);
    expect(model.layers.map((l) => l.outputShape)).toEqual([
      [null, 32, 32, 16],
      [null, 16, 16, 32],
      [null, 8, 8, 64],
      [null, 64],
      [null, 10],
    ]);
    model.dispose();
  });

  it('a training step leaves tf.memory().numTensors unchanged and lowers the loss on a fixed batch', () => {
    const model = buildReferenceCnn();
    const optimizer = tf.train.adam(1e-2);
    const x = tf.randomUniform([4, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const labels = tf.oneHot(tf.tensor1d([1, 4, 7, 9], 'int32'), 10).toFloat() as tf.Tensor2D;
    const step = makeTrainStep(model, optimizer);
    const first = step(x, labels); // creates Adam's slot variables
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = step(x, labels);
    expect(tf.memory().numTensors).toBe(before);
    // Fitting 4 fixed examples: 6 Adam steps at lr 1e-2 must reduce the cross-entropy.
    expect(last).toBeLessThan(first);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  });

  it('runBench measures each requested backend with tiny settings', async () => {
    const result = await runBench({ backends: ['wasm'], repeats: 2, warmup: 0, batchSize: 2, inputSize: 16, quiet: true });
    const wasm = result.backends.wasm;
    expect(wasm).toBeDefined();
    expect(wasm?.trainStepsMs).toHaveLength(2);
    expect(wasm?.trainFramesPerSec).toBeGreaterThan(0);
    // frames/s = batch / median step time.
    expect(wasm?.trainFramesPerSec).toBeCloseTo((2 * 1000) / (wasm?.trainStepMs ?? 1), 6);
    expect(wasm?.trainGflopsPerSec).toBeCloseTo(((wasm?.trainFramesPerSec ?? 0) * referenceCnnFlops({ inputSize: 16 }).trainPerFrame) / 1e9, 9);
  });
});

describe('delta-sparsity bench --json', () => {
  const cli = path.join(root, 'dist/cli/main.js');
  it.skipIf(!fs.existsSync(cli))('prints one parseable JSON document on stdout', () => {
    const stdout = execFileSync(process.execPath, [cli, 'bench', '--quick', '--json', '--backend', 'wasm', '--backend', 'cpu'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const document = JSON.parse(stdout) as { backends: Record<string, { trainFramesPerSec: number; inferFramesPerSec: number }> };
    expect(Object.keys(document.backends).sort()).toEqual(['cpu', 'wasm']);
    for (const entry of Object.values(document.backends)) {
      expect(entry.trainFramesPerSec).toBeGreaterThan(0);
      expect(entry.inferFramesPerSec).toBeGreaterThan(0);
    }
  });

  it.skipIf(!fs.existsSync(cli))('rejects an unknown backend with a non-zero exit', () => {
    let status = 0;
    try {
      execFileSync(process.execPath, [cli, 'bench', '--backend', 'gpu'], { cwd: root, stdio: 'pipe' });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(1);
  });
});
