/**
 * The run-folder owner (issue 15, item 2): old files still load through the legacy-name tables, a folder
 * written by today's trainer reloads and resumes, a copied tree of run folders resumes (initFrom is stored
 * relative to the run folder), and the shared end-of-epoch measurement leaves no tensors behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { createSyntheticDataset } from '../../lib/data';
import { validateLayerWorkloads } from '../../lib/hardware/validate';
import { measureSparsity, toWorkloads } from '../../lib/sparsity';
import { resolveTrainConfig } from '../../lib/train/config';
import { evaluate, evaluateAndMeasure, stratifiedTestClips } from '../../lib/train/evaluate';
import { modelFromConfig } from '../../lib/train/fromConfig';
import { trainRecipe } from '../../lib/train/recipe';
import { checkRunFolder, MEASUREMENT_VERSION, readEpochMetrics, readFinishedRun, readRunConfigFile, readRunWorkload, runWorkloadIsCurrent } from '../../lib/train/runFolder';
import { estimateCost } from '../../lib/hardware/cost';
import { train } from '../../lib/train/trainer';
import { METRIC_RENAMES, TRAIN_CONFIG_RENAMES, setDeprecationSink, upgradeLegacyKeys, type KeyRename, type KeyRenames } from '../../lib/util/legacyNames';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const temporary = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `runfolder-${name}-`));
const quick = { progress: 'silent' as const, preset: 'quick' };
/** A seconds-long run: the quick preset's 6 classes of 16x16x4 clips, 1 train and 1 test video each, 1 epoch. */
const tiny = { epochs: 1, batchSize: 4, sparsityClips: 2, data: { syntheticTrainPerClass: 1, syntheticTestPerClass: 1 } };

/** Test-only additions to the (still empty) shared rename tables, removed after each test. */
const added: { table: Record<string, KeyRename>; key: string }[] = [];
function addRename(table: KeyRenames, oldKey: string, newKey: string): void {
  (table as Record<string, KeyRename>)[oldKey] = newKey;
  added.push({ table: table as Record<string, KeyRename>, key: oldKey });
}
afterEach(() => {
  for (const { table, key } of added.splice(0)) delete table[key];
});

