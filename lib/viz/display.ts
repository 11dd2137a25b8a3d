/**
 * Showing figures and tables in a notebook. The only module of `lib/viz` that knows about tslab: it loads
 * `tslab` lazily, so the rest of the package works without it.
 *
 * Two output modes (option `mode`, else env `DELTA_FIGURES`, else `'interactive'`):
 * - `'interactive'`: an HTML output that draws the figure with Plotly. Plotly (inlined, no CDN) is sent with
 *   the first figure of every cell execution; later figures of the same cell reuse `window.Plotly` of the page.
 *   Sending it once per kernel was not enough: re-running or clearing the cell that carried it left every
 *   later figure of the saved notebook with "Plotly is not loaded". Per cell, every saved cell output with a
 *   figure carries what it needs, at the price of the bundle's size (about 11 MB, or 4.6 MB with
 *   plotly.js-dist-min) per such cell. Scripts run only in a live, trusted notebook page: GitHub and
 *   untrusted notebooks show nothing for these outputs.
 * - `'png'`: a PNG image rendered in headless Chromium. Static, small, shown everywhere (GitHub, nbviewer,
 *   untrusted notebooks). Used for the committed notebook outputs.
 */
import * as path from 'node:path';
import { invalidArgument, requireOneOf } from '../util/errors';
import { warnIfStaleBuild } from '../util/staleBuild';
import { figureToPng } from './chromium';
import type { ChromiumRenderOptions } from './chromium';
import { figureDivHtml, plotlyScriptTag, tableHtml } from './html';
import type { DataFrameLike, TableOptions, TableRows } from './html';
import type { Figure } from './types';

/** The part of tslab's `display` used here (tslab's own type is not re-exported). */
export interface NotebookDisplay {
  html(s: string): void;
  png(b: Uint8Array): void;
}

export const FIGURE_MODES = ['interactive', 'png'] as const;
export type FigureMode = (typeof FIGURE_MODES)[number];

export interface ShowFigureOptions {
  /** Output mode. Default: env `DELTA_FIGURES` when set, else `'interactive'`. */
  mode?: FigureMode;
  /**
   * Interactive mode: when to inline the Plotly bundle. `'cell'` = in the first figure of each cell execution
   * (survives re-running or clearing any other cell); `'once'` = in the first figure shown by this kernel
   * (smallest notebook, but breaks when that cell is re-run or cleared; `resetPlotlyInjection()` re-arms it);
   * `'always'` = in every output; `'never'` = rely on a page that already has Plotly. Default: `'cell'`.
   */
  inlinePlotly?: 'cell' | 'once' | 'always' | 'never';
  /**
   * Identifies the cell execution for `inlinePlotly: 'cell'`. Default: tslab's current execution (its
   * per-request display writer); outside tslab every call counts as a new execution.
   */
  execution?: unknown;
  /** PNG mode: Chromium settings (size defaults to 900 x the figure's height). */
  chromium?: ChromiumRenderOptions;
  /** Where to send the output. Default: tslab's `display`. Tests pass a recorder. */
  display?: NotebookDisplay;
}

let plotlySent = false;
let plotlyExecution: unknown;

/**
 * tslab's writer of the running cell execution: a new function per execute request (`lastWriteDisplayData`
 * of tslab/dist/jupyter.js). Looked up among the modules already loaded, so that nothing is loaded outside a
 * kernel, and whichever copy of tslab runs the kernel is the one asked.
 */
function currentTslabExecution(): unknown {
  const suffix = `${path.sep}tslab${path.sep}dist${path.sep}jupyter.js`;
  for (const [id, module] of Object.entries(require.cache)) {
    if (id.endsWith(suffix)) return (module?.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData ?? undefined;
  }
  return undefined;
}

/**
 * Forgets that Plotly was sent, so the next interactive figure inlines it again: call it after the output
 * that carried Plotly was cleared or the page was reloaded while the kernel kept running.
 */
export function resetPlotlyInjection(): void {
  plotlySent = false;
  plotlyExecution = undefined;
}

/** The output mode from `DELTA_FIGURES`, default `'interactive'`. */
export function figureModeFromEnv(): FigureMode {
  const value = process.env.DELTA_FIGURES;
  if (value === undefined || value === '') return 'interactive';
  return requireOneOf('DELTA_FIGURES', value, FIGURE_MODES);
}

/** What to use instead outside a notebook: saveFigureHtml for a figure, formatTable for a table. */
type ShownThing = 'figure' | 'table';
const OUTSIDE_NOTEBOOKS: Record<ShownThing, string> = {
  figure: 'use saveFigureHtml outside notebooks',
  table: 'use formatTable outside notebooks, which returns the table as text',
};

function tslabDisplay(what: ShownThing = 'figure'): NotebookDisplay {
  let tslab: { display: NotebookDisplay };
  try {
    // Lazily: tslab is only present where notebooks run. Resolved from this package, which is the same
    // tslab whose kernel runs the notebook (tslab's kernel prefers the local install it finds from the
    // notebook's folder), so its `display` is connected to the current cell.
    tslab = require('tslab') as { display: NotebookDisplay };
  } catch {
    throw invalidArgument('tslab', `the tslab package (showFigure and showTable run in a tslab notebook kernel; ${OUTSIDE_NOTEBOOKS[what]})`, 'not installed');
  }
  return tslab.display;
}

function send(display: NotebookDisplay, action: (d: NotebookDisplay) => void, what: ShownThing = 'figure'): void {
  try {
    action(display);
  } catch (error) {
    if (error instanceof Error && error.message === 'Not ready') {
      throw invalidArgument('display', `to run inside a tslab notebook kernel (${OUTSIDE_NOTEBOOKS[what]})`, 'no notebook cell is running');
    }
    throw error;
  }
}

/** Shows a figure as the output of the current notebook cell (see the module comment for the modes). */
export function showFigure(figure: Figure, options: ShowFigureOptions = {}): void {
  warnIfStaleBuild();
  const mode = options.mode !== undefined ? requireOneOf('mode', options.mode, FIGURE_MODES) : figureModeFromEnv();
  const display = options.display ?? tslabDisplay();
  if (mode === 'png') {
    const png = figureToPng(figure, options.chromium);
    send(display, (d) => d.png(png));
    return;
  }
  const inline = requireOneOf('inlinePlotly', options.inlinePlotly ?? 'cell', ['cell', 'once', 'always', 'never'] as const);
  const execution = 'execution' in options ? options.execution : currentTslabExecution();
  const withPlotly =
    inline === 'always' ||
    (inline === 'once' && !plotlySent) ||
    (inline === 'cell' && (execution === undefined || execution !== plotlyExecution));
  const html = (withPlotly ? `${plotlyScriptTag()}\n` : '') + figureDivHtml(figure);
  send(display, (d) => d.html(html));
  if (withPlotly) {
    plotlySent = true;
    plotlyExecution = execution;
  }
}

/**
 * Shows a danfojs DataFrame or an array of plain objects as an HTML table (cells escaped), with human
 * headers and units, values in those units and 3 significant figures (`formatTable`; `labels: false` for
 * the raw keys). Choose `columns` or `transpose: true` for wide tables.
 */
export function showTable(table: DataFrameLike | TableRows, options: TableOptions & { display?: NotebookDisplay } = {}): void {
  warnIfStaleBuild();
  const html = tableHtml(table, { labels: true, ...options });
  send(options.display ?? tslabDisplay('table'), (d) => d.html(html), 'table');
}
