import { describe, expect, it } from 'vitest';
import {
  activationsDeltasFigure,
  costCrossoverFigure,
  heatmapFigure,
  layerBarsFigure,
  layerCurvesFigure,
  lineCrossings,
  paretoFigure,
  paretoFrontIndices,
  NAMED_COLORS,
  trainingCurvesFigure,
} from '../../lib/viz';
import { DeltaSparsityError } from '../../lib/util/errors';

describe('paretoFrontIndices', () => {
  it('keeps exactly the non-dominated points (min density, max accuracy), by increasing density', () => {
    // Hand check: (0.2,0.80) front; (0.3,0.75) dominated by (0.2,0.80); (0.5,0.90) front;
    // (0.6,0.90) dominated by (0.5,0.90) (same accuracy, more ops); (1.0,0.92) front; (0.1,0.50) front (least ops).
    const points = [
      { macDensity: 0.5, accuracy: 0.9 },
      { macDensity: 0.3, accuracy: 0.75 },
      { macDensity: 0.2, accuracy: 0.8 },
      { macDensity: 1.0, accuracy: 0.92 },
      { macDensity: 0.6, accuracy: 0.9 },
      { macDensity: 0.1, accuracy: 0.5 },
    ];
    expect(paretoFrontIndices(points)).toEqual([5, 2, 0, 3]);
  });

  it('keeps exact duplicates on the front (neither strictly dominates the other)', () => {
    expect(paretoFrontIndices([{ macDensity: 0.5, accuracy: 0.9 }, { macDensity: 0.5, accuracy: 0.9 }])).toEqual([0, 1]);
  });
});

describe('lineCrossings', () => {
  it('interpolates linearly inside the interval where b - a changes sign', () => {
    // a = 10 everywhere (dense), b = 2 + 20 x (sparse). b = a at x = (10 - 2) / 20 = 0.4, cost 10.
    const x = [0, 0.25, 0.5, 0.75, 1];
    const a = [10, 10, 10, 10, 10];
    const b = x.map((v) => 2 + 20 * v);
    const crossings = lineCrossings(x, a, b);
    expect(crossings).toHaveLength(1);
    expect(crossings[0].x).toBeCloseTo(0.4, 12);
    expect(crossings[0].y).toBeCloseTo(10, 12);
  });

  it('counts a sampled point of equality once and finds none for parallel lines', () => {
    // b - a = [-1, 0, 1]: equal exactly at x = 1.
    expect(lineCrossings([0, 1, 2], [1, 1, 1], [0, 1, 2])).toEqual([{ x: 1, y: 1 }]);
    expect(lineCrossings([0, 1, 2], [1, 2, 3], [2, 3, 4])).toEqual([]);
  });
});

