/**
 * Looks at saved figures as a person would: opens the standalone HTML in headless Chromium, checks that
 * Plotly drew the expected SVG traces, and keeps a screenshot (reports/viz/figures-screenshot.png) whose
 * pixels show the series colours.
 *
 * Skipped with a message when no Chromium is installed, unless CI=true or DELTA_REQUIRE_CHROMIUM=1
 * (then a missing Chromium fails). Debian: apt-get install -y chromium.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NAMED_COLORS, costCrossoverFigure, dumpDom, findChromium, layerBarsFigure, saveFigureHtml, screenshotHtml } from '../../lib/viz';
import { countColor, decodePng } from './png';

const chromium = findChromium();
const required = process.env.CI === 'true' || process.env.DELTA_REQUIRE_CHROMIUM === '1';
if (!chromium && !required) {
  console.warn('test/viz/chromium.test.ts: SKIPPED, no Chromium found (apt-get install chromium, or set CHROMIUM_PATH).');
}

const reportDir = path.resolve(__dirname, '../../reports/viz');

describe.skipIf(!chromium && !required)('figures in headless Chromium', () => {
  it('finds Chromium', () => {
    expect(chromium, 'Chromium is required here (CI=true or DELTA_REQUIRE_CHROMIUM=1)').toBeDefined();
  });

  // Cross-over at temporal density (10 - 2) / 20 = 0.4 (dense costs 10, delta costs 2 + 20 x).
  const x = [0, 0.25, 0.5, 0.75, 1];
  const cost = costCrossoverFigure({
    temporalDensity: x,
    series: [{ name: 'dense', cost: x.map(() => 10) }, { name: 'delta', cost: x.map((v) => 2 + 20 * v) }],
    yTitle: 'energy per frame (µJ)',
    title: 'cost vs temporal density',
  });
  const bars = layerBarsFigure({
    layers: ['conv1', 'conv2', 'conv3', 'fc'],
    series: [{ name: 'dense', values: [8, 6, 4, 1] }, { name: 'delta', values: [3, 2, 1, 0.5] }],
    yTitle: 'energy (µJ)',
    title: 'energy per layer',
  });

  it('draws every trace of every figure as SVG', () => {
    const html = saveFigureHtml(path.join(reportDir, 'figures.html'), [cost, bars]);
    const dom = dumpDom(html, { width: 1000, height: 1000 });
    // Plotly's SVG: one <g class="trace scatter ..."> per scatter trace, <g class="trace bars"> per bar trace.
    // cost figure: dense, delta, cross-over marker = 3 scatter traces; bars figure: 2 bar traces.
    expect(dom.match(/<g class="trace scatter/g)?.length).toBe(3);
    expect(dom.match(/<g class="trace bars/g)?.length).toBe(2);
    // One bar path per (series, layer) = 2 x 4 = 8.
    expect(dom.match(/<g class="point"><path/g)?.length).toBe(8);
    // Titles and the cross-over label are rendered text, not just data.
    expect(dom).toContain('energy per layer');
    expect(dom).toContain('cross-over at 0.4');
    // Both divs were turned into plots (not into the "Plotly is not loaded" message).
    expect(dom).toMatch(/<div id="figure-0" class="delta-sparsity-figure js-plotly-plot"[^>]*><div class="plot-container/);
    expect(dom).toMatch(/<div id="figure-1" class="delta-sparsity-figure js-plotly-plot"[^>]*><div class="plot-container/);
  });

  it('keeps a screenshot in which the series colours are visible', () => {
    const html = saveFigureHtml(path.join(reportDir, 'figures.html'), [cost, bars]);
    const shot = screenshotHtml(html, path.join(reportDir, 'figures-screenshot.png'), { width: 1000, height: 1000 });
    const png = decodePng(fs.readFileSync(shot));
    expect([png.width, png.height]).toEqual([1000, 1000]);
    // The series 'dense' (#0072B2) and 'delta' (#D55E00, the registry's fixed mode colours) appear as lines
    // and bars: thousands of pixels each (a 2.5 px line across ~800 px is ~2000 px; the bars add more).
    // A blank or failed plot has none.
    expect(countColor(png, NAMED_COLORS.dense)).toBeGreaterThan(2000);
    expect(countColor(png, NAMED_COLORS.delta)).toBeGreaterThan(2000);
  });
});
