import { describe, expect, it } from 'vitest';
import { heatmapFigure, heatmapPanelsFigure, histogramBins, insideModelFigure, mapStripFigure, NAMED_COLORS, thresholdHistogramFigure } from '../../lib/viz';
import { DeltaSparsityError } from '../../lib/util/errors';

describe('heatmapPanelsFigure', () => {
  const frame = [[0, 0.5], [1, 0.25]];
  const panels = [
    { title: 'frame', values: frame, zmin: 0, zmax: 1 },
    { title: 'quantised', values: new Float32Array([0, 0.5, 1, 0]), height: 2, width: 2 },
    { title: '|Δ| sent', values: [[0, 0.2], [0, 0]], colorscale: 'Viridis', colorbarTitle: '|Δ|' },
  ];

  it('puts one heatmap per panel side by side, titled, with pixel axis titles and a colour bar each', () => {
    const fig = heatmapPanelsFigure({ panels });
    expect(fig.data.map((t) => [t.type, t.xaxis, t.yaxis, t.coloraxis])).toEqual([
      ['heatmap', 'x', 'y', 'coloraxis'], ['heatmap', 'x2', 'y2', 'coloraxis2'], ['heatmap', 'x3', 'y3', 'coloraxis3'],
    ]);
    expect(fig.data[1].z).toEqual([[0, 0.5], [1, 0]]);
    // Left to right, not overlapping.
    const domains = [fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3].map((a) => a?.domain as [number, number]);
    expect(domains[0][1]).toBeLessThan(domains[1][0]);
    expect(domains[1][1]).toBeLessThan(domains[2][0]);
    expect([fig.layout.xaxis?.title?.text, fig.layout.xaxis3?.title?.text, fig.layout.yaxis?.title?.text]).toEqual(['x (pixel)', 'x (pixel)', 'y (pixel)']);
    expect(fig.layout.yaxis2?.autorange).toBe('reversed'); // row 0 at the top
    expect(fig.layout.yaxis2?.scaleanchor).toBe('x2'); // square pixels
    expect(fig.layout.annotations?.map((a) => a.text)).toEqual(['frame', 'quantised', '|Δ| sent']);
    // Colour ranges: given (0..1), else the panel's own min..max (0..0.2 for |Δ|).
    expect([fig.layout.coloraxis?.cmin, fig.layout.coloraxis?.cmax]).toEqual([0, 1]);
    expect([fig.layout.coloraxis3?.cmin, fig.layout.coloraxis3?.cmax]).toEqual([0, 0.2]);
    expect(fig.layout.coloraxis3?.colorscale).toBe('Viridis');
    expect(fig.layout.coloraxis3?.colorbar?.title?.text).toBe('|Δ|');
    // Each colour bar sits right of its own panel, before the next one.
    expect(fig.layout.coloraxis?.colorbar?.x).toBeGreaterThan(domains[0][1]);
    expect(fig.layout.coloraxis?.colorbar?.x).toBeLessThan(domains[1][0]);
  });

  it('shares one colour axis when asked, and names a bad panel', () => {
    const fig = heatmapPanelsFigure({ panels, sharedScale: true });
    expect(new Set(fig.data.map((t) => t.coloraxis))).toEqual(new Set(['coloraxis']));
    expect(fig.layout.coloraxis2).toBeUndefined();
    expect(() => heatmapPanelsFigure({ panels: [] })).toThrow(DeltaSparsityError);
    expect(() => heatmapPanelsFigure({ panels: [{ title: 'x', values: [1, 2, 3], height: 2, width: 2 }] })).toThrow(/panels\[0\]: expected a map/);
  });

  it('heatmapFigure has pixel axis titles', () => {
    const fig = heatmapFigure({ values: frame });
    expect([fig.layout.xaxis?.title?.text, fig.layout.yaxis?.title?.text]).toEqual(['x (pixel)', 'y (pixel)']);
  });
});

