/**
 * User mistakes a new-user tester found, each a one-line DeltaSparsityError naming the argument, what was
 * expected and `Received: x=...`, raised before any work starts:
 * - a misspelt option of a public factory or options object (plain-JavaScript callers get no compile-time check)
 *   was silently ignored and its default used;
 * - a dataset of another frame size, a missing run folder or results file escaped as tfjs / node errors;
 * - a run folder given to `loadModelFromFolder` did not say where a run's model is.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { createFolderDataset, createSyntheticDataset, createUcf101Dataset, createWeizmannDataset } from '../../lib/data';
import { deltaActivation, frameDistributed, spatialL1 } from '../../lib/layers';
import { buildSmallCnn } from '../../lib/models';
import { runLopoStudy, runStudy } from '../../lib/study';
import { evaluate, loadCheckpointModel, loadModelFromFolder, saveModelToFolder, train, trainRecipe } from '../../lib/train';
import { fixedThresholdSweep, trainingSweep } from '../../lib/ablation';
import { DeltaSparsityError, checkOptionKeys, likelyMeant, optionKeys, withArticle } from '../../lib/util/errors';
import { crossoverTemporalDensity, energyVersusTemporalDensity, estimateCost, loadExampleWorkload, loadHardware, validateHardwareSpec } from '../../lib/hardware';
import { measureInputTemporalDensity } from '../../lib/data';
import { measureSparsity } from '../../lib/sparsity';
import { createSparseEngine } from '../../lib/inference';
import { LAYER_ARG_RENAMES } from '../../lib/util/legacyNames';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The error `run` throws (synchronously or as a rejection), checked to be a one-line DeltaSparsityError. */
async function mistake(run: () => unknown): Promise<string> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DeltaSparsityError);
  const message = (caught as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

// Plain-JavaScript callers: the misspelt names below are type errors in TypeScript, so they go through `unknown`.
const loose = <T>(value: unknown): T => value as T;

describe('misspelt options are refused with the closest name', () => {
  it('dataset factories', async () => {
    expect(await mistake(() => createWeizmannDataset(loose({ clipLenght: 16 })))).toMatch(
      /^createWeizmannDataset: unknown argument 'clipLenght' \(did you mean clipLength\?\)\. Expected one of: .*Received: clipLenght=16$/,
    );
    // Weizmann names itself: `name` is not one of its options.
    expect(await mistake(() => createWeizmannDataset(loose({ name: 'mine' })))).toMatch(/^createWeizmannDataset: unknown argument 'name'/);
    expect(await mistake(() => createSyntheticDataset(loose({ trainPerClas: 2 })))).toMatch(/did you mean trainPerClass\?.*Received: trainPerClas=2$/);
    expect(await mistake(() => createFolderDataset(loose({ root: '/nowhere', subjectPattern: '^(.)', fols: 1 })))).toMatch(/^createFolderDataset: unknown argument 'fols' \(did you mean fold\?\)/);
    expect(await mistake(() => createUcf101Dataset(loose({ root: '/nowhere', videosPerClas: 2 })))).toMatch(/^createUcf101Dataset: unknown argument 'videosPerClas' \(did you mean videosPerClass\?\)/);
    expect(await mistake(() => createSyntheticDataset(loose(7)))).toBe('createSyntheticDataset options: expected an object of named options. Received: createSyntheticDataset options=7');
    // Correct options still work, and every documented option is known.
    expect(createSyntheticDataset({ classes: 2, clipLength: 3, height: 8, width: 8, trainPerClass: 1, testPerClass: 1, memoize: false, appearanceCue: false }).clipLength).toBe(3);
  });

  it('layer factories (their own arguments plus tfjs layer arguments; retired names still read)', async () => {
    expect(await mistake(() => deltaActivation(loose({ treshold: 0.5 })))).toMatch(/^deltaActivation: unknown argument 'treshold' \(did you mean threshold\?\).*Received: treshold=0\.5$/);
    expect(await mistake(() => spatialL1(loose({ sparsityWeigth: 1 })))).toMatch(/^spatialL1: unknown argument 'sparsityWeigth' \(did you mean sparsityWeight\?\)/);
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 3 });
    expect(await mistake(() => frameDistributed(loose({ layer: conv, nmae: 'x' })))).toMatch(/^frameDistributed: unknown argument 'nmae' \(did you mean name\?\)/);
    const layer = deltaActivation({ threshold: 0.5, name: 'delta_a', trainable: false, inputShape: [4, 3] });
    expect([layer.initialThreshold, layer.name, layer.trainable]).toEqual([0.5, 'delta_a', false]);
    // The retired name of thresholdGrowsWithPenalty (MIGRATION.md, LAYER_ARG_RENAMES) is read as the new one.
    const [retired] = Object.entries(LAYER_ARG_RENAMES).find(([, to]) => to === 'thresholdGrowsWithPenalty')!;
    expect(deltaActivation(loose({ [retired]: false })).thresholdGrowsWithPenalty).toBe(false);
  });

  it('layer classes still take what tfjs passes when it loads a saved model', async () => {
    const model = buildSmallCnn({ inputShape: [2, 8, 8, 3], classes: 2, filters: [2], variant: 'delta' });
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mistakes-model-'));
    await saveModelToFolder(model, folder);
    const loaded = await loadModelFromFolder(folder);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    model.dispose();
    loaded.dispose();
  });

  it('runStudy and runLopoStudy options', async () => {
    expect(await mistake(() => runStudy(loose({ dat: 'synthetic', fast: true })))).toMatch(/^runStudy: unknown argument 'dat' \(did you mean data\?\).*Received: dat="synthetic"$/);
    expect(await mistake(() => runLopoStudy(loose({ data: 'weizmann', seed: 2 })))).toMatch(/^runLopoStudy: unknown argument 'seed' \(did you mean seeds\?\)/);
  });

  it('initBackend options and its log mode', async () => {
    expect(await mistake(() => initBackend(loose({ log: 'none' })))).toBe('log: expected one of "stderr", "line". Received: log="none"');
    expect(await mistake(() => initBackend(loose({ lgo: 'line' })))).toMatch(/^initBackend: unknown argument 'lgo' \(did you mean log\?\)/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('optionKeys lists every option of its type, and checkOptionKeys takes undefined as {}', () => {
    interface Two {
      alpha?: number;
      beta: string;
    }
    expect(optionKeys<Two>({ alpha: true, beta: true })).toEqual(['alpha', 'beta']);
    expect(checkOptionKeys<Two>('f', undefined, ['alpha', 'beta'])).toEqual({});
    expect(() => checkOptionKeys('f', loose<Two>([1]), ['alpha'])).toThrow('f options: expected an object of named options. Received: f options=[1]');
  });
});

describe('library mistakes are named before any work starts', () => {
  it('evaluate: a dataset whose frames do not fit the model names both shapes', async () => {
    const model = buildSmallCnn({ inputShape: [4, 24, 32, 3], classes: 2, filters: [2] });
    const dataset = createSyntheticDataset({ classes: 2, height: 16, width: 16, clipLength: 4, trainPerClass: 1, testPerClass: 1 });
    const before = tf.memory().numTensors;
    expect(await mistake(() => evaluate(model, dataset, 4))).toBe(
      'dataset: expected clips of the model\'s input shape [?, 4, 24, 32, 3] ([batch, T, H, W, C]). Received: dataset="synthetic clips [?, 4, 16, 16, 3]"',
    );
    expect(tf.memory().numTensors).toBe(before);
    const threeClasses = createSyntheticDataset({ classes: 3, height: 24, width: 32, clipLength: 4, trainPerClass: 1, testPerClass: 1 });
    expect(await mistake(() => evaluate(model, threeClasses, 4))).toBe(
      'dataset: expected 2 classes (the model\'s output shape [?, 2]). Received: dataset="synthetic with 3 classes"',
    );
    // A dataset that fits evaluates: 2 classes x 1 test video x 1 window = 2 clips.
    const fits = createSyntheticDataset({ classes: 2, height: 24, width: 32, clipLength: 4, trainPerClass: 1, testPerClass: 1 });
    expect((await evaluate(model, fits, 4)).clips).toBe(2);
    model.dispose();
  });

  it('train and trainRecipe without a run folder', async () => {
    expect(await mistake(() => train(loose({ config: {} })))).toMatch(/^runDir: expected a run folder path .*Received: runDir=undefined$/);
    expect(await mistake(() => train(loose({ runDir: '/tmp/x', confg: {} })))).toMatch(/^train: unknown argument 'confg' \(did you mean config\?\)/);
    expect(await mistake(() => trainRecipe(loose({ config: {} })))).toMatch(/^root: expected a folder for the runs .*Received: root=undefined$/);
  });

  it('sweeps without a results file, before printing any progress', async () => {
    const writes: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => writes.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await mistake(() => fixedThresholdSweep(loose({ sourceRunDir: '/nowhere/run', thresholds: [0.1] })))).toMatch(
        /^storeFile: expected a results file path \(JSONL\)\. Received: storeFile=undefined$/,
      );
      expect(await mistake(() => trainingSweep(loose({ baselineRunDir: '/nowhere/run', runsRoot: '/nowhere/runs', thresholds: [0.1] })))).toMatch(/^storeFile: /);
      expect(await mistake(() => fixedThresholdSweep(loose({ sourceRunDir: '/nowhere/run', storeFile: '/tmp/s.jsonl', treshold: [0.1] })))).toMatch(/did you mean thresholds\?/);
    } finally {
      process.stderr.write = write;
    }
    expect(writes.join('')).not.toMatch(/points/);
  });
});

