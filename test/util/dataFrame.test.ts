/**
 * Every DataFrame the library builds has NaN for a missing number, so that describe() works on each
 * (issue 13, item 13); one lazy loader serves them all.
 */
import { describe, expect, it } from 'vitest';
import { costToRows, estimateCost, loadExampleWorkload } from '../../lib/hardware';
import type { SparsityMeasurement } from '../../lib/sparsity';
import { dataFrameOf } from '../../lib/util/dataFrame';

type Frame = ReturnType<typeof dataFrameOf>;
const stat = (frame: Frame, column: string, name: string) => {
  const described = frame.describe();
  return described.column(column).values[(described.index as string[]).indexOf(name)] as number;
};

describe('dataFrameOf', () => {
  it('rejects what is not an array of plain objects with a one-line error naming the argument', () => {
    expect(() => dataFrameOf({ q: 0.1 } as never)).toThrow(/^rows: expected an array of plain objects.*Received: rows=/);
    expect(() => dataFrameOf([{ q: 0.1 }, 3] as never)).toThrow(/^rows: expected an array of plain objects/);
  });

  it('puts NaN for null and for a missing key in number columns, and keeps strings', () => {
    const frame = dataFrameOf([{ model: 'a', q: 0.1, note: 'x' }, { model: 'b', q: null }, { model: 'c', note: null }]);
    expect(frame.columns).toEqual(['model', 'q', 'note']);
    const q = frame.column('q').values as number[];
    expect(q[0]).toBe(0.1);
    expect(q.slice(1).every(Number.isNaN)).toBe(true);
    expect(frame.column('model').values).toEqual(['a', 'b', 'c']);
    // q: one number among three rows.
    expect(stat(frame, 'q', 'count')).toBe(1);
    expect(stat(frame, 'q', 'max')).toBe(0.1);
  });
});

describe('dataFrameOf(costToRows(...))', () => {
  it('has NaN density on total rows and describe() works', () => {
    const result = estimateCost(loadExampleWorkload('example-video-cnn'), 'eyeriss-v2-like');
    const frame = dataFrameOf(costToRows(result));
    const rows = costToRows(result);
    const totals = rows.filter((row) => row.density === null).length;
    expect(totals).toBe(3);
    // 18 rows, 3 of them totals without a density.
    expect(stat(frame, 'density', 'count')).toBe(rows.length - totals);
    const macs = rows.map((row) => row.macs);
    expect(stat(frame, 'macs', 'max')).toBe(Math.max(...macs));
  });
});

describe('dataFrameOf(measurement.layers)', () => {
  it('has NaN where a layer has no number and describe() works', () => {
    const layer = (name: string, temporalDensity: number | null) => ({
      name, kind: 'conv' as const, inputActivations: 100, fanOut: 9, weights: 72, outputs: 800, nonZeroActivations: 50, nonZeroChanges: 10,
      spatialDensity: 0.5, temporalDensity, denseMacsPerFrame: 900, zeroSkippingMacsPerFrame: 450, deltaMacsPerFrame: 90,
    });
    // A measurement as JSON gives it back: a NaN density (one frame, no changes) is null after a round trip.
    const measurement = { layers: [layer('conv1', 0.2), layer('conv2', null)] } as unknown as SparsityMeasurement;
    const frame = dataFrameOf(measurement.layers);
    expect(Number.isNaN((frame.column('temporalDensity').values as number[])[1])).toBe(true);
    expect(stat(frame, 'temporalDensity', 'count')).toBe(1);
    expect(stat(frame, 'spatialDensity', 'mean')).toBe(0.5);
  });
});