describe('mapStripFigure and insideModelFigure', () => {
  const map = (v: number) => [v, v, v, v]; // a 2x2 map, flat
  const models = {
    baseline: { layer: 'conv2', frameShape: [2, 2, 8] as const, quantized: false, times: [0, 1, 2], frames: [map(0.1), map(0.2), map(0.3)], frameSize: [2, 2] as const,
      activation: [map(1), map(2), map(3)], absDelta: [map(1), map(1), map(1)], changedFraction: [map(1), map(1), map(1)] },
    delta: { layer: 'conv2', frameShape: [2, 2, 8] as const, quantized: true, times: [0, 1, 2], frames: [map(0.1), map(0.2), map(0.3)], frameSize: [2, 2] as const,
      activation: [map(1), map(2), map(2)], absDelta: [map(1), map(0.5), map(0)], changedFraction: [map(1), map(0.25), map(0)] },
  };

  it('lays rows x times maps out row-major, one colour axis per row, times above the first row', () => {
    const fig = mapStripFigure({ times: [0, 5], rows: [{ label: 'a', maps: [map(0), map(1)], height: 2, width: 2 }, { label: 'b', maps: [map(2), map(3)], height: 2, width: 2 }] });
    expect(fig.data.map((t) => [t.xaxis, t.coloraxis])).toEqual([['x', 'coloraxis'], ['x2', 'coloraxis'], ['x3', 'coloraxis2'], ['x4', 'coloraxis2']]);
    expect(fig.layout.annotations?.map((a) => a.text)).toEqual(['a', 't = 0', 't = 5', 'b']);
    // Row 'a' above row 'b'.
    expect((fig.layout.yaxis?.domain as number[])[0]).toBeGreaterThan((fig.layout.yaxis3?.domain as number[])[1]);
    expect(() => mapStripFigure({ times: [0, 5], rows: [{ label: 'a', maps: [map(0)], height: 2, width: 2 }] })).toThrow('rows[0].maps: expected 2 maps (one per time step)');
  });

  it('shows the frame row, then activation and |Δ| rows per model, |Δ| on one range set after frame 0', () => {
    const fig = insideModelFigure({ models });
    const labels = fig.layout.annotations?.filter((a) => !a.text.startsWith('t = ')).map((a) => a.text);
    expect(labels).toEqual(['input frame', 'baseline:<br>activation', 'baseline:<br>|Δ| sent', 'delta:<br>quantised activation', 'delta:<br>|Δ| sent']);
    expect(fig.data).toHaveLength(5 * 3);
    // |Δ| range: max over t > 0 of both models = 1 (baseline); activation range: max 3.
    expect([fig.layout.coloraxis3?.cmax, fig.layout.coloraxis5?.cmax]).toEqual([1, 1]);
    expect([fig.layout.coloraxis2?.cmax, fig.layout.coloraxis4?.cmax]).toEqual([3, 3]);
    // The |Δ| rows are white to the model's colour.
    expect(fig.layout.coloraxis5?.colorscale).toEqual([[0, '#ffffff'], [1, NAMED_COLORS.delta]]);
    const fraction = insideModelFigure({ models, changes: 'fraction' });
    expect(fraction.data[14].z).toEqual([[0, 0], [0, 0]]);
    expect(fraction.layout.coloraxis5?.cmax).toBe(1);
    expect(() => insideModelFigure({ models: { ...models, delta: { ...models.delta, times: [0, 1, 3] } } })).toThrow(/models\.delta\.times: expected the same times as baseline/);
  });
});

describe('thresholdHistogramFigure', () => {
  it('counts channels per bin (hand-checked) and draws one panel per layer with its mean q', () => {
    // 4 bins over [0.1, 0.2] (width 0.025): 0.1 -> bin 0, 0.12 -> 0, 0.15 -> 2, 0.2 -> 3 (last bin closed).
    expect(histogramBins([0.1, 0.12, 0.15, 0.2], 4).count).toEqual([2, 0, 1, 1]);
    expect(histogramBins([0.1, 0.1], 4)).toEqual({ left: [0.1], right: [0.1], count: [2] });
    const fig = thresholdHistogramFigure({ layers: [{ layer: 'conv1', values: [0.1, 0.12, 0.15, 0.2] }, { layer: 'conv2', values: [0.05] }], bins: 4, initial: 0.1 });
    expect(fig.data.map((t) => [t.type, t.name, t.xaxis, t.y])).toEqual([['bar', 'conv1', 'x', [2, 0, 1, 1]], ['bar', 'conv2', 'x2', [1]]]);
    // Mean of conv1: (0.1 + 0.12 + 0.15 + 0.2) / 4 = 0.1425, in doubles 0.14250000000000002 -> "0.143" (3 significant figures).
    expect(fig.layout.annotations?.map((a) => a.text)).toEqual(['conv1: mean q 0.143, 4 channels', 'conv2: mean q 0.05, 1 channel']);
    expect(fig.layout.shapes?.map((s) => s.x0)).toEqual([0.1, 0.1]);
    expect(fig.layout.xaxis?.title?.text).toBe('q');
    expect(fig.layout.yaxis?.title?.text).toBe('channels');
    expect(fig.data[0].marker?.color).toBe(NAMED_COLORS.delta);
  });
});
