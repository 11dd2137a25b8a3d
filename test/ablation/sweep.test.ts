import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResultsStore } from '../../lib/ablation/resultsStore';
import { stableHash } from '../../lib/util/stableHash';
import { expandGrid, runSweep } from '../../lib/ablation/sweep';
import { ablationRows, refinementRunName, type AblationPoint, type AblationRecord } from '../../lib/ablation/sparsitySweeps';
import { dataFrameOf } from '../../lib/util/dataFrame';

interface Point {
  threshold: number;
  lambda: number;
  variant: string;
}

function temporaryStore(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-')), 'results.jsonl');
}

describe('expandGrid', () => {
  it('builds the cartesian product of the axes over the base', () => {
    const points = expandGrid<Point>({ threshold: 0.1, lambda: 0, variant: 'delta' }, { threshold: [0.05, 0.1, 0.2], lambda: [0, 1] });
    // 3 thresholds x 2 lambdas = 6 points, each keeping the base variant.
    expect(points).toHaveLength(6);
    expect(points.map((p) => `${p.threshold}/${p.lambda}`).sort()).toEqual(
      ['0.05/0', '0.05/1', '0.1/0', '0.1/1', '0.2/0', '0.2/1'].sort(),
    );
    expect(points.every((p) => p.variant === 'delta')).toBe(true);
  });
});

describe('stableHash', () => {
  it('ignores key order and distinguishes values', () => {
    expect(stableHash({ a: 1, b: [1, 2] })).toBe(stableHash({ b: [1, 2], a: 1 }));
    expect(stableHash({ a: 1 })).not.toBe(stableHash({ a: 2 }));
  });
});

describe('runSweep', () => {
  it('resumes an interrupted sweep without losing or duplicating rows, and skips finished points', async () => {
    const file = temporaryStore();
    const points = expandGrid<Point>({ threshold: 0, lambda: 1, variant: 'delta' }, { threshold: [0.05, 0.1, 0.2, 0.4] });
    const calls: number[] = [];
    const evaluate = async (point: Point) => {
      calls.push(point.threshold);
      return { accuracy: 1 - point.threshold };
    };

    // First run: the third point throws, as a crash or a bug would.
    await expect(
      runSweep({
        points,
        store: new ResultsStore<Point, { accuracy: number }>(file),
        progress: 'silent',
        runPoint: async (point) => {
          if (point.threshold === 0.2) throw new Error('simulated failure');
          return evaluate(point);
        },
      }),
    ).rejects.toThrow('simulated failure');
    expect(calls).toEqual([0.05, 0.1]);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);

    // Second run, from a freshly opened store: only the two missing points run.
    calls.length = 0;
    const outcome = await runSweep({ points, store: new ResultsStore<Point, { accuracy: number }>(file), progress: 'silent', runPoint: evaluate });
    expect(calls).toEqual([0.2, 0.4]);
    expect(outcome.ran).toBe(2);
    expect(outcome.reused).toBe(2);
    expect(outcome.records.map((r) => r.config.threshold)).toEqual([0.05, 0.1, 0.2, 0.4]);
    // Exactly one line per point: nothing lost, nothing duplicated.
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { key: string });
    expect(lines).toHaveLength(4);
    expect(new Set(lines.map((line) => line.key)).size).toBe(4);

    // Third run with one more value: only the new point runs.
    calls.length = 0;
    const extended = expandGrid<Point>({ threshold: 0, lambda: 1, variant: 'delta' }, { threshold: [0.05, 0.1, 0.2, 0.4, 0.8] });
    const third = await runSweep({ points: extended, store: new ResultsStore<Point, { accuracy: number }>(file), progress: 'silent', runPoint: evaluate });
    expect(calls).toEqual([0.8]);
    expect(third.records[4].result.accuracy).toBeCloseTo(0.2, 10);
  });

  it('ignores a torn last line left by a crash mid-append', () => {
    const file = temporaryStore();
    const store = new ResultsStore<Point, number>(file);
    store.append({ key: 'k1', config: { threshold: 1, lambda: 0, variant: 'x' }, result: 1, finishedAt: '', seconds: 0 });
    fs.appendFileSync(file, '{"key":"k2","config":{"thre');
    const reopened = new ResultsStore<Point, number>(file);
    expect(reopened.records().map((r) => r.key)).toEqual(['k1']);
    // The next append starts on its own line instead of gluing onto the fragment.
    reopened.append({ key: 'k3', config: { threshold: 3, lambda: 0, variant: 'x' }, result: 3, finishedAt: '', seconds: 0 });
    expect(new ResultsStore<Point, number>(file).records().map((r) => r.key)).toEqual(['k1', 'k3']);
  });
});

describe('ablation results as a table', () => {
  it('flattens point and result into rows and loads them as a danfojs DataFrame', () => {
    const record: AblationRecord = {
      key: 'k',
      config: { mode: 'fixed-threshold', variant: 'delta', threshold: 0.2, sparsityWeight: 0.3, source: 's' },
      result: {
        testClipAccuracy: 0.75, testVideoAccuracy: 0.8, testLoss: 0.7, spatialDensity: 0.5, temporalDensity: 0.1,
        denseMacsPerFrame: 1000, zeroSkippingMacsPerFrame: 500, deltaMacsPerFrame: 100, deltaMacDensity: 0.1, meanThreshold: 0.2, runDir: '/x',
      },
      finishedAt: '', seconds: 1.5,
    };
    const rows = ablationRows([record, { ...record, key: 'k2', config: { ...record.config, threshold: 0.4 } }]);
    expect(rows[0]).toMatchObject({ key: 'k', threshold: 0.2, testClipAccuracy: 0.75, seconds: 1.5 });
    expect(rows[0]).not.toHaveProperty('runDir');
    const frame = dataFrameOf(ablationRows([record, { ...record, key: 'k2', config: { ...record.config, threshold: 0.4 } }]));
    expect(frame.shape).toEqual([2, Object.keys(rows[0]).length]);
    expect(frame.column('threshold').values).toEqual([0.2, 0.4]);
  });
});

describe('refinementRunName', () => {
  it('names a trained point by what was trained, not by how it is measured (its cached run folder is found after a measurement change)', () => {
    // The point as stores before executed-MAC counting keyed it, and the same point now.
    const before: AblationPoint = { mode: 'trained', variant: 'delta', threshold: 0.1, sparsityWeight: 0.01, source: 'abc' };
    const now: AblationPoint = { ...before, measurement: 2 };
    expect(refinementRunName(now)).toBe(refinementRunName(before));
    expect(refinementRunName(before)).toBe(`delta-q0.1-l0.01-${stableHash(before, 8)}`);
    // The store key does change, so the older record is not reused.
    expect(stableHash(now)).not.toBe(stableHash(before));
  });
});
