import { describe, expect, it } from 'vitest';
import { MODEL_SYMBOLS, NAMED_COLORS, paretoFigure, studyParetoFigure, type ParetoPoint } from '../../lib/viz';
import type { AblationRecord } from '../../lib/ablation/sparsitySweeps';
import { DeltaSparsityError } from '../../lib/util/errors';

describe('paretoFigure by kind', () => {
  const points: ParetoPoint[] = [
    { label: 'q=0.05', kind: 'fixed-q sweep', macDensity: 0.9, accuracy: 70 },
    { label: 'q=0.1', kind: 'fixed-q sweep', macDensity: 0.6, accuracy: 68 },
    { label: 'λ=0.1', kind: 'trained-λ sweep', macDensity: 0.5, accuracy: 69 },
    { label: 'baseline', kind: 'baseline', macDensity: 1.8, accuracy: 71 },
    { label: 'delta', kind: 'delta', macDensity: 0.58, accuracy: 69.5 },
  ];

  it('draws one trace per kind with its registry colour, model symbols, labels on hover, then the front', () => {
    const fig = paretoFigure({ points, xTitle: 'delta MACs per frame, steady state (M)', yTitle: 'test video accuracy (%)' });
    expect(fig.data.map((t) => t.name)).toEqual(['fixed-q sweep', 'trained-λ sweep', 'baseline', 'delta', 'Pareto front']);
    expect(fig.data.slice(0, 4).map((t) => t.marker?.color)).toEqual([
      NAMED_COLORS['fixed-q sweep'], NAMED_COLORS['trained-λ sweep'], NAMED_COLORS.baseline, NAMED_COLORS.delta,
    ]);
    expect(fig.data[2].marker?.symbol).toBe(MODEL_SYMBOLS.baseline);
    expect(fig.data[0].marker?.symbol).toBeUndefined();
    expect(fig.data[0].x).toEqual([0.9, 0.6]);
    // No text drawn on the plot (it overprints); the label is in the hover text.
    expect(fig.data.every((t) => t.mode !== 'markers+text')).toBe(true);
    expect(fig.data[0].text).toEqual(['q=0.05', 'q=0.1']);
    expect(fig.data[0].hovertemplate).toContain('%{text}');
    // Front by hand (min x, max y): λ=0.1 (0.5, 69); delta (0.58, 69.5); q=0.05 (0.9, 70); baseline (1.8, 71).
    // q=0.1 (0.6, 68) is dominated by λ=0.1.
    expect(fig.data[4].text).toEqual(['λ=0.1', 'delta', 'q=0.05', 'baseline']);
    expect(fig.layout.xaxis?.title?.text).toBe('delta MACs per frame, steady state (M)');
    expect(fig.layout.yaxis?.title?.text).toBe('test video accuracy (%)');
  });

  it('annotates the study models by default, texts on alternate sides so that neighbours do not overlap', () => {
    const fig = paretoFigure({ points });
    const notes = fig.layout.annotations ?? [];
    // Sorted by x: delta (0.58) then baseline (1.8).
    expect(notes.map((a) => a.text)).toEqual(['delta', 'baseline']);
    expect(notes.map((a) => Math.sign(a.ay ?? 0))).toEqual([-1, 1]);
    // 'near' (0.59, 69.45) is within a tenth of both spans of 'delta' (0.58, 69.5): x span 1.8 - 0.5 = 1.3,
    // y span 71 - 68 = 3. Its text goes to the other side vertically and further sideways.
    const crowded = [...points, { label: 'near', kind: 'fixed-q sweep', macDensity: 0.59, accuracy: 69.45 }];
    const close = paretoFigure({ points: crowded, annotate: ['near', 'delta'] }).layout.annotations ?? [];
    expect(close.map((a) => a.text)).toEqual(['delta', 'near']);
    expect(Math.sign(close[0].ay ?? 0)).toBe(-Math.sign(close[1].ay ?? 0));
    expect(Math.abs((close[1].ax ?? 0) - (close[0].ax ?? 0))).toBeGreaterThanOrEqual(60);
    expect(() => paretoFigure({ points, annotate: ['nope'] })).toThrow('annotate[0]: expected the label of one of the points');
    expect(() => paretoFigure({ points, annotate: ['a', 'b', 'c', 'd', 'e'] })).toThrow(DeltaSparsityError);
  });

  it('keeps two traces (all runs, Pareto front) for points without a kind', () => {
    const fig = paretoFigure({ points: [{ label: 'a', macDensity: 1, accuracy: 0.5 }, { label: 'b', macDensity: 2, accuracy: 0.6 }] });
    expect(fig.data.map((t) => t.name)).toEqual(['all runs', 'Pareto front']);
    expect(fig.layout.annotations).toEqual([]);
  });
});

