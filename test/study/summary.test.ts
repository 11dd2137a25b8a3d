import { describe, expect, it } from 'vitest';
import { aggregateDeltaGain, aggregateSummaries, deltaGain, meanStd, summarizeRun } from '../../lib/study/summary';
import { studySeeds } from '../../lib/study/settings';
import type { SparsityMeasurement } from '../../lib/sparsity';

function measurement(dense: number, zeroSkipping: number, steady: number, first: number): SparsityMeasurement {
  const values = { spatialDensity: 0.5, spatialSparsity: 0.5, temporalDensity: 0.1, temporalSparsity: 0.9, denseMacsPerFrame: dense, zeroSkippingMacsPerFrame: zeroSkipping, deltaMacsPerFrame: steady, deltaMacsPerFrameFirstIncluded: first };
  return { clips: 60, framesPerClip: 8, layers: [], overall: { ...values, deltaMacDensity: steady / dense, zeroSkippingMacDensity: zeroSkipping / dense } };
}

const run = (accuracy: number, m: SparsityMeasurement) => ({ metrics: [{ epoch: 1, testVideoAccuracy: accuracy, testClipAccuracy: accuracy, testVideos: 30, classes: 10 }], sparsity: m });

describe('model summaries and the headline gain', () => {
  it('carries the test videos, the chance verdict and both MAC counts', () => {
    const s = summarizeRun('delta', run(0.7, measurement(1000, 600, 50, 100)));
    expect(s).toMatchObject({ name: 'delta', testVideos: 30, aboveChance: true, framesPerClip: 8, measuredClips: 60 });
    expect(s.macsPerFrame).toEqual({ dense: 1000, zeroSkipping: 600, firstFrameIncluded: 100, steadyState: 50 });
    expect(s.deltaMacDensityFirstIncluded).toBeCloseTo(0.1, 12);
  });

  it('withholds the gain when a model does not beat chance', () => {
    const baseline = summarizeRun('baseline', run(0.8, measurement(1000, 600, 300, 320)));
    const delta = summarizeRun('delta', run(0.7, measurement(1000, 600, 50, 100)));
    // 600 zero-skipping MACs of the baseline over 100 (first frame included) and 50 (steady state) of the delta model.
    expect(deltaGain(baseline, delta)).toEqual({ gain: { firstFrameIncluded: 6, steadyState: 12 }, withheld: null });
    // 6 of 30 videos with 10 classes is not above chance (7 needed: see chance.test.ts).
    const guessing = summarizeRun('delta', run(0.2, measurement(1000, 600, 50, 100)));
    const verdict = deltaGain(baseline, guessing);
    expect(verdict.gain).toBeNull();
    expect(verdict.withheld).toMatch(/not above chance: delta \(20.0% of 30 test videos, chance 10.0%\)/);
  });

  it('says when a test set is too small for any accuracy to beat chance', () => {
    // 2 test videos of 2 classes: even 2/2 right has p = 1/4 > 0.05.
    const tiny = (name: string) => summarizeRun(name, { metrics: [{ epoch: 1, testVideoAccuracy: 1, testClipAccuracy: 1, testVideos: 2, classes: 2 }], sparsity: measurement(10, 6, 1, 2) });
    const verdict = deltaGain(tiny('baseline'), tiny('delta'));
    expect(verdict.gain).toBeNull();
    expect(verdict.withheld).toMatch(/2 test videos are too few for any accuracy to beat chance/);
  });

  it('tests against the best constant predictor when the test videos\' labels are given', () => {
    // 30 test videos of 10 classes, 12 of them class 0: a constant predictor gets 12/30 = 40%. 14 right is
    // far above 1/10 but not above 40%: P(X >= 14) for Bin(30, 0.4) = 0.29 (Python: sum of
    // comb(30, i) 0.4^i 0.6^(30-i) for i = 14..30 = 0.2855).
    const testVideoLabels = [...Array(12).fill(0), ...Array.from({ length: 18 }, (_, i) => 1 + (i % 9))];
    const byClasses = summarizeRun('delta', run(14 / 30, measurement(1000, 600, 50, 100)));
    expect(byClasses.aboveChance).toBe(true);
    const byLabels = summarizeRun('delta', run(14 / 30, measurement(1000, 600, 50, 100)), { testVideoLabels });
    expect(byLabels.aboveChance).toBe(false);
    expect(byLabels.chance.chanceAccuracy).toBeCloseTo(0.4, 12);
    expect(byLabels.chance.pValue).toBeCloseTo(0.2855, 3);
    expect(() => summarizeRun('delta', run(0.5, measurement(1000, 600, 50, 100)), { testVideoLabels: [0, 1] })).toThrow(/testVideoLabels\.length/);
  });

  it('aggregates mean and sample std', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    expect(meanStd([5])).toEqual({ mean: 5, std: 0, n: 1 });
    const a = summarizeRun('baseline', run(0.6, measurement(1000, 600, 300, 320)));
    const b = summarizeRun('baseline', run(0.8, measurement(1000, 400, 300, 320)));
    const [agg] = aggregateSummaries([[a], [b]]);
    expect(agg.testVideoAccuracy.mean).toBeCloseTo(0.7, 12);
    expect(agg.testVideoAccuracy.std).toBeCloseTo(Math.SQRT2 * 0.1, 12); // sqrt(((0.1)^2 + (0.1)^2) / 1)
    expect(agg.macsPerFrame.zeroSkipping.mean).toBe(500);
    expect([agg.runs, agg.testVideos, agg.runsAboveChance]).toEqual([2, 60, 2]);
  });

  it('averages the headline gain over the runs with both models above chance and names the others', () => {
    const baseline = summarizeRun('baseline', run(0.8, measurement(1000, 600, 300, 320)));
    // Gains (first frame included, steady state): 600/100 = 6 and 600/50 = 12; 600/200 = 3 and 600/150 = 4.
    const seed1 = [baseline, summarizeRun('delta', run(0.7, measurement(1000, 600, 50, 100)))];
    const seed2 = [baseline, summarizeRun('delta', run(0.7, measurement(1000, 600, 150, 200)))];
    // 6 of 30 videos is not above chance: this seed is left out, by name.
    const seed3 = [baseline, summarizeRun('delta', run(0.2, measurement(1000, 600, 10, 20)))];
    const result = aggregateDeltaGain([
      { label: 'seed 1', models: seed1 },
      { label: 'seed 2', models: seed2 },
      { label: 'seed 3', models: seed3 },
    ]);
    // mean(6, 3) = 4.5, sample std = sqrt((1.5² + 1.5²) / 1) = 2.1213; mean(12, 4) = 8, std = sqrt(2 · 4²) = 5.6569.
    expect(result.gain?.firstFrameIncluded.mean).toBeCloseTo(4.5, 12);
    expect(result.gain?.firstFrameIncluded.std).toBeCloseTo(1.5 * Math.SQRT2, 12);
    expect(result.gain?.steadyState).toMatchObject({ mean: 8, n: 2 });
    expect(result.gain?.steadyState.std).toBeCloseTo(4 * Math.SQRT2, 12);
    expect(result.withheld).toHaveLength(1);
    expect(result.withheld[0]).toMatch(/^seed 3: not above chance: delta \(20.0% of 30 test videos/);
    expect(aggregateDeltaGain([{ label: 'seed 3', models: seed3 }]).gain).toBeNull();
  });
});

describe('study seeds', () => {
  it('are 3 by default, 1 for a fast fixed split, and as many as asked', () => {
    expect(studySeeds({})).toEqual([1, 2, 3]);
    expect(studySeeds({ protocol: 'lopo' })).toEqual([1, 2, 3]);
    expect(studySeeds({ fast: true })).toEqual([1]);
    expect(studySeeds({ fast: true, protocol: 'lopo' })).toEqual([1, 2, 3]);
    expect(studySeeds({ seeds: 2, fast: true })).toEqual([1, 2]);
    expect(() => studySeeds({ seeds: 0 })).toThrow(/seeds/);
  });
});