describe('trainingCurvesFigure', () => {
  const runs = [
    { name: 'baseline', history: { loss: [2, 1, 0.5], accuracy: [0.3, 0.6, 0.8] } },
    { name: 'delta', history: { loss: [2.2, 1.1, null], accuracy: [0.25, 0.55, 0.7] } },
  ];

  it('draws one trace per (metric, run), metric-major, one legend entry and one colour per run', () => {
    const fig = trainingCurvesFigure({ runs, title: 'curves' });
    // 2 metrics x 2 runs = 4 traces.
    expect(fig.data.map((t) => [t.name, t.yaxis])).toEqual([
      ['baseline', 'y'], ['delta', 'y'], ['baseline', 'y2'], ['delta', 'y2'],
    ]);
    expect(fig.data.map((t) => t.showlegend)).toEqual([true, true, false, false]);
    expect(fig.data[0].line?.color).toBe(fig.data[2].line?.color);
    // 'baseline' and 'delta' are study models: their fixed registry colours, not the palette order.
    expect([fig.data[0].line?.color, fig.data[1].line?.color]).toEqual([NAMED_COLORS.baseline, NAMED_COLORS.delta]);
    expect(fig.data[0].x).toEqual([1, 2, 3]);
    // The missing epoch stays a null (a gap), not a zero.
    expect(fig.data[1].y).toEqual([2.2, 1.1, null]);
    expect(fig.layout.yaxis?.title?.text).toBe('loss');
    expect(fig.layout.yaxis2?.title?.text).toBe('accuracy');
    expect(fig.layout.xaxis2?.matches).toBe('x');
    // Whole epochs: a tick at each one.
    expect(fig.layout.xaxis?.dtick).toBe(1);
    // Stacked subplots must not overlap: the top domain starts above where the bottom one ends.
    const [top, bottom] = [fig.layout.yaxis?.domain, fig.layout.yaxis2?.domain];
    expect(top && bottom && top[0] > bottom[1]).toBe(true);
    // The figure is plain JSON.
    expect(JSON.parse(JSON.stringify(fig))).toEqual(fig);
  });

  it('plots only the requested metrics, and rejects bad input with a message naming the argument', () => {
    expect(trainingCurvesFigure({ runs, metrics: ['accuracy'] }).data).toHaveLength(2);
    expect(() => trainingCurvesFigure({ runs: [] })).toThrow(DeltaSparsityError);
    expect(() => trainingCurvesFigure({ runs: [{ name: 'x', history: { loss: [1, Number.NaN] } }] })).toThrow(
      'runs[0].history.loss[1]: expected a finite number or null. Received: runs[0].history.loss[1]=NaN',
    );
    expect(() => trainingCurvesFigure({ runs: [{ name: 'x', history: { loss: [1, 2] }, epochs: [1] }] })).toThrow(
      /runs\[0\]\.epochs: expected 2 epochs/,
    );
  });
});

describe('layerCurvesFigure', () => {
  // Two epochs of a run folder's metrics rows: per-layer columns <layer>.<quantity> plus overall columns.
  const rows = [
    { epoch: 1, trainLoss: 1.5, temporalDensity: 0.5, 'conv1.temporalDensity': 0.6, 'conv1.spatialDensity': 0.9, 'logits.temporalDensity': 0.4, 'logits.spatialDensity': 1 },
    { epoch: 2, trainLoss: 1.2, temporalDensity: 0.4, 'conv1.temporalDensity': 0.5, 'conv1.spatialDensity': 0.8, 'logits.temporalDensity': null, 'logits.spatialDensity': 1 },
  ];

  it('draws one line per layer found in the columns, per quantity, quantity-major, one colour per layer', () => {
    const figure = layerCurvesFigure({ rows, quantities: ['temporalDensity', 'spatialDensity'] });
    // Layers found from the columns ending in ".temporalDensity" (the overall "temporalDensity" has no layer
    // prefix, so it is not one): conv1, logits. 2 quantities x 2 layers = 4 traces.
    expect(figure.data.map((t) => [t.name, t.yaxis])).toEqual([
      ['conv1', 'y'], ['logits', 'y'], ['conv1', 'y2'], ['logits', 'y2'],
    ]);
    expect(figure.data[0].x).toEqual([1, 2]);
    expect(figure.data[0].y).toEqual([0.6, 0.5]);
    expect(figure.data[1].y).toEqual([0.4, null]); // a null value stays a gap
    expect(figure.data[3].y).toEqual([1, 1]);
    expect(figure.data[2].line?.color).toBe(figure.data[0].line?.color);
    expect(figure.data[1].line?.color).not.toBe(figure.data[0].line?.color);
  });

  it('takes an explicit layer list (missing columns are gaps) and rejects rows without per-layer columns', () => {
    const figure = layerCurvesFigure({ rows, quantities: ['temporalDensity'], layers: ['logits', 'conv9'] });
    expect(figure.data.map((t) => t.name)).toEqual(['logits', 'conv9']);
    expect(figure.data[1].y).toEqual([null, null]);
    expect(() => layerCurvesFigure({ rows, quantities: ['energy'] })).toThrow(/<layer>\.energy/);
    expect(() => layerCurvesFigure({ rows: [], quantities: ['temporalDensity'] })).toThrow(DeltaSparsityError);
    expect(() => layerCurvesFigure({ rows: [{ epoch: 1, 'conv1.temporalDensity': 'x' }], quantities: ['temporalDensity'] })).toThrow(/conv1\.temporalDensity/);
  });
});