describe('studyParetoFigure', () => {
  const record = (mode: 'fixed-threshold' | 'trained', threshold: number, video: number, clip: number, deltaOps: number, sparsityWeight = 0.01): AblationRecord => ({
    key: `${mode}-${threshold}-${sparsityWeight}`,
    config: { mode, variant: 'delta', threshold, sparsityWeight, source: 's' },
    result: {
      testClipAccuracy: clip, testVideoAccuracy: video, testLoss: 1, spatialDensity: 0.5, temporalDensity: 0.2,
      denseMacsPerFrame: 4e6, zeroSkippingMacsPerFrame: 2e6, deltaMacsPerFrame: deltaOps, deltaMacDensity: deltaOps / 4e6, meanThreshold: threshold,
    },
    finishedAt: '2026-12-01T00:00:00.000Z',
    seconds: 1,
  });
  const summary = (video: number, clip: number, steady: number) => ({
    testVideoAccuracy: video, testClipAccuracy: clip, macsPerFrame: { dense: 4e6, steadyState: steady, firstFrameIncluded: steady + 1e5 },
  });

  it('plots test video accuracy in % against steady-state delta MACs in millions, by kind', () => {
    const fig = studyParetoFigure({
      records: [record('fixed-threshold', 0.1, 2 / 3, 0.6, 1.2e6), record('trained', 0.1, 0.7, 0.65, 0.8e6, 0.3)],
      models: { baseline: summary(0.7, 0.68, 1.8e6), delta: summary(0.6, 0.62, 0.6e6) },
    });
    expect(fig.data.map((t) => t.name)).toEqual(['fixed-q sweep', 'trained-λ sweep', 'baseline', 'delta', 'Pareto front']);
    // 1.2e6 MACs -> 1.2 M; 2/3 -> 66.67 %. Models use macsPerFrame.steadyState (not the first-frame-included count).
    expect(fig.data[0].x).toEqual([1.2]);
    expect(fig.data[0].y?.[0]).toBeCloseTo(66.667, 3);
    expect(fig.data[3].x).toEqual([0.6]);
    expect(fig.data[3].y).toEqual([60]);
    expect(fig.layout.xaxis?.title?.text).toBe('delta MACs per frame, steady state (M)');
    expect(fig.layout.yaxis?.title?.text).toBe('test video accuracy (%)');
  });

  it('falls back to clip accuracy for every point when one lacks video accuracy, and refuses a model without MAC counts', () => {
    const fig = studyParetoFigure({ records: [record('fixed-threshold', 0.1, Number.NaN, 0.6, 1.2e6)], models: { delta: summary(0.6, 0.62, 0.6e6) } });
    expect(fig.layout.yaxis?.title?.text).toBe('test clip accuracy (%)');
    expect(fig.data[0].y).toEqual([60]);
    expect(fig.data[1].y).toEqual([62]);
    const handMade = { accuracy: 0.6, density: 0.2 } as unknown as ReturnType<typeof summary>;
    expect(() => studyParetoFigure({ records: [], models: { delta: handMade } })).toThrow(/models\.delta: expected a run summary with macsPerFrame/);
  });
});