describe('loading the model of a run folder', () => {
  it('loadModelFromFolder on a run folder names loadCheckpointModel; elsewhere it says what it expected', async () => {
    const run = fs.mkdtempSync(path.join(os.tmpdir(), 'mistakes-run-'));
    fs.writeFileSync(path.join(run, 'config.json'), '{}');
    const message = await mistake(() => loadModelFromFolder(run));
    expect(message).toContain(`folder: expected a folder holding model.json (or the path of a model.json); there is no ${path.join(run, 'model.json')}. Received: folder="${run}"`);
    expect(message).toContain(`its model is in ${path.join(run, 'checkpoint', 'model')}; load it with loadCheckpointModel(runDir).`);
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'mistakes-plain-'));
    expect(await mistake(() => loadModelFromFolder(plain))).not.toContain('loadCheckpointModel');
    // A run folder before its first checkpoint: the error names runDir, not an inner folder.
    expect(await mistake(() => loadCheckpointModel(run))).toMatch(new RegExp(`^runDir: expected a run folder with a checkpointed model .*Received: runDir="${run.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`));
  });
});

describe('messages read as English', () => {
  it('a type name gets its article: "an object", "a number"', async () => {
    expect([withArticle('object'), withArticle('array'), withArticle('number'), withArticle('string')]).toEqual(['an object', 'an array', 'a number', 'a string']);
    const spec = loadHardware('eyeriss-v2-like');
    expect(await mistake(() => validateHardwareSpec({ ...spec, mac: 3 }))).toBe('hardware: mac: expected an object. Received: mac=3');
  });
});

