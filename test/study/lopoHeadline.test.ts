import { describe, expect, it } from 'vitest';
import { lopoHeadline } from '../../lib/study/lopoStudy';
import { summarizeRun } from '../../lib/study/summary';
import type { SparsityMeasurement } from '../../lib/sparsity';
import type { LopoRun } from '../../lib/study/types';

function measurement(zeroSkipping: number, first: number): SparsityMeasurement {
  const values = { spatialDensity: 0.5, spatialSparsity: 0.5, temporalDensity: 0.1, temporalSparsity: 0.9, denseMacsPerFrame: 1000, zeroSkippingMacsPerFrame: zeroSkipping, deltaMacsPerFrame: first / 2, deltaMacsPerFrameFirstIncluded: first };
  return { clips: 20, framesPerClip: 8, layers: [], overall: { ...values, deltaMacDensity: first / 2000, zeroSkippingMacDensity: zeroSkipping / 1000 } };
}

// 10 test videos of 10 classes per fold, as in Weizmann's leave-one-person-out folds: 4 right are needed to beat
// chance (P(X >= 4) = 0.0128 for Bin(10, 0.1), P(X >= 3) = 0.0702).
const model = (name: string, accuracy: number, m: SparsityMeasurement) =>
  summarizeRun(name, { metrics: [{ epoch: 1, testVideoAccuracy: accuracy, testClipAccuracy: accuracy, testVideos: 10, classes: 10 }], sparsity: m });

describe('lopoHeadline', () => {
  it('quotes the accuracy gap over the runs behind the MAC gain, not over all folds (regression: README said 4.4 points)', () => {
    // The 9 folds of reports/study-lopo/folds.csv (seed 1): baseline and delta test video accuracy per fold.
    const baseline = [0.4, 0.3, 0.5, 0.6, 0.2, 0.4, 0.9, 0.8, 0.6];
    const delta = [0.4, 0.3, 0.4, 0.6, 0.2, 0.4, 0.8, 0.7, 0.5];
    const runs: LopoRun[] = baseline.map((b, fold) => ({
      fold,
      testSubject: `s${fold}`,
      seed: 1,
      models: [model('baseline', b, measurement(1800, 900)), model('delta', delta[fold], measurement(1700, 600))],
    }));
    const headline = lopoHeadline(runs);
    // Folds 1 and 4 (3 and 2 of 10) are not above chance. Over the other 7:
    // baseline (0.4 + 0.5 + 0.6 + 0.4 + 0.9 + 0.8 + 0.6) / 7 = 4.2/7 = 0.6000,
    // delta    (0.4 + 0.4 + 0.6 + 0.4 + 0.8 + 0.7 + 0.5) / 7 = 3.8/7 = 0.5429, gap 0.4/7 = 5.71 points.
    // Over all 9 folds the means are 4.7/9 = 0.5222 and 4.3/9 = 0.4778: a gap of 4.44 points.
    expect(headline.headlineWithheld).toHaveLength(2);
    expect(headline.headlineWithheld[0]).toMatch(/^fold 1 \(s1\) seed 1: not above chance/);
    expect(headline.headlineAccuracy?.baseline.n).toBe(7);
    expect(headline.headlineAccuracy?.baseline.mean).toBeCloseTo(0.6, 12);
    expect(headline.headlineAccuracy?.delta.mean).toBeCloseTo(3.8 / 7, 12);
    expect(headline.headlineAccuracy?.baselineMinusDelta.mean).toBeCloseTo(0.4 / 7, 12);
    // Per-fold gaps over the 7: 0, .1, 0, 0, .1, .1, .1 (mean 0.4/7); squared deviations
    // 3 × (0.4/7)² + 4 × (0.1 − 0.4/7)² = 3 × 0.0032653 + 4 × 0.0018367 = 0.0171429; / 6, square root → 0.05345.
    expect(headline.headlineAccuracy?.baselineMinusDelta.std).toBeCloseTo(0.05345, 4);
    // MAC gain: 1800 zero-skipping MACs over 600 delta MACs (first frame included) = 3x in every counted fold.
    expect(headline.deltaGainOverBaselineZeroSkipping?.firstFrameIncluded).toEqual({ mean: 3, std: 0, n: 7 });
  });

  it('has no headline when no run has both models above chance, and names a run without a delta model', () => {
    const guessing: LopoRun = { fold: 0, testSubject: 'a', seed: 1, models: [model('baseline', 0.2, measurement(1800, 900)), model('delta', 0.2, measurement(1700, 600))] };
    expect(lopoHeadline([guessing])).toMatchObject({ deltaGainOverBaselineZeroSkipping: null, headlineAccuracy: null });
    expect(() => lopoHeadline([{ ...guessing, models: guessing.models.slice(0, 1) }])).toThrow(/runs: expected runs with a baseline and a delta model.*fold 0 \(a\) seed 1: baseline/);
  });
});
