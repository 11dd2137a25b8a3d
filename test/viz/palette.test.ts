import { describe, expect, it } from 'vitest';
import { FIGURE_PALETTE, NAMED_COLORS, assignColors, crossoverFigure, layerBarsFigure, layerEnergyFigure } from '../../lib/viz';
import { energyVersusTemporalDensity, estimateCost, type LayerWorkload } from '../../lib/hardware';

const layers: LayerWorkload[] = [
  { name: 'conv1', kind: 'conv', inputActivations: 100, fanOut: 72, weights: 864, outputs: 400, spatialDensity: 0.9, temporalDensity: 0.2 },
  { name: 'conv2', kind: 'conv', inputActivations: 3000, fanOut: 1440, weights: 184320, outputs: 2000, spatialDensity: 0.5, temporalDensity: 0.3 },
];

describe('colour registry', () => {
  it('gives known names their fixed colour and the others the unused palette colours in order', () => {
    // 'delta' is fixed (#D55E00); 'a' and 'b' take the first palette colours that no fixed name here uses.
    const colors = assignColors(['a', 'Delta', 'b']);
    expect(colors[1]).toBe(NAMED_COLORS.delta);
    expect(colors[0]).toBe(FIGURE_PALETTE[0]);
    expect(colors[2]).toBe(FIGURE_PALETTE[1]);
    expect(assignColors(['baseline', 'x'])).toEqual([NAMED_COLORS.baseline, FIGURE_PALETTE.find((c) => c !== NAMED_COLORS.baseline)]);
    expect(new Set(assignColors(['p', 'q', 'r', 's'])).size).toBe(4);
  });

  it('colours each execution mode the same in the energy bars, the cross-over lines and any bar chart', () => {
    const energy = layerEnergyFigure({ cost: estimateCost(layers, 'eyeriss-v2-like') });
    const crossover = crossoverFigure({ curve: energyVersusTemporalDensity(layers, 'eyeriss-v2-like', { points: 11 }) });
    const bars = layerBarsFigure({ layers: ['a'], series: [{ name: 'delta', values: [1] }, { name: 'zero-skipping', values: [2] }], yTitle: 'µJ' });
    const colorOf = (fig: typeof energy, name: string) => fig.data.find((t) => t.name === name)?.marker?.color ?? fig.data.find((t) => t.name === name)?.line?.color;
    for (const mode of ['dense', 'zero-skipping', 'delta']) {
      expect(colorOf(energy, mode)).toBe(NAMED_COLORS[mode]);
      expect(colorOf(crossover, mode)).toBe(NAMED_COLORS[mode]);
    }
    expect([colorOf(bars, 'delta'), colorOf(bars, 'zero-skipping')]).toEqual([NAMED_COLORS.delta, NAMED_COLORS['zero-skipping']]);
  });

  it('puts the energy bars on a log axis when layers differ by more than 100x', () => {
    const energy = layerEnergyFigure({ cost: estimateCost(layers, 'eyeriss-v2-like') });
    const values = energy.data.flatMap((t) => t.y as number[]);
    expect(Math.max(...values) / Math.min(...values)).toBeGreaterThan(100); // the fixture spans that much
    expect(energy.layout.yaxis?.type).toBe('log');
    expect(energy.layout.yaxis?.title?.text).toBe('energy per frame (µJ, log scale)');
  });
});
