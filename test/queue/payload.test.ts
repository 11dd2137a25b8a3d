import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stableHash } from '../../lib/util/stableHash';
import { blobHash, packBaseline, unpackBaseline } from '../../lib/queue/baselineBlob';
import { checkDatasetIdentity, configForDataRoot } from '../../lib/queue/datasetIdentity';
import { parseJobPayload, type RefinementJob } from '../../lib/queue/payload';
import { resolveTrainConfig } from '../../lib/train/config';
import { DeltaSparsityError } from '../../lib/util/errors';

const point = { mode: 'trained' as const, variant: 'delta' as const, threshold: 0.1, sparsityWeight: 0.03, source: 'abc' };
const job: RefinementJob = {
  version: 1,
  kind: 'refinement',
  key: stableHash(point),
  point,
  refinementBase: resolveTrainConfig({}),
  baseline: { blob: 'f'.repeat(64), epochs: 3 },
  dataset: { name: 'synthetic', split: 'generated', fold: null, fileListHash: '0123', videos: 264 },
};

describe('job payloads', () => {
  it('accept a well-formed refinement job', () => {
    const parsed = parseJobPayload(JSON.parse(JSON.stringify(job)));
    expect(parsed.ok).toBe(true);
  });

  it('reject malformed jobs, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...job, point: { ...point, threshold: 'high' } }, /^point\.threshold: /],
      [{ ...job, key: stableHash({ ...point, threshold: 0.2 }) }, /^key: key is not the hash of point/],
      [{ ...job, refinementBase: { ...job.refinementBase, epochz: 3 } }, /^refinementBase: .*epochz/],
      [{ ...job, kind: 'shell' }, /^kind: /],
      [{ ...job, baseline: { blob: '../../etc/passwd', epochs: 3 } }, /^baseline\.blob: /],
      [null, /^\(payload\): /],
    ];
    for (const [payload, problem] of cases) {
      const parsed = parseJobPayload(payload);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toMatch(problem);
    }
  });
});

describe('dataset identity on a worker', () => {
  it('points folder data at the worker\'s root and drops the coordinator\'s cache folder; leaves synthetic data alone', () => {
    const folder = resolveTrainConfig({ data: { source: 'folder', root: '/coordinator/data', subjectPattern: '^(\\w+)_', cacheDir: '/coordinator/cache' } });
    const moved = configForDataRoot(folder, '/worker/data');
    expect(moved.data.root).toBe('/worker/data');
    expect(moved.data.cacheDir).toBeUndefined();
    expect(moved.data.subjectPattern).toBe('^(\\w+)_');
    const synthetic = resolveTrainConfig({});
    expect(configForDataRoot(synthetic, '/worker/data')).toBe(synthetic);
  });

  it('names every field that differs', () => {
    const expected = job.dataset;
    expect(() => checkDatasetIdentity(expected, { ...expected }, undefined)).not.toThrow();
    let caught: unknown;
    try {
      checkDatasetIdentity(expected, { ...expected, fileListHash: '9999', videos: 263 }, '/worker/data');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeltaSparsityError);
    expect((caught as Error).message).toBe(
      'dataset: expected this worker\'s copy of synthetic (generated) to be the coordinator\'s. Received: fileListHash "9999" instead of "0123", videos 263 instead of 264 (data root "/worker/data"); refusing the job',
    );
  });
});

describe('baseline blobs', () => {
  function fakeRun(weights: string): string {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-'));
    fs.mkdirSync(path.join(runDir, 'checkpoint', 'model'), { recursive: true });
    fs.writeFileSync(path.join(runDir, 'config.json'), '{"epochs":1}');
    fs.writeFileSync(path.join(runDir, 'checkpoint', 'state.json'), '{"epochsDone":1,"savedAt":"2026-01-01T00:00:00Z"}');
    fs.writeFileSync(path.join(runDir, 'checkpoint', 'model', 'model.json'), '{}');
    fs.writeFileSync(path.join(runDir, 'checkpoint', 'model', 'weights.bin'), weights);
    fs.writeFileSync(path.join(runDir, 'checkpoint', 'optimizer.bin'), 'not needed by a refinement');
    return runDir;
  }

  it('round-trip the files a refinement needs, named by a hash that changes with any byte', () => {
    const runDir = fakeRun('\u0000\u0001weights');
    const bytes = packBaseline(runDir);
    expect(blobHash(packBaseline(runDir))).toBe(blobHash(bytes)); // deterministic
    expect(blobHash(packBaseline(fakeRun('\u0000\u0002weights')))).not.toBe(blobHash(bytes));
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-copy-'));
    unpackBaseline(bytes, copy);
    for (const file of ['config.json', 'checkpoint/state.json', 'checkpoint/model/model.json', 'checkpoint/model/weights.bin']) {
      expect(fs.readFileSync(path.join(copy, file)).equals(fs.readFileSync(path.join(runDir, file))), file).toBe(true);
    }
    expect(fs.existsSync(path.join(copy, 'checkpoint', 'optimizer.bin'))).toBe(false);
  });

  it('refuse file names that leave the folder', () => {
    const evil = Buffer.from(JSON.stringify({ files: { '../escaped.txt': Buffer.from('x').toString('base64') } }));
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'blob-evil-'));
    expect(() => unpackBaseline(evil, path.join(target, 'run'))).toThrow(/refusing file name/);
    expect(fs.existsSync(path.join(target, 'escaped.txt'))).toBe(false);
  });
});