describe('legacy names in run folders', () => {
  it('upgradeLegacyKeys renames a nested key of a local table and keeps every other value', () => {
    const messages: string[] = [];
    const previous = setDeprecationSink((message) => messages.push(message));
    try {
      const old = { epochs: 3, sparsity: { oldStep: 0.25, sparsityWeight: 0.1 } };
      const upgraded = upgradeLegacyKeys(old, { 'sparsity.oldStep': 'sparsity.threshold' }, 'training configuration');
      expect(upgraded).toEqual({ epochs: 3, sparsity: { threshold: 0.25, sparsityWeight: 0.1 } });
      expect(old.sparsity.oldStep).toBe(0.25); // the input is not changed
      expect(messages).toEqual([expect.stringContaining("training configuration key 'sparsity.oldStep' is deprecated; read as 'sparsity.threshold'")]);
    } finally {
      setDeprecationSink(previous);
    }
  });

  it('reads config.json and metrics.jsonl through the rename tables', async () => {
    const runDir = temporary('legacy');
    const first = await train({ ...quick, runDir, config: tiny });
    first.model.dispose();
    // Rewrite the folder as a version that used retired names would have written it.
    const configFile = path.join(runDir, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.sparsity.retiredThresholdName = config.sparsity.threshold;
    delete config.sparsity.threshold;
    fs.writeFileSync(configFile, JSON.stringify(config));
    const metricsFile = path.join(runDir, 'metrics.jsonl');
    const [row] = fs.readFileSync(metricsFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    const layerColumn = Object.keys(row).find((key) => key.endsWith('.temporalDensity')) as string;
    const layer = layerColumn.slice(0, -'.temporalDensity'.length);
    const renamedRow = { ...row, retiredDensity: row.temporalDensity, [`${layer}.retiredDensity`]: row[layerColumn] };
    delete renamedRow.temporalDensity;
    delete renamedRow[layerColumn];
    fs.writeFileSync(metricsFile, `${JSON.stringify(renamedRow)}\n`);

    addRename(TRAIN_CONFIG_RENAMES, 'sparsity.retiredThresholdName', 'sparsity.threshold');
    addRename(METRIC_RENAMES, 'retiredDensity', 'temporalDensity');
    const previous = setDeprecationSink(() => undefined);
    try {
      expect(readRunConfigFile(runDir)).toEqual(first.config);
      expect(readEpochMetrics(runDir)).toEqual(first.metrics);
      // The renamed folder is the same run: it resumes (training one more epoch) instead of refusing.
      const resumed = await train({ ...quick, runDir, config: { ...tiny, epochs: 2 } });
      resumed.model.dispose();
      expect(resumed.resumedFromEpoch).toBe(1);
      expect(resumed.metrics.map((r) => r.epoch)).toEqual([1, 2]);
    } finally {
      setDeprecationSink(previous);
    }
  });
});

describe('a run folder written by today\'s trainer', () => {
  it('reloads its configuration, metrics and workload, and resumes after the last epoch', async () => {
    const runDir = path.join(temporary('today'), 'run');
    const first = await train({ ...quick, runDir, config: tiny });
    first.model.dispose();
    expect(readRunConfigFile(runDir)).toEqual(first.config);
    expect(readFinishedRun(runDir)).toEqual({ config: first.config, epochsDone: 1 });
    expect(readEpochMetrics(runDir)).toEqual(first.metrics);
    // workload.json holds what the cost model derives from the last measurement.
    expect(readRunWorkload(runDir)).toEqual(validateLayerWorkloads(toWorkloads(first.sparsity)));

    const again = await train({ ...quick, runDir, config: tiny });
    again.model.dispose();
    expect(again.resumedFromEpoch).toBe(1);
    expect(again.metrics).toEqual(first.metrics); // nothing retrained
  });

  it('names the folder when it is not a finished run', () => {
    const empty = temporary('empty');
    expect(() => readFinishedRun(empty)).toThrow(`runDir: expected a finished training run folder (config.json and checkpoint/). Received: runDir=${JSON.stringify(empty)}`);
    expect(() => readRunWorkload(empty)).toThrow(/^runDir: expected a run folder holding workload\.json/);
  });
});

describe('a finished run whose workload.json was measured before executed MACs (measurement version 1)', () => {
  it('loads, is re-measured from its checkpoint once, and is not retrained', async () => {
    const runDir = path.join(temporary('old-macs'), 'run');
    const first = await train({ ...quick, runDir, config: tiny });
    first.model.dispose();
    const file = path.join(runDir, 'workload.json');
    const current = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(current.measurementVersion).toBe(MEASUREMENT_VERSION);
    // As versions before 2026-12 wrote it: no measurementVersion, no MAC densities per layer.
    const { measurementVersion: _dropped, ...rest } = current;
    const old = { ...rest, layers: current.layers.map(({ zeroSkippingMacDensity: _z, deltaMacDensity: _d, ...layer }: Record<string, unknown>) => layer) };
    fs.writeFileSync(file, `${JSON.stringify(old, null, 2)}\n`);
    // An old workload still loads, with the activation densities standing in for the MAC densities.
    const loaded = readRunWorkload(runDir);
    expect(loaded.every((layer) => layer.deltaMacDensity === undefined)).toBe(true);
    expect(estimateCost(loaded, 'eyeriss-v2-like').layers[0].modes.delta.macDensity).toBe(loaded[0].temporalDensity);
    expect(runWorkloadIsCurrent(runDir)).toBe(false);
    const state = fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8');

    const lines: string[] = [];
    const sink = { show: (_id: number, line: string) => lines.push(line) };
    const again = await train({ ...quick, progress: sink, runDir, config: tiny });
    again.model.dispose();
    expect(again.remeasured).toBe(true);
    expect(again.resumedFromEpoch).toBe(1);
    expect(again.metrics).toEqual(first.metrics); // no epoch retrained or logged again
    expect(fs.readFileSync(path.join(runDir, 'checkpoint', 'state.json'), 'utf8')).toBe(state); // no new checkpoint
    expect(lines.filter((line) => line.includes('re-measured: executed MACs')).length).toBeGreaterThan(0);
    expect(lines.every((line) => line.includes('re-measured: executed MACs'))).toBe(true); // nothing else ran
    // The same checkpoint on the same clips: the measurement of the first session, now written in the new form.
    expect(again.sparsity).toEqual(first.sparsity);
    expect(runWorkloadIsCurrent(runDir)).toBe(true);
    expect(readRunWorkload(runDir)).toEqual(validateLayerWorkloads(toWorkloads(first.sparsity)));
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ model: current.model, epoch: 1 });

    // Once current, a reopened run says nothing and rewrites nothing.
    const quiet: string[] = [];
    const third = await train({ ...quick, progress: { show: (_id: number, line: string) => quiet.push(line) }, runDir, config: tiny });
    third.model.dispose();
    expect(third.remeasured).toBe(false);
    expect(quiet).toEqual([]);
  });
});

