/**
 * A run folder logged before the vocabulary clean-up: resuming it rewrites metrics.jsonl under the new column
 * names (one vocabulary per file, values converted), and a folder holding another run is refused before any
 * data is read.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../lib/backend';
import { readEpochMetrics } from '../../lib/train/runFolder';
import { train } from '../../lib/train/trainer';
import { setDeprecationSink } from '../../lib/util/legacyNames';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const quick = { progress: 'silent' as const, preset: 'quick' };
/** A seconds-long run: the quick preset's 6 classes of 16x16x4 clips, 1 train and 1 test video each, 1 epoch. */
const tiny = { epochs: 1, batchSize: 4, sparsityClips: 2, data: { syntheticTrainPerClass: 1, syntheticTestPerClass: 1 } };

describe('resuming a run folder with retired metric names', () => {
  it('rewrites metrics.jsonl under the new names with the same values', async () => {
    const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'legacy-metrics-')), 'run');
    const first = await train({ ...quick, runDir, config: tiny });
    first.model.dispose();
    const file = path.join(runDir, 'metrics.jsonl');
    const [row] = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
    // As an older version logged it: op counts, and the dense/delta ratio (the inverse of the MAC density).
    const { denseMacsPerFrame, deltaMacDensity, ...rest } = row;
    fs.writeFileSync(file, `${JSON.stringify({ ...rest, denseOpsPerFrame: denseMacsPerFrame, denseToDeltaOpsRatio: 1 / deltaMacDensity })}\n`);

    const previous = setDeprecationSink(() => undefined);
    try {
      const again = await train({ ...quick, runDir, config: tiny });
      again.model.dispose();
      expect(again.resumedFromEpoch).toBe(1);
    } finally {
      setDeprecationSink(previous);
    }
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/OpsPerFrame|OpsRatio/);
    const [rewritten] = readEpochMetrics(runDir);
    expect(rewritten.denseMacsPerFrame).toBe(denseMacsPerFrame);
    expect(rewritten.deltaMacDensity as number).toBeCloseTo(deltaMacDensity, 12);
    expect(fs.readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').split('\n')[0]).toContain('deltaMacDensity');
  }, 120_000);

  it('refuses a folder that holds another run before reading any video (regression: it decoded the data first)', async () => {
    const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'refuse-early-')), 'run');
    const first = await train({ ...quick, runDir, config: tiny });
    first.model.dispose();
    // A folder dataset that does not exist would fail on reading; the run folder's refusal must come first.
    const other = { ...tiny, data: { source: 'folder' as const, root: path.join(runDir, 'no-such-videos') } };
    await expect(train({ ...quick, runDir, config: other })).rejects.toThrow(/^runDir: .* holds a run with a different configuration/);
  }, 120_000);
});
