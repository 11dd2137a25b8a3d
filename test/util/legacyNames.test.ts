/**
 * Files written before the vocabulary clean-up (issue 15) still load: retired keys are read under their new
 * names, ratios retired for densities are inverted, and each old key is reported once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAblationStore } from '../../lib/ablation/sparsitySweeps';
import { DeltaActivation } from '../../lib/layers/deltaActivation';
import { buildSmallCnn } from '../../lib/models/smallCnn';
import { METRIC_RENAMES, LAYER_ARG_RENAMES, setDeprecationSink, upgradeLegacyKeys, upgradeMetricRow } from '../../lib/util/legacyNames';

let messages: string[] = [];
let previous: (message: string) => void;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  messages = [];
  previous = setDeprecationSink((message) => messages.push(message));
});
afterEach(() => {
  setDeprecationSink(previous);
});

describe('upgradeLegacyKeys', () => {
  it('moves nested keys, keeps the new key when both are present, and leaves clean records untouched', () => {
    const renames = { 'sparsity.oldFlag': 'sparsity.newFlag', top: 'renamedTop' };
    const upgraded = upgradeLegacyKeys({ sparsity: { oldFlag: false, threshold: 0.2 }, top: 1 }, renames, 'test file');
    expect(upgraded).toEqual({ sparsity: { newFlag: false, threshold: 0.2 }, renamedTop: 1 });
    expect(upgradeLegacyKeys({ sparsity: { oldFlag: false, newFlag: true } }, renames, 'test file')).toEqual({ sparsity: { newFlag: true } });
    const clean = { sparsity: { newFlag: true } };
    expect(upgradeLegacyKeys(clean, renames, 'test file')).toBe(clean);
    // One message per key and kind of file, however many records carry it.
    expect(messages.filter((m) => m.includes("'sparsity.oldFlag'"))).toHaveLength(1);
    expect(messages[0]).toMatch(/^delta-sparsity: test file key 'sparsity.oldFlag' is deprecated; read as 'sparsity.newFlag'/);
  });
});

describe('upgradeMetricRow', () => {
  it('renames op counts to MACs and inverts the retired dense/delta ratios into MAC densities', () => {
    const row = upgradeMetricRow({ epoch: 3, denseOpsPerFrame: 1000, deltaOpsPerFrame: 100, denseToDeltaOpsRatio: 10, denseToSpatialOpsRatio: 4, 'conv2.deltaOpsPerFrame': 40 });
    // 1 / 10 = 0.1 of the dense MACs for delta execution; 1 / 4 = 0.25 for zero-skipping.
    expect(row).toEqual({ epoch: 3, denseMacsPerFrame: 1000, deltaMacsPerFrame: 100, deltaMacDensity: 0.1, zeroSkippingMacDensity: 0.25, 'conv2.deltaMacsPerFrame': 40 });
    expect(upgradeMetricRow({ denseToDeltaOpsRatio: null })).toEqual({ deltaMacDensity: null });
    expect(Object.keys(METRIC_RENAMES)).toContain('spatialOpsPerFrame');
  });
});

describe('files from before the clean-up', () => {
  it('a saved DeltaActivation config with invertThresholdGradient loads as thresholdGrowsWithPenalty', async () => {
    expect(LAYER_ARG_RENAMES.invertThresholdGradient).toBe('thresholdGrowsWithPenalty');
    // A model.json as an older version wrote it: the layer's config names the option invertThresholdGradient.
    const input = tf.input({ shape: [3, 2] });
    const saved = tf.model({ inputs: input, outputs: new DeltaActivation({ name: 'd', threshold: 0.2, thresholdGrowsWithPenalty: false }).apply(input) as tf.SymbolicTensor });
    const json = JSON.parse(JSON.stringify(saved.toJSON(undefined, false))) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const entry = json.config.layers.find((l) => l.class_name === 'DeltaActivation')!;
    // tfjs writes layer arguments in snake_case (and converts them back to camelCase when loading).
    expect(entry.config.threshold_grows_with_penalty).toBe(false);
    delete entry.config.threshold_grows_with_penalty;
    entry.config.invert_threshold_gradient = false;
    const loaded = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON['modelTopology'] as never);
    const layer = loaded.getLayer('d') as DeltaActivation;
    expect(layer.thresholdGrowsWithPenalty).toBe(false);
    expect(layer.getConfig().thresholdGrowsWithPenalty).toBe(false);
    expect('invertThresholdGradient' in layer.getConfig()).toBe(false);
    expect(messages.some((m) => m.includes("'invertThresholdGradient'"))).toBe(true);
  });

  it('a model builder given the retired option name honours it (scripts written before the clean-up)', () => {
    const args = { inputShape: [4, 8, 8, 3], classes: 3, filters: [4], variant: 'delta', invertThresholdGradient: false } as unknown as Parameters<typeof buildSmallCnn>[0];
    const model = buildSmallCnn(args);
    const deltaLayers = model.layers.filter((layer): layer is DeltaActivation => layer instanceof DeltaActivation);
    expect(deltaLayers.length).toBeGreaterThan(0);
    expect(deltaLayers.every((layer) => layer.thresholdGrowsWithPenalty === false)).toBe(true);
    expect(messages.some((m) => m.includes("model builder argument key 'invertThresholdGradient'"))).toBe(true);
    model.dispose();
  });

  it('an ablation store written with op names and ratios reads with MAC names and densities', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'legacy-store-')), 'ablation.jsonl');
    const old = {
      key: 'k1',
      config: { mode: 'fixed-threshold', variant: 'delta', threshold: 0.2, sparsityWeight: 0.1, source: 's' },
      result: { testClipAccuracy: 0.5, testVideoAccuracy: 0.6, testLoss: 1, spatialDensity: 0.5, temporalDensity: 0.1, denseOpsPerFrame: 1000, spatialOpsPerFrame: 500, deltaOpsPerFrame: 125, denseToDeltaOpsRatio: 8, meanThreshold: 0.2 },
      finishedAt: '2026-11-01T00:00:00.000Z',
      seconds: 1,
    };
    fs.writeFileSync(file, `${JSON.stringify(old)}\n`);
    const [record] = openAblationStore(file).records();
    // 125 of 1000 dense MACs: density 0.125 = 1 / 8.
    expect(record.result).toMatchObject({ denseMacsPerFrame: 1000, zeroSkippingMacsPerFrame: 500, deltaMacsPerFrame: 125, deltaMacDensity: 0.125 });
  });
});

describe('retired values and flags', () => {
  it("data.badVideos 'fail' resolves as 'error' with one deprecation line; 'skip' and 'error' pass silently", async () => {
    const { resolveTrainConfig } = await import('../../lib/train/config');
    expect(resolveTrainConfig({ data: { badVideos: 'fail' as never } }).data.badVideos).toBe('error');
    expect(resolveTrainConfig({ data: { badVideos: 'fail' as never } }).data.badVideos).toBe('error');
    expect(messages).toEqual(['delta-sparsity: training configuration value data.badVideos="fail" is deprecated; read as "error" (see MIGRATION.md).']);
    expect(resolveTrainConfig({ data: { badVideos: 'error' } }).data.badVideos).toBe('error');
    expect(resolveTrainConfig({}).data.badVideos).toBe('skip');
    expect(messages).toHaveLength(1);
    // Any other value is still refused by the schema, naming the two values.
    expect(() => resolveTrainConfig({ data: { badVideos: 'ignore' as never } })).toThrowError(/data\.badVideos: .*"skip".*"error"/);
  });

  it('upgradeLegacyFlags moves --quantum to --threshold once; the new flag wins when both are given', async () => {
    const { CLI_FLAG_RENAMES, upgradeLegacyFlags } = await import('../../lib/util/legacyNames');
    expect(CLI_FLAG_RENAMES['data density']).toEqual({ '--quantum': '--threshold' });
    expect(upgradeLegacyFlags({ quantum: '0.2', size: '8' }, 'data density')).toEqual({ threshold: '0.2', size: '8' });
    expect(upgradeLegacyFlags({ quantum: '0.2', threshold: '0.3' }, 'data density')).toEqual({ threshold: '0.3' });
    const clean = { threshold: '0.1' };
    expect(upgradeLegacyFlags(clean, 'data density')).toBe(clean);
    expect(messages.filter((m) => m.includes('--quantum'))).toHaveLength(1);
  });
});
