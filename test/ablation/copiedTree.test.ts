/**
 * A fixed-threshold sweep's stored results follow its run folders (regression, issue 15 follow-up): a tree
 * copied elsewhere reuses them instead of measuring again and appending duplicates. Results stored before
 * executed-MAC counting are measured again, never mixed in.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedThresholdSweep, openAblationStore } from '../../lib/ablation/sparsitySweeps';
import { initBackend } from '../../lib/backend';
import { trainRecipe } from '../../lib/train/recipe';
import { MEASUREMENT_VERSION } from '../../lib/train/runFolder';
import { stableHash } from '../../lib/util/stableHash';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const temporary = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `copied-${name}-`));
/** A seconds-long run: the quick preset's 6 classes of 16x16x4 clips, 1 train and 1 test video each, 1 epoch. */
const tiny = { epochs: 1, batchSize: 4, sparsityClips: 2, data: { syntheticTrainPerClass: 1, syntheticTestPerClass: 1 } };
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;

describe('fixedThresholdSweep in a copied tree', () => {
  it('reuses the stored points after a copy, and measures again the points stored with the older MAC count', async () => {
    const a = temporary('a');
    const trained = await trainRecipe({ progress: 'silent', preset: 'quick', root: a, config: tiny, variants: ['delta'] });
    Object.values(trained.runs).forEach((run) => run.model.dispose());
    const sweep = (root: string) =>
      fixedThresholdSweep({ sourceRunDir: path.join(root, 'delta'), thresholds: [0.1, 0.3], storeFile: path.join(root, 'ablation.jsonl'), progress: 'silent' });
    const first = await sweep(a);
    expect(first.reused).toBe(0);

    const b = temporary('b');
    fs.cpSync(a, b, { recursive: true });
    const copied = await sweep(b);
    expect(copied.reused).toBe(2);
    expect(lines(path.join(b, 'ablation.jsonl'))).toBe(2);
    expect(copied.records.map((r) => r.result)).toEqual(first.records.map((r) => r.result));

    // A store as versions before executed-MAC counting wrote it: points without `measurement`, MACs counted with
    // the average fan-out. Those results are not reused (they would mix two ways of counting): measured again.
    const c = temporary('c');
    fs.cpSync(a, c, { recursive: true });
    const store = path.join(c, 'ablation.jsonl');
    const older = openAblationStore(store).records().map((record) => {
      const { measurement: _measurement, ...point } = record.config;
      return { ...record, key: stableHash(point), config: point, result: { ...record.result, deltaMacsPerFrame: 123 } };
    });
    fs.writeFileSync(store, older.map((record) => `${JSON.stringify(record)}\n`).join(''));
    const remeasured = await sweep(c);
    expect(remeasured.reused).toBe(0);
    expect(remeasured.records.map((r) => r.result)).toEqual(first.records.map((r) => r.result));
    expect(remeasured.records.every((r) => r.config.measurement === MEASUREMENT_VERSION)).toBe(true);
    // The 2 older records stay (an append-only store), then the 2 new ones.
    expect(lines(store)).toBe(4);
  }, 120_000);
});
