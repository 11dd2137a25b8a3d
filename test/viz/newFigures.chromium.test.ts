/**
 * The issue-14 figures rendered in headless Chromium and looked at by pixel: each kind of Pareto point, each
 * model's operating point and each panel of a map figure shows up in its registry colour. Skipped like
 * chromium.test.ts when no Chromium is installed (unless CI=true or DELTA_REQUIRE_CHROMIUM=1).
 */
import { describe, expect, it } from 'vitest';
import { NAMED_COLORS, costCrossoverFigure, figureToPng, findChromium, heatmapPanelsFigure, paretoFigure } from '../../lib/viz';
import { countColor, decodePng } from './png';

const chromium = findChromium();
const required = process.env.CI === 'true' || process.env.DELTA_REQUIRE_CHROMIUM === '1';

describe.skipIf(!chromium && !required)('issue-14 figures in headless Chromium', () => {
  it('shows each kind of Pareto point and each operating point in its colour', () => {
    const pareto = paretoFigure({
      points: [
        { label: 'q=0.05', kind: 'fixed-q sweep', macDensity: 0.9, accuracy: 70 },
        { label: 'q=0.1', kind: 'fixed-q sweep', macDensity: 0.6, accuracy: 68 },
        { label: 'λ=0.1', kind: 'trained-λ sweep', macDensity: 0.5, accuracy: 69 },
        { label: 'spatial-l1', kind: 'spatial-l1', macDensity: 1.2, accuracy: 66 },
      ],
      xTitle: 'delta MACs per frame, steady state (M)',
    });
    const png = decodePng(figureToPng(pareto, { width: 900, height: 450 }));
    // Markers of 9-13 px: each colour covers at least ~40 pixels (a 9 px disc is ~60).
    for (const kind of ['fixed-q sweep', 'trained-λ sweep', 'spatial-l1']) expect(countColor(png, NAMED_COLORS[kind]), kind).toBeGreaterThan(40);

    const cost = costCrossoverFigure({
      temporalDensity: [0, 0.5, 1],
      series: [{ name: 'dense', cost: [10, 10, 10] }, { name: 'zero-skipping', cost: [9, 9, 9] }],
      yTitle: 'energy per frame (µJ)',
      operatingPoints: [{ name: 'delta', temporalDensity: 0.2, cost: 4 }],
    });
    const costPng = decodePng(figureToPng(cost, { width: 900, height: 450 }));
    expect(countColor(costPng, NAMED_COLORS.delta)).toBeGreaterThan(40);
    expect(countColor(costPng, NAMED_COLORS['zero-skipping'])).toBeGreaterThan(500);
  });

  it('draws the panels of a map figure side by side with their colour scales', () => {
    // Panel 1: a constant 1 on 'Greys' (white); panel 2: a constant at the top of a white-to-delta scale.
    const ones = Array.from({ length: 16 }, () => Array.from({ length: 16 }, () => 1));
    const fig = heatmapPanelsFigure({ panels: [
      { title: 'frame', values: ones, zmin: 0, zmax: 1 },
      { title: '|Δ|', values: ones, zmin: 0, zmax: 1, colorscale: [[0, '#ffffff'], [1, NAMED_COLORS.delta]] },
    ] });
    const png = decodePng(figureToPng(fig, { width: fig.layout.width, height: fig.layout.height }));
    // A 240 x 240 px panel in the delta colour: tens of thousands of pixels.
    expect(countColor(png, NAMED_COLORS.delta)).toBeGreaterThan(20000);
  });
});
