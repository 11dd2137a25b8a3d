/**
 * Interactive figures after a re-run: show figure A (cell 1), figure B (cell 2), then re-run cell 1. The saved
 * notebook keeps A's new output and B's old one, in that order; both must draw in a fresh page (headless
 * Chromium), with no output cleared or re-run elsewhere supplying Plotly.
 *
 * Skipped with a message when no Chromium is installed, unless CI=true or DELTA_REQUIRE_CHROMIUM=1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dumpDom, findChromium, layerBarsFigure, resetPlotlyInjection, showFigure } from '../../lib/viz';
import type { Figure, NotebookDisplay } from '../../lib/viz';

const chromium = findChromium();
const required = process.env.CI === 'true' || process.env.DELTA_REQUIRE_CHROMIUM === '1';
if (!chromium && !required) console.warn('test/viz/plotlyRerun.test.ts: SKIPPED, no Chromium found.');

const reportDir = path.resolve(__dirname, '../../reports/viz');

function bars(title: string, values: number[]): Figure {
  return layerBarsFigure({ title, layers: ['conv1', 'conv2', 'fc'], series: [{ name: 'delta', values }], yTitle: 'MACs per frame' });
}

/** The saved page of the notebook after: cell 1 shows A, cell 2 shows B, cell 1 is re-run. */
function savedPageAfterRerun(inlinePlotly: 'cell' | 'once'): string {
  resetPlotlyInjection();
  const outputs: string[] = [];
  const display: NotebookDisplay = { html: (s) => outputs.push(s), png: () => undefined };
  const a = bars('figure A', [3, 2, 1]);
  const b = bars('figure B', [5, 4, 1]);
  // Each object stands for one cell execution (tslab's per-request writer in a kernel).
  showFigure(a, { mode: 'interactive', display, inlinePlotly, execution: { cell: 1 } });
  showFigure(b, { mode: 'interactive', display, inlinePlotly, execution: { cell: 2 } });
  showFigure(a, { mode: 'interactive', display, inlinePlotly, execution: { cell: 1, rerun: true } });
  const [, bOutput, aRerunOutput] = outputs;
  // The notebook's order: cell 1 (its re-run output replaced the first one), then cell 2.
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>\n${aRerunOutput}\n${bOutput}\n</body></html>\n`;
  fs.mkdirSync(reportDir, { recursive: true });
  const file = path.join(reportDir, `rerun-${inlinePlotly}.html`);
  fs.writeFileSync(file, page);
  return file;
}

afterEach(() => resetPlotlyInjection());

describe.skipIf(!chromium && !required)('Plotly after a cell is re-run', () => {
  it('draws both saved figures when Plotly goes with every cell (the default)', () => {
    const dom = dumpDom(savedPageAfterRerun('cell'), { width: 1000, height: 1100 });
    // Both divs became Plotly plots with one bar trace each, and both titles were drawn.
    expect(dom.match(/class="delta-sparsity-figure js-plotly-plot"[^>]*><div class="plot-container/g)).toHaveLength(2);
    expect(dom.match(/<g class="trace bars/g)).toHaveLength(2);
    expect(dom).toContain('figure A');
    expect(dom).toContain('figure B');
    // (The figure scripts contain the message text; a div shows it only when Plotly was missing.)
    expect(dom).not.toMatch(/class="delta-sparsity-figure"[^>]*>Plotly is not loaded/);
  });

  it('fails with Plotly sent once per kernel (the old behaviour), so the check above can fail', () => {
    const dom = dumpDom(savedPageAfterRerun('once'), { width: 1000, height: 1100 });
    expect(dom.match(/class="delta-sparsity-figure"[^>]*>Plotly is not loaded/g)).toHaveLength(2);
    expect(dom).not.toMatch(/<g class="trace bars/);
  });
});