describe('layerBarsFigure', () => {
  it('makes one grouped bar trace per series over the layer names', () => {
    const fig = layerBarsFigure({
      layers: ['conv1', 'conv2', 'fc'],
      series: [{ name: 'dense', values: [4, 2, 1] }, { name: 'delta', values: [1, 0.5, 0.25] }],
      yTitle: 'energy (µJ)',
    });
    expect(fig.layout.barmode).toBe('group');
    expect(fig.data.map((t) => [t.type, t.name, t.x, t.y])).toEqual([
      ['bar', 'dense', ['conv1', 'conv2', 'fc'], [4, 2, 1]],
      ['bar', 'delta', ['conv1', 'conv2', 'fc'], [1, 0.5, 0.25]],
    ]);
  });

  it('rejects a series with the wrong number of values and non-positive values on a log axis', () => {
    expect(() => layerBarsFigure({ layers: ['a', 'b'], series: [{ name: 's', values: [1] }], yTitle: 'y' })).toThrow(
      'series[0].values: expected 2 values (one per layer). Received: series[0].values=1',
    );
    expect(() => layerBarsFigure({ layers: ['a'], series: [{ name: 's', values: [0] }], yTitle: 'y', logY: true })).toThrow(
      /log axis/,
    );
  });
});

describe('paretoFigure', () => {
  it('has all points in trace 0 and the front, by increasing density, in trace 1', () => {
    const fig = paretoFigure({
      points: [
        { label: 'θ=0', macDensity: 1, accuracy: 0.9 },
        { label: 'θ=0.1', macDensity: 0.4, accuracy: 0.88 },
        { label: 'θ=0.2', macDensity: 0.5, accuracy: 0.8 }, // dominated by θ=0.1
        { label: 'θ=0.5', macDensity: 0.1, accuracy: 0.6 },
      ],
    });
    expect(fig.data).toHaveLength(2);
    expect(fig.data[0].x).toEqual([1, 0.4, 0.5, 0.1]);
    expect(fig.data[1].name).toBe('Pareto front');
    expect(fig.data[1].text).toEqual(['θ=0.5', 'θ=0.1', 'θ=0']);
    expect(fig.data[1].x).toEqual([0.1, 0.4, 1]);
    expect(fig.data[1].y).toEqual([0.6, 0.88, 0.9]);
  });
});

describe('activationsDeltasFigure', () => {
  it('draws each unit twice (activation on top, delta below) in one colour', () => {
    const fig = activationsDeltasFigure({
      units: [
        { name: 'unit 0', activation: [0, 1, 1, 0], delta: [0, 1, 0, -1] },
        { name: 'unit 1', activation: [2, 2, 2, 2], delta: [2, 0, 0, 0] },
      ],
    });
    expect(fig.data.map((t) => [t.name, t.yaxis])).toEqual([
      ['unit 0', 'y'], ['unit 0 Δ', 'y2'], ['unit 1', 'y'], ['unit 1 Δ', 'y2'],
    ]);
    expect(fig.data[0].x).toEqual([0, 1, 2, 3]);
    expect(fig.data[1].marker?.color).toBe(fig.data[0].line?.color);
    expect(() => activationsDeltasFigure({ units: [{ name: 'u', activation: [1, 2], delta: [1] }] })).toThrow(
      /units\[0\]\.delta: expected 2 values/,
    );
  });
});

describe('heatmapFigure', () => {
  it('reshapes a flat row-major array to rows and draws row 0 at the top', () => {
    const fig = heatmapFigure({ values: new Float32Array([1, 2, 3, 4, 5, 6]), height: 2, width: 3 });
    expect(fig.data[0].z).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect([fig.data[0].zmin, fig.data[0].zmax]).toEqual([1, 6]);
    expect(fig.layout.yaxis?.autorange).toBe('reversed');
  });

  it('gives a constant image a non-empty colour range and rejects ragged rows', () => {
    const fig = heatmapFigure({ values: [[3, 3], [3, 3]] });
    expect([fig.data[0].zmin, fig.data[0].zmax]).toEqual([3, 4]);
    expect(() => heatmapFigure({ values: [[1, 2], [3]] })).toThrow(/non-empty rows of equal length/);
    expect(() => heatmapFigure({ values: [1, 2, 3], height: 2, width: 2 })).toThrow(/height\*width = 4 values/);
  });
});

