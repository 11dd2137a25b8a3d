import { describe, expect, it } from 'vitest';
import { NAMED_COLORS, layerDensityFigure, meanThresholdFigure, studyCurvesFigure } from '../../lib/viz';
import type { EpochMetrics } from '../../lib/train/runFolder';

const rows = (epochs: number, penalty: number): EpochMetrics[] =>
  Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 1 + penalty,
    trainCrossEntropy: 1 - 0.1 * i,
    trainPenalty: penalty,
    testVideoAccuracy: 0.5 + 0.1 * i,
    temporalDensity: 0.4,
  }));

describe('studyCurvesFigure', () => {
  const runs = { baseline: rows(3, 0), delta: rows(2, 0.5), 'spatial-l1': rows(2, 20) };
  const fig = studyCurvesFigure({ runs });

  it('continues the baseline epoch axis for the refinements and marks where they start', () => {
    const entropy = fig.data.filter((t) => t.yaxis === 'y');
    expect(entropy.map((t) => [t.name, t.x])).toEqual([
      ['baseline', [1, 2, 3]],
      // 3 baseline epochs, so refinement epochs 1, 2 are drawn at 4, 5.
      ['delta', [4, 5]],
      ['spatial-l1', [4, 5]],
    ]);
    expect(fig.layout.shapes?.map((s) => s.x0)).toEqual([3.5]);
    expect(fig.layout.annotations?.[0].text).toBe('refinements start');
    expect(studyCurvesFigure({ runs, epochOffsets: { delta: 10 } }).data.find((t) => t.name === 'delta')?.x).toEqual([11, 12]);
  });

  it('plots cross-entropy and penalty in separate panels (penalty on a log axis, the penalty-free baseline as gaps)', () => {
    expect(fig.layout.yaxis?.title?.text).toBe('training cross-entropy');
    expect(fig.layout.yaxis2?.title?.text).toBe('λ·penalty (training)');
    expect(fig.layout.yaxis2?.type).toBe('log');
    expect(fig.layout.yaxis3?.title?.text).toBe('test video accuracy (%)');
    expect(fig.layout.yaxis4?.title?.text).toBe('temporal density');
    const penalty = fig.data.filter((t) => t.yaxis === 'y2');
    // The baseline's zero penalty cannot sit on a log axis: gaps, no points.
    expect(penalty.map((t) => [t.name, t.y])).toEqual([['baseline', [null, null, null]], ['delta', [0.5, 0.5]], ['spatial-l1', [20, 20]]]);
    // Accuracy in %: 0.5 + 0.1 i -> 50, 60, 70.
    expect(fig.data.find((t) => t.yaxis === 'y3' && t.name === 'baseline')?.y?.map((v) => Number((v as number).toFixed(9)))).toEqual([50, 60, 70]);
    // One legend entry and one registry colour per model.
    expect(fig.data.filter((t) => t.showlegend).map((t) => t.name)).toEqual(['baseline', 'delta', 'spatial-l1']);
    expect(fig.data.filter((t) => t.name === 'spatial-l1').every((t) => t.line?.color === NAMED_COLORS['spatial-l1'])).toBe(true);
  });
});

describe('meanThresholdFigure', () => {
  it('draws mean q per epoch for the runs that have it, on the continued epoch axis', () => {
    const withQ = (epochs: number, q: number | null): EpochMetrics[] => Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, meanThreshold: q === null ? null : q + 0.01 * i }));
    const fig = meanThresholdFigure({ runs: { baseline: withQ(4, null), delta: withQ(2, 0.1) } });
    expect(fig.data.map((t) => [t.name, t.x])).toEqual([['delta', [5, 6]]]);
    expect(fig.data[0].y).toEqual([0.1, 0.11]);
    expect(fig.layout.yaxis?.title?.text).toBe('mean q');
    expect(() => meanThresholdFigure({ runs: { baseline: withQ(2, null) } })).toThrow(/runs: expected at least one run with a meanThreshold column/);
  });
});

describe('layerDensityFigure', () => {
  const layer = (name: string, spatialDensity: number, temporalDensity: number) => ({ name, spatialDensity, temporalDensity });
  const measurements = {
    baseline: { layers: [layer('conv1', 0.9, 0.5), layer('conv2', 0.6, 0.4)] },
    // The delta model lacks conv2 here: its bar is 0 (drawn over the first model's layers).
    delta: { layers: [layer('conv1', 0.8, 0.1)] },
  };

  it('draws one bar series per model over the first model\'s layers, the density asked for', () => {
    const temporal = layerDensityFigure({ measurements, which: 'temporalDensity' });
    expect(temporal.data.map((t) => [t.name, t.x, t.y])).toEqual([['baseline', ['conv1', 'conv2'], [0.5, 0.4]], ['delta', ['conv1', 'conv2'], [0.1, 0]]]);
    expect(temporal.layout.yaxis?.title?.text).toBe('temporal density');
    const spatial = layerDensityFigure({ measurements, which: 'spatialDensity' });
    expect(spatial.data.map((t) => t.y)).toEqual([[0.9, 0.6], [0.8, 0]]);
    expect(spatial.data[1].marker?.color).toBe(NAMED_COLORS.delta);
  });

  it('names the argument when the measurements or the density are wrong', () => {
    expect(() => layerDensityFigure({ measurements: {}, which: 'temporalDensity' })).toThrow(/^measurements: expected model name -> \{ layers/);
    expect(() => layerDensityFigure({ measurements, which: 'density' as 'temporalDensity' })).toThrow(/^which: expected 'spatialDensity' or 'temporalDensity'. Received: which="density"$/);
  });
});
