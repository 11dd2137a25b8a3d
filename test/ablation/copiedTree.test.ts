/**
 * A fixed-threshold sweep's stored results follow its run folders (regression, issue 15 follow-up): a tree
 * copied elsewhere reuses them instead of measuring again and appending duplicates, and results stored by an
 * earlier version (source identity with an absolute initFrom) are reused too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedThresholdSweep, openAblationStore } from '../../lib/ablation/sparsitySweeps';
import { initBackend } from '../../lib/backend';
import { trainRecipe } from '../../lib/train/recipe';
import { readFinishedRun } from '../../lib/train/runFolder';
import { stableHash } from '../../lib/util/stableHash';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const temporary = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `copied-${name}-`));
/** A seconds-long run: the quick preset's 6 classes of 16x16x4 clips, 1 train and 1 test video each, 1 epoch. */
const tiny = { epochs: 1, batchSize: 4, sparsityClips: 2, data: { syntheticTrainPerClass: 1, syntheticTestPerClass: 1 } };
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;

describe('fixedThresholdSweep in a copied tree', () => {
  it('reuses the stored points after a copy, and the points an earlier version stored', async () => {
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

    // A store as an earlier version wrote it: each point's source hashed the configuration with initFrom absolute.
    const c = temporary('c');
    fs.cpSync(a, c, { recursive: true });
    const { config, epochsDone } = readFinishedRun(path.join(c, 'delta'));
    const legacySource = stableHash({ config, epochs: epochsDone });
    const store = path.join(c, 'ablation.jsonl');
    const legacy = openAblationStore(store).records().map((record) => {
      const point = { ...record.config, source: legacySource };
      return { ...record, key: stableHash(point), config: point };
    });
    fs.writeFileSync(store, legacy.map((record) => `${JSON.stringify(record)}\n`).join(''));
    // Without its weights the model cannot be measured again: the sweep must take the stored results.
    fs.rmSync(path.join(c, 'delta', 'checkpoint', 'model'), { recursive: true });
    const upgraded = await sweep(c);
    expect(upgraded.records.map((r) => r.result)).toEqual(first.records.map((r) => r.result));
    expect(upgraded.records.map((r) => r.config.source)).toEqual(first.records.map((r) => r.config.source));
    // The 2 legacy records, then the same 2 results under the current identity.
    expect(lines(store)).toBe(4);
  }, 120_000);
});