describe('costCrossoverFigure', () => {
  it('marks the computed cross-over of the first two series with a marker, a line and a label', () => {
    // Same lines as the lineCrossings test: cross-over at temporal density 0.4, cost 10.
    const x = [0, 0.25, 0.5, 0.75, 1];
    const fig = costCrossoverFigure({
      temporalDensity: x,
      series: [{ name: 'dense', cost: [10, 10, 10, 10, 10] }, { name: 'delta', cost: x.map((v) => 2 + 20 * v) }],
      yTitle: 'energy per frame (µJ)',
    });
    expect(fig.data.map((t) => t.name)).toEqual(['dense', 'delta', 'cross-over']);
    expect(fig.data[2].x?.[0]).toBeCloseTo(0.4, 12);
    expect(fig.data[2].y?.[0]).toBeCloseTo(10, 12);
    expect(fig.layout.shapes?.[0].x0).toBeCloseTo(0.4, 12);
    expect(fig.layout.annotations?.[0].text).toBe('cross-over at 0.4');
  });

  it('marks nothing when asked, and rejects a non-increasing density axis', () => {
    const none = costCrossoverFigure({
      temporalDensity: [0, 1], series: [{ name: 'a', cost: [0, 2] }, { name: 'b', cost: [2, 0] }], yTitle: 'c', crossovers: [],
    });
    expect(none.data).toHaveLength(2);
    expect(() => costCrossoverFigure({ temporalDensity: [0, 0], series: [{ name: 'a', cost: [1, 1] }], yTitle: 'c' })).toThrow(
      /strictly increasing/,
    );
  });
});

describe('timeVersusDensityFigure', () => {
  it('plots the measured points, their least-squares line, the MAC-density model and the dense references', async () => {
    const { timeVersusDensityFigure } = await import('../../lib/viz');
    const fig = timeVersusDensityFigure({
      points: [
        { name: 'static', macDensity: 0, sparseMsPerFrame: 0.1, denseMsPerFrame: 2, denseClipMsPerFrame: 0.5 },
        { name: 'real', macDensity: 0.2, sparseMsPerFrame: 0.3, denseMsPerFrame: 3, denseClipMsPerFrame: 0.4 },
        { name: 'noise', macDensity: 0.5, sparseMsPerFrame: 0.6, denseMsPerFrame: 4, denseClipMsPerFrame: 0.6 },
      ],
    });
    expect(fig.data).toHaveLength(5);
    expect(fig.data[0].x).toEqual([0, 0.2, 0.5]);
    expect(fig.data[0].text).toEqual(['static', 'real', 'noise']);
    // The points lie on y = 0.1 + 1·x exactly: the fit goes from (0, 0.1) to (1, 1.1).
    const fit = fig.data[1].y as number[];
    expect(fit[0]).toBeCloseTo(0.1, 12);
    expect(fit[1]).toBeCloseTo(1.1, 12);
    // Op-density model: through the origin to the same time at density 1.
    expect(fig.data[2].y?.[0]).toBe(0);
    expect(fig.data[2].y?.[1] as number).toBeCloseTo(1.1, 12);
    // Dense references at their medians over the clips: 3 and 0.5.
    expect(fig.data[3].y).toEqual([3, 3]);
    expect(fig.data[4].y).toEqual([0.5, 0.5]);
  });

  it('rejects fewer than two points', async () => {
    const { timeVersusDensityFigure } = await import('../../lib/viz');
    expect(() => timeVersusDensityFigure({ points: [{ name: 'a', macDensity: 0.1, sparseMsPerFrame: 1, denseMsPerFrame: 1, denseClipMsPerFrame: 1 }] })).toThrow(DeltaSparsityError);
  });
});
