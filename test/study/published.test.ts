import { describe, expect, it } from 'vitest';
import { publishedComparison, publishedDeltaResult } from '../../lib/study/published';

describe('publishedComparison', () => {
  it('puts our per-window accuracy beside the paper\'s, our video accuracy beside it, and the matching density', () => {
    const published = publishedDeltaResult();
    expect(published.citation).toMatch(/arXiv:2107\.07305/);
    // The paper's accuracy is per 32-frame window (Keras model.evaluate on sliding windows), at 224 px, every frame.
    expect(published.setting).toMatchObject({ clipLength: 32, frameStride: 1, frameSize: 224 });
    expect(published.setting.accuracy).toMatch(/per window/);
    const rows = publishedComparison(
      [
        { name: 'baseline', testClipAccuracy: 0.7, testVideoAccuracy: 2 / 3, spatialDensity: 0.5, temporalDensity: 0.49 },
        { name: 'delta', testClipAccuracy: 0.55, testVideoAccuracy: 0.6, spatialDensity: 0.4, temporalDensity: 0.125 },
      ],
      published,
    );
    expect(rows.map((r) => r.model)).toEqual(['baseline', 'delta', 'spatial-l1']);
    // Paper (data/published): baseline 73.0%, density 0.532 (exact); delta 67.3%, ≈ 0.058.
    expect(rows[0]).toEqual({
      model: 'baseline',
      'paper: test accuracy per window (32 frames)': '73.0%',
      'ours: test clip accuracy (per window)': '70.0%', // like for like with the paper's
      'ours: test video accuracy': '66.7%', // 2/3, ours only
      'paper: density': '0.532',
      'ours: density': '0.500', // spatial density for the baseline
    });
    // Regression: the paper's per-window accuracy used to stand beside our video accuracy alone.
    expect(Object.keys(rows[0]).slice(1, 3)).toEqual(['paper: test accuracy per window (32 frames)', 'ours: test clip accuracy (per window)']);
    expect(rows[1]['ours: test clip accuracy (per window)']).toBe('55.0%');
    expect(rows[1]['paper: density']).toBe('≈ 0.058');
    expect(rows[1]['ours: density']).toBe('0.125'); // temporal density for the delta model
    expect(rows[2]['ours: test video accuracy']).toBe('—');
    expect(rows[2]['ours: test clip accuracy (per window)']).toBe('—');
  });
});
