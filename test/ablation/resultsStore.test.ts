/**
 * The results store as a user's files meet it: a last record without its newline, damaged lines, a folder
 * where the file should be, and a second process sweeping into the same store.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ResultsStore, type SweepRecord } from '../../lib/ablation/resultsStore';
import { runSweep } from '../../lib/ablation/sweep';
import { ablationRows, openAblationStore, type AblationRecord } from '../../lib/ablation/sparsitySweeps';
import { dataFrameOf } from '../../lib/util/dataFrame';
import { DeltaSparsityError } from '../../lib/util/errors';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it)`);
});

const temporaryFolder = () => fs.mkdtempSync(path.join(os.tmpdir(), 'store-'));

function record(threshold: number, meanThreshold: number | null = threshold, variant: 'delta' | 'spatial-l1' = 'delta'): AblationRecord {
  return {
    key: `k${threshold}-${variant}`,
    config: { mode: 'trained', variant, threshold, sparsityWeight: 0.1, source: 's' },
    result: {
      testClipAccuracy: 1 - threshold, testVideoAccuracy: 1 - threshold, testLoss: threshold, spatialDensity: 0.5, temporalDensity: threshold / 2,
      denseMacsPerFrame: 1000, zeroSkippingMacsPerFrame: 500, deltaMacsPerFrame: 100, deltaMacDensity: 0.1, meanThreshold,
    },
    finishedAt: '2026-01-01T00:00:00.000Z',
    seconds: 1,
  };
}

function storeWith(records: AblationRecord[]): string {
  const file = path.join(temporaryFolder(), 'ablation.jsonl');
  const store = openAblationStore(file);
  for (const r of records) store.append(r);
  return file;
}

describe('a complete last record without its newline (issue 13, item 3)', () => {
  it('is kept on reading and completed, not cut, before the next append', () => {
    const file = storeWith([record(0.1), record(0.2), record(0.3)]);
    // Keep the first 2 lines without the final newline, as the repro does.
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    fs.writeFileSync(file, `${lines[0]}\n${lines[1]}`);
    const reopened = openAblationStore(file);
    expect(reopened.records().map((r) => r.config.threshold)).toEqual([0.1, 0.2]);
    reopened.append(record(0.3));
    expect(openAblationStore(file).records().map((r) => r.config.threshold)).toEqual([0.1, 0.2, 0.3]);
    expect(fs.readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')).toHaveLength(3);
  });

  it('an unparsable tail (a torn write) is still dropped and the next record lands on its own line', () => {
    const file = storeWith([record(0.1)]);
    fs.appendFileSync(file, '{"key":"k0.2","config":{"thr');
    const reopened = openAblationStore(file);
    expect(reopened.records()).toHaveLength(1);
    reopened.append(record(0.2));
    expect(openAblationStore(file).records().map((r) => r.config.threshold)).toEqual([0.1, 0.2]);
  });
});

describe('a damaged store gives <file>:<line>: <what is wrong> (issue 13, item 6)', () => {
  const damaged = (middle: string): string => {
    const file = storeWith([record(0.1)]);
    fs.appendFileSync(file, `${middle}\n${JSON.stringify(record(0.3))}\n`);
    return file;
  };

  it.each([
    ['a garbage line in the middle', 'garbage here', /:2: not valid JSON/],
    ['a null line', 'null', /:2: not a valid record/],
    ['a record without result', JSON.stringify({ ...record(0.2), result: undefined }), /:2: not a valid record \(field result/],
    ['a result with a string where a number belongs', JSON.stringify({ ...record(0.2), result: { ...record(0.2).result, testLoss: 'x' } }), /:2: not a valid record \(field result\.testLoss/],
  ])('%s', (_label, middle, message) => {
    const file = damaged(middle);
    expect(() => openAblationStore(file)).toThrow(DeltaSparsityError);
    expect(() => openAblationStore(file)).toThrow(message);
    expect(() => openAblationStore(file)).toThrow(`${file}:2:`);
  });

  it('a record without result is refused before it is appended, so the file stays readable', () => {
    const file = storeWith([record(0.1)]);
    const store = openAblationStore(file);
    const bad = { ...record(0.2), result: undefined } as unknown as AblationRecord;
    expect(() => store.append(bad)).toThrow(/field result/);
    expect(openAblationStore(file).records()).toHaveLength(1);
  });

  it('a folder where the store file belongs', () => {
    const folder = temporaryFolder();
    expect(() => new ResultsStore(folder)).toThrow(`store: ${folder} is a folder, where a file is expected`);
  });

  it('the CLI prints one error line (and a JSON error object with --json) and exits 1', () => {
    const file = damaged('null');
    const folder = temporaryFolder();
    fs.mkdirSync(path.join(folder, 'run'));
    const args = ['ablate', '--source', path.join(folder, 'run'), '--thresholds', '0.1', '--store', file];
    // The store is checked before the source run, so this fails on the store even though the run is empty.
    const plain = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'cpu' } });
    expect(plain.status).toBe(1);
    expect(plain.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^error: ${file}:2: not a valid record`))]);
    const json = spawnSync(process.execPath, [cli, ...args, '--json'], { encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'cpu' } });
    expect(json.status).toBe(1);
    expect((JSON.parse(json.stdout) as { error: string }).error).toMatch(`${file}:2: not a valid record`);

    const asFolder = spawnSync(process.execPath, [cli, 'ablate', '--source', path.join(folder, 'run'), '--thresholds', '0.1', '--store', folder], { encoding: 'utf8', env: { ...process.env, DELTA_BACKEND: 'cpu' } });
    expect(asFolder.status).toBe(1);
    expect(asFolder.stderr).toMatch(/^error: --store: .* is a folder, where a file is expected\. Pick another path\.\n$/);
  });
});

describe('two processes sweeping into one store (issue 13, item 4)', () => {
  // A child process that sweeps 3 points into `store` with the built library and waits for `go` before
  // finishing its first point, so that the parent can start a second sweep while the first is running.
  const childScript = (store: string, go: string) => `
    const fs = require('node:fs');
    const { ResultsStore } = require(${JSON.stringify(path.join(root, 'dist/ablation/resultsStore.js'))});
    const { runSweep } = require(${JSON.stringify(path.join(root, 'dist/ablation/sweep.js'))});
    const points = [0.1, 0.2, 0.3].map((threshold) => ({ threshold }));
    runSweep({ points, store: new ResultsStore(${JSON.stringify(store)}), progress: 'silent', runPoint: async (point) => {
      while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((resolve) => setTimeout(resolve, 20));
      return { accuracy: 1 - point.threshold };
    } }).then((outcome) => console.log(JSON.stringify({ ran: outcome.ran })));
  `;

  it('refuses the second sweep, naming the first process, and the store ends with one line per point', async () => {
    const folder = temporaryFolder();
    const store = path.join(folder, 'results.jsonl');
    const go = path.join(folder, 'go');
    const first = spawn(process.execPath, ['-e', childScript(store, go)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOut = '';
    first.stdout.on('data', (chunk: Buffer) => (firstOut += chunk.toString()));
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    // Wait until the first sweep holds the store.
    while (!fs.existsSync(`${store}.lock`)) await new Promise((resolve) => setTimeout(resolve, 20));

    const second = spawnSync(process.execPath, ['-e', childScript(store, go)], { encoding: 'utf8' });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain(`store: ${store} is in use by process ${first.pid}`);

    fs.writeFileSync(go, '');
    expect(await firstDone).toBe(0);
    expect(JSON.parse(firstOut)).toEqual({ ran: 3 });
    const lines = fs.readFileSync(store, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string });
    expect(lines).toHaveLength(3);
    expect(new Set(lines.map((line) => line.key)).size).toBe(3);
    expect(fs.existsSync(`${store}.lock`)).toBe(false);

    // Once the first has finished, the same sweep runs and reuses every point.
    const third = spawnSync(process.execPath, ['-e', childScript(store, go)], { encoding: 'utf8' });
    expect(third.status, third.stderr).toBe(0);
    expect(JSON.parse(third.stdout)).toEqual({ ran: 0 });
  });

  it('takes over the lock of a process that died (kill -9) without releasing it', async () => {
    const folder = temporaryFolder();
    const store = path.join(folder, 'results.jsonl');
    const dead = spawnSync(process.execPath, ['-e', '0']);
    fs.writeFileSync(`${store}.lock`, JSON.stringify({ pid: dead.pid, host: os.hostname(), command: 'ablate', since: '2026-01-01T00:00:00.000Z' }));
    const outcome = await runSweep({
      points: [{ q: 1 }, { q: 2 }],
      store: new ResultsStore<{ q: number }, number>(store),
      progress: 'silent',
      runPoint: async (point) => point.q * 10,
    });
    expect(outcome.records.map((r: SweepRecord<{ q: number }, number>) => r.result)).toEqual([10, 20]);
    expect(fs.existsSync(`${store}.lock`)).toBe(false);
  });
});

describe('dataFrameOf(ablationRows(...)) with missing numbers (issue 13, item 13)', () => {
  it('has NaN where a spatial-L1 point has no meanThreshold, and describe() works', () => {
    const records = [record(0.1, 0.1), record(0.2, null, 'spatial-l1'), record(0.4, 0.4)];
    const frame = dataFrameOf(ablationRows(records));
    const column = frame.column('meanThreshold').values as number[];
    expect(column[0]).toBe(0.1);
    expect(Number.isNaN(column[1])).toBe(true);
    const described = frame.describe();
    const stat = (column: string, name: string) => described.column(column).values[(described.index as string[]).indexOf(name)] as number;
    // The NaN is not counted: 2 of the 3 points have a meanThreshold, from 0.1 to 0.4.
    expect([stat('meanThreshold', 'count'), stat('meanThreshold', 'min'), stat('meanThreshold', 'max')]).toEqual([2, 0.1, 0.4]);
    // danfojs's Series mean skips NaN: (0.1 + 0.4) / 2.
    expect(frame.column('meanThreshold').mean()).toBeCloseTo(0.25, 12);
    // testLoss = threshold, complete in every row: (0.1 + 0.2 + 0.4) / 3.
    expect(stat('testLoss', 'mean')).toBeCloseTo(0.7 / 3, 12);
  });
});
