import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  escapeHtml,
  figureDivHtml,
  figuresToStandaloneHtml,
  formatCell,
  jsonForScript,
  layerBarsFigure,
  plotlyBundle,
  resetPlotlyInjection,
  saveFigureHtml,
  showFigure,
  showTable,
  tableHtml,
} from '../../lib/viz';
import type { NotebookDisplay } from '../../lib/viz';
import { DeltaSparsityError } from '../../lib/util/errors';

const figure = layerBarsFigure({ layers: ['a', 'b'], series: [{ name: 's</script><b>', values: [1, 2] }], yTitle: 'y' });

/** Records what a notebook would receive. */
function recorder(): NotebookDisplay & { htmls: string[]; pngs: Uint8Array[] } {
  const htmls: string[] = [];
  const pngs: Uint8Array[] = [];
  return { html: (s: string) => void htmls.push(s), png: (b: Uint8Array) => void pngs.push(b), htmls, pngs };
}

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'viz-html-test-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

describe('escaping', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('makes JSON that cannot close a script element yet parses back to the same value', () => {
    const value = { name: '</script><script>alert(1)</script>', s: 'a\u2028b & <!--' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/<|>|\u2028/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('standalone HTML', () => {
  it('inlines Plotly once, loads nothing from the network, and has one div per figure', () => {
    const html = figuresToStandaloneHtml([figure, figure]);
    const bundle = plotlyBundle().source;
    expect(bundle.length).toBeGreaterThan(1_000_000);
    expect(html.split(bundle).length - 1).toBe(1);
    // No external script or stylesheet (a CDN would break offline use).
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(html).not.toMatch(/<link[^>]*\shref=/i);
    expect(html.match(/class="delta-sparsity-figure"/g)).toHaveLength(2);
    // The trace name with markup is only present escaped inside the script.
    const outsideBundle = html.replace(bundle, '');
    expect(outsideBundle).not.toContain('s</script><b>');
    expect(outsideBundle.match(/<\/script>/g)).toHaveLength(3); // bundle + 2 figure scripts
  });

  it('saves atomically to the given path and returns it', () => {
    const file = saveFigureHtml(path.join(temp, 'sub', 'fig.html'), figure);
    expect(file).toBe(path.join(temp, 'sub', 'fig.html'));
    expect(fs.readFileSync(file, 'utf8')).toContain('<!DOCTYPE html>');
    expect(fs.readdirSync(path.join(temp, 'sub'))).toEqual(['fig.html']);
  });
});

describe('showFigure', () => {
  it('sends Plotly with the first figure of each cell execution (default), or once per kernel', () => {
    resetPlotlyInjection();
    const d = recorder();
    const bundle = plotlyBundle().source;
    const cellA = { cell: 'A' };
    const cellB = { cell: 'B' };
    const cellARerun = { cell: 'A again' };
    for (const execution of [cellA, cellA, cellB, cellARerun]) showFigure(figure, { mode: 'interactive', display: d, execution });
    // Outside a kernel (no execution known) every figure carries it.
    showFigure(figure, { mode: 'interactive', display: d, execution: undefined });
    expect(d.htmls.map((h) => h.includes(bundle))).toEqual([true, false, true, true, true]);
    d.htmls.length = 0;
    resetPlotlyInjection();
    showFigure(figure, { mode: 'interactive', display: d, inlinePlotly: 'once', execution: cellA });
    showFigure(figure, { mode: 'interactive', display: d, inlinePlotly: 'once', execution: cellB });
    showFigure(figure, { mode: 'interactive', display: d, inlinePlotly: 'always', execution: cellB });
    resetPlotlyInjection();
    showFigure(figure, { mode: 'interactive', display: d, inlinePlotly: 'once', execution: cellB });
    showFigure(figure, { mode: 'interactive', display: d, inlinePlotly: 'never', execution: cellARerun });
    expect(d.htmls.map((h) => h.includes(bundle))).toEqual([true, false, true, true, false]);
    // Every output draws its own div; ids are unique.
    const ids = d.htmls.map((h) => /<div id="([^"]+)"/.exec(h)?.[1]);
    expect(new Set(ids).size).toBe(5);
    expect(d.pngs).toHaveLength(0);
  });

  it('explains that it needs a notebook kernel when no cell is running', () => {
    // tslab is installed (devDependency) but no kernel is running in this process: its display says "Not ready".
    expect(() => showFigure(figure, { mode: 'interactive' })).toThrow(DeltaSparsityError);
    expect(() => showFigure(figure, { mode: 'interactive' })).toThrow(/tslab notebook kernel/);
  });

  it('rejects an unknown mode, also from DELTA_FIGURES', () => {
    expect(() => showFigure(figure, { mode: 'svg' as 'png', display: recorder() })).toThrow(
      'mode: expected one of "interactive", "png". Received: mode="svg"',
    );
    const saved = process.env.DELTA_FIGURES;
    process.env.DELTA_FIGURES = 'jpeg';
    try {
      expect(() => showFigure(figure, { display: recorder() })).toThrow(/DELTA_FIGURES: expected one of/);
    } finally {
      if (saved === undefined) delete process.env.DELTA_FIGURES;
      else process.env.DELTA_FIGURES = saved;
    }
  });
});

describe('tables', () => {
  it('formats numbers to 4 significant digits, integers exactly, missing values as empty', () => {
    expect([formatCell(0.912345), formatCell(12345), formatCell(1e-7 / 3), formatCell(null), formatCell({ a: 1 })]).toEqual([
      '0.9123', '12345', '3.333e-8', '', '{"a":1}',
    ]);
  });

  it('renders plain objects with the union of keys, every cell escaped', () => {
    const html = tableHtml([{ run: '<b>x</b>', acc: 0.5 }, { run: 'a & b', density: 0.25 }]);
    expect(html).toContain('<thead><tr><th>run</th><th>acc</th><th>density</th></tr></thead>');
    expect(html).toContain('<td>&lt;b&gt;x&lt;/b&gt;</td><td style="text-align:right">0.5</td><td></td>');
    expect(html).toContain('<td>a &amp; b</td><td></td><td style="text-align:right">0.25</td>');
    expect(html).not.toContain('<b>');
  });

  it('renders a DataFrame-shaped object with its index and cuts long tables', () => {
    // Shaped like a danfojs DataFrame (columns, values, index) without loading danfojs.
    const frame = { columns: ['θ', '<acc>'], values: [[0, 0.9], [0.1, 0.85], [0.2, 0.7]], index: ['r0', 'r1', 'r2'] };
    const html = tableHtml(frame, { maxRows: 2 });
    expect(html).toContain('<th></th><th>θ</th><th>&lt;acc&gt;</th>');
    expect(html).toContain('<tr><th>r1</th><td style="text-align:right">0.1</td><td style="text-align:right">0.85</td></tr>');
    expect(html).not.toContain('r2');
    expect(html).toContain('… 1 more rows (3 in all)');
  });

  it('sends the table to the display and rejects rows that are not objects', () => {
    const d = recorder();
    showTable([{ a: 1 }], { display: d });
    expect(d.htmls[0]).toContain('<td style="text-align:right">1</td>');
    expect(() => tableHtml([1, 2] as unknown as Record<string, unknown>[])).toThrow('table[0]: expected a plain object');
    expect(figureDivHtml(figure)).toContain('window.Plotly.newPlot');
  });
});