describe('initFrom in a copied tree of run folders (regression: "differs in initFrom")', () => {
  const recipe = (root: string) => trainRecipe({ ...quick, root, config: tiny, variants: ['delta'] });
  const dispose = (result: Awaited<ReturnType<typeof recipe>>) => Object.values(result.runs).forEach((run) => run.model.dispose());

  it('stores initFrom relative to the run folder, and a copy resumes without retraining', async () => {
    const a = temporary('tree-a');
    const trained = await recipe(a);
    dispose(trained);
    expect(JSON.parse(fs.readFileSync(path.join(a, 'delta', 'config.json'), 'utf8')).initFrom).toBe(path.join('..', 'baseline'));
    expect(readRunConfigFile(path.join(a, 'delta')).initFrom).toBe(path.join(a, 'baseline'));

    const b = temporary('tree-b');
    fs.cpSync(a, b, { recursive: true });
    const resumed = await recipe(b);
    dispose(resumed);
    expect(resumed.runs.baseline.resumedFromEpoch).toBe(1);
    expect(resumed.runs.delta.resumedFromEpoch).toBe(1);
    expect(resumed.runs.delta.metrics).toEqual(trained.runs.delta.metrics);
    expect(readRunConfigFile(path.join(b, 'delta')).initFrom).toBe(path.join(b, 'baseline'));
  });

  it('resumes a folder that stores an absolute initFrom (older versions), moved or not', async () => {
    const a = temporary('legacy-a');
    dispose(await recipe(a));
    const configFile = path.join(a, 'delta', 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    fs.writeFileSync(configFile, JSON.stringify({ ...config, initFrom: path.join(a, 'baseline') }));
    const c = temporary('legacy-c');
    fs.cpSync(a, c, { recursive: true });

    const unmoved = await recipe(a);
    dispose(unmoved);
    expect(unmoved.runs.delta.resumedFromEpoch).toBe(1);
    const moved = await recipe(c);
    dispose(moved);
    expect(moved.runs.delta.resumedFromEpoch).toBe(1);
    // Resuming rewrote the old absolute path in the new relative form.
    expect(JSON.parse(fs.readFileSync(path.join(c, 'delta', 'config.json'), 'utf8')).initFrom).toBe(path.join('..', 'baseline'));
  });

  it('still refuses a refinement of a different source', async () => {
    const a = temporary('other');
    dispose(await recipe(a));
    const stored = readRunConfigFile(path.join(a, 'delta'));
    const other = path.join(a, 'another-baseline');
    expect(() => checkRunFolder(path.join(a, 'delta'), { ...stored, initFrom: other })).toThrow(
      `differs in initFrom (${JSON.stringify(path.join(a, 'baseline'))} in the folder, ${JSON.stringify(other)} now)`,
    );
    // An old absolute path is matched after a move only by the same folder name beside the run.
    const configFile = path.join(a, 'delta', 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, 'utf8')), initFrom: '/elsewhere/baseline' }));
    expect(() => checkRunFolder(path.join(a, 'delta'), { ...stored, initFrom: other })).toThrow(/differs in initFrom/);
    expect(() => checkRunFolder(path.join(a, 'delta'), stored)).not.toThrow();
  });
});

describe('evaluateAndMeasure', () => {
  it('equals evaluate followed by measureSparsity on the stratified test clips, and leaves no tensors', async () => {
    const dataset = createSyntheticDataset({ trainPerClass: 1, testPerClass: 1, height: 16, width: 16, clipLength: 4 });
    const model = await modelFromConfig(resolveTrainConfig({ model: { variant: 'delta' } }, 'quick'), dataset);
    const options = { batchSize: 2, sparsityClips: 4 };
    // Reference: the three steps the trainer and the sweeps used to write out by hand.
    const expectedTest = await evaluate(model, dataset, options.batchSize);
    const sample = await stratifiedTestClips(dataset, options.sparsityClips);
    const expectedSparsity = measureSparsity(model, sample);
    sample.dispose();

    await evaluateAndMeasure(model, dataset, options); // warm-up: tfjs keeps some tensors on first use
    const before = tf.memory().numTensors;
    const measured = await evaluateAndMeasure(model, dataset, options);
    expect(tf.memory().numTensors).toBe(before);
    expect(measured.test).toEqual(expectedTest);
    expect(measured.sparsity).toEqual(expectedSparsity);
    expect(measured.sparsity.clips).toBe(4);
    model.dispose();
  });
});