describe('suggestions', () => {
  it('suggest only names a misspelling is close to', () => {
    const presets = ['eyeriss-v2-like', 'horowitz-45nm-fp32', 'horowitz-45nm-int8'];
    // eyeriss-v2 -> eyeriss-v2-like: 5 insertions, a third of 15 letters; nope is 12+ edits from each.
    expect(likelyMeant('eyeriss-v2', presets)).toEqual(['eyeriss-v2-like']);
    expect(likelyMeant('nope', presets)).toEqual([]);
    // Two edits are always allowed for short names: quik -> quick (1), papr -> paper (1).
    expect(likelyMeant('quik', ['default', 'quick', 'paper'])).toEqual(['quick']);
  });
});

describe('options of the measuring, cost and engine functions (second tester pass: misspelt options were ignored)', () => {
  it('refuses a misspelt or retired option before any work', async () => {
    const workloads = loadExampleWorkload('example-video-cnn');
    expect(await mistake(() => estimateCost(workloads, 'eyeriss-v2-like', loose({ temporalDensty: 0.2 })))).toMatch(/^estimateCost: unknown argument 'temporalDensty' \(did you mean temporalDensity\?\)/);
    expect(await mistake(() => estimateCost(workloads, 'eyeriss-v2-like', loose({ state: 'dram' })))).toMatch(/^estimateCost: unknown argument 'state'.*Expected one of: statePlacement, temporalDensity/);
    expect(await mistake(() => crossoverTemporalDensity(workloads, 'eyeriss-v2-like', loose({ stat: 'dram' })))).toMatch(/^crossoverTemporalDensity: unknown argument 'stat'/);
    expect(await mistake(() => energyVersusTemporalDensity(workloads, 'eyeriss-v2-like', loose({ point: 5 })))).toMatch(/^energyVersusTemporalDensity: unknown argument 'point' \(did you mean points\?\)/);
    const model = buildSmallCnn({ variant: 'delta', inputShape: [4, 8, 8, 3], classes: 2, filters: [4] });
    const clips = tf.zeros([1, 4, 8, 8, 3]);
    expect(await mistake(() => measureSparsity(model, clips, loose({ batchsize: 2 })))).toMatch(/^measureSparsity: unknown argument 'batchsize' \(did you mean batchSize\?\)/);
    expect(await mistake(() => createSparseEngine(model, loose({ loop: 'typescript' })))).toMatch(/^createSparseEngine: unknown argument 'loop' \(did you mean loops\?\)/);
    const dataset = createSyntheticDataset({ trainPerClass: 1, testPerClass: 1 });
    // The retired option name is refused too (it used to run at the default threshold 0.05, silently).
    expect(await mistake(() => measureInputTemporalDensity(dataset, loose({ quantum: 0.2 })))).toMatch(/^measureInputTemporalDensity: unknown argument 'quantum'.*Expected one of: threshold, parts, batchSize/);
    clips.dispose();
    model.dispose();
  });

  it('suggests only a plausible misspelling (regression: a retired name suggested onInput, lamda suggested name)', async () => {
    const message = await mistake(() => buildSmallCnn(loose({ variant: 'delta', lambda: 0.1 })));
    expect(message).toMatch(/^buildSmallCnn: unknown argument 'lambda'\. Expected one of: /);
    expect(await mistake(() => spatialL1(loose({ lamda: 0.1 })))).toMatch(/^spatialL1: unknown argument 'lamda'\. Expected one of: /);
  });
});

