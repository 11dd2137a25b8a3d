import { describe, expect, it } from 'vitest';
import { publishedComparison, publishedDeltaResult } from '../../lib/study/published';

describe('publishedComparison', () => {
  it('puts our accuracy and the matching density beside each of the paper\'s models', () => {
    const published = publishedDeltaResult();
    expect(published.citation).toMatch(/arXiv:2107\.07305/);
    const rows = publishedComparison(
      [
        { name: 'baseline', testVideoAccuracy: 2 / 3, spatialDensity: 0.5, temporalDensity: 0.49 },
        { name: 'delta', testVideoAccuracy: 0.6, spatialDensity: 0.4, temporalDensity: 0.125 },
      ],
      published,
    );
    expect(rows.map((r) => r.model)).toEqual(['baseline', 'delta', 'spatial-l1']);
    // Paper (data/published): baseline 73.0%, density 0.532 (exact); delta 67.3%, ≈ 0.058.
    expect(rows[0]).toEqual({
      model: 'baseline',
      'paper: test accuracy': '73.0%',
      'paper: density': '0.532',
      'ours: test video accuracy': '66.7%', // 2/3
      'ours: density': '0.500', // spatial density for the baseline
    });
    expect(rows[1]['paper: density']).toBe('≈ 0.058');
    expect(rows[1]['ours: density']).toBe('0.125'); // temporal density for the delta model
    expect(rows[2]['ours: test video accuracy']).toBe('—');
  });
});
