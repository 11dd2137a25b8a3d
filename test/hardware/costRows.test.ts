import { describe, expect, it } from 'vitest';
import { costToRows, estimateCost, loadExampleWorkload } from '../../lib/hardware';
import { dataFrameOf } from '../../lib/util/dataFrame';

describe('costToRows as a DataFrame', () => {
  it('has one row per (layer, mode) plus three total rows, with the numbers of the result', () => {
    const result = estimateCost(loadExampleWorkload('example-video-cnn'), 'eyeriss-v2-like');
    const frame = dataFrameOf(costToRows(result));
    // 5 layers × 3 modes + 3 totals = 18 rows; 14 columns (the fields of CostRow).
    expect(frame.shape).toEqual([18, 14]);
    const rows = costToRows(result);
    expect(frame.columns).toEqual(Object.keys(rows[0]));
    const energy = frame.column('energy_total_pj').values as number[];
    expect(energy).toEqual(rows.map((r) => r.energy_total_pj));
    expect(energy[energy.length - 1]).toBe(result.totals.delta.energyPj.total);
  });
});
