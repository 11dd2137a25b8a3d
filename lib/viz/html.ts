/**
 * Figures and tables as HTML: the Plotly bundle inlined (never a CDN, so pages work offline), standalone
 * figure files, and HTML tables with every cell escaped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidArgument } from '../util/errors';
import { writeFileAtomic } from '../util/files';
import type { Figure } from './types';
import { formatOtherCell, formatTable, isDataFrameLike, tableColumnsAndRows, type DataFrameLike, type FormatTableOptions, type TableRows } from './table';

export { isDataFrameLike };
export type { DataFrameLike, TableRows };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * JSON that is safe inside a `<script>` element: `</script>` and `<!--` cannot end or confuse the element,
 * and U+2028/U+2029 (line terminators in older JS) are escaped. The result is still valid JSON and JS.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

let cachedBundle: { source: string; file: string } | undefined;

/**
 * The Plotly browser bundle as text, read once per process. Prefers the minified `plotly.js-dist-min`
 * (about 4.6 MB) when installed, else `plotly.js-dist` (about 11 MB, a dependency of this package).
 * Any `</script` inside is escaped so the bundle can sit inside a `<script>` element.
 */
export function plotlyBundle(): { source: string; file: string } {
  if (cachedBundle) return cachedBundle;
  for (const [name, file] of [
    ['plotly.js-dist-min', 'plotly.min.js'],
    ['plotly.js-dist', 'plotly.js'],
  ] as const) {
    let resolved: string;
    try {
      resolved = require.resolve(`${name}/${file}`);
    } catch {
      continue;
    }
    const source = fs.readFileSync(resolved, 'utf8').replace(/<\/script/gi, '<\\/script');
    cachedBundle = { source, file: resolved };
    return cachedBundle;
  }
  throw invalidArgument('plotly bundle', 'the package plotly.js-dist (or plotly.js-dist-min) to be installed', 'not found');
}

export interface FigureDivOptions {
  /** The element id. Default: a fresh `delta-fig-N`. */
  id?: string;
  /** CSS width. Default: `'100%'`. */
  width?: string;
  /** Plotly config (e.g. `{ displaylogo: false }`). Default: `{ responsive: true, displaylogo: false }`. */
  config?: Record<string, unknown>;
}

let divCounter = 0;

/** A fresh element id, unique within the process and unlikely to clash with ids from another kernel run. */
export function newFigureId(): string {
  divCounter += 1;
  return `delta-fig-${process.pid.toString(36)}-${Date.now().toString(36)}-${divCounter}`;
}

/**
 * A `<div>` plus a `<script>` that draws `figure` into it with the page's `window.Plotly`. It does not carry
 * Plotly itself: put `plotlyScriptTag()` earlier in the page. When Plotly is missing (a notebook reopened
 * in a fresh page while the kernel kept running), the div says so instead of staying blank.
 */
export function figureDivHtml(figure: Figure, options: FigureDivOptions = {}): string {
  checkFigure(figure);
  const id = options.id ?? newFigureId();
  const height = figure.layout.height ?? 450;
  const config = options.config ?? { responsive: true, displaylogo: false };
  const missing =
    'Plotly is not loaded in this page (the output that carried it was cleared or the notebook was reopened). ' +
    'Re-run the cell after calling resetPlotlyInjection(), or restart the kernel and run all cells.';
  return (
    `<div id="${escapeHtml(id)}" class="delta-sparsity-figure" style="width:${escapeHtml(options.width ?? '100%')};height:${height}px;"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var el = document.getElementById(${jsonForScript(id)});\n` +
    `  if (!el) return;\n` +
    `  if (typeof window.Plotly === 'undefined') { el.style.height = 'auto'; el.textContent = ${jsonForScript(missing)}; return; }\n` +
    `  window.Plotly.newPlot(el, ${jsonForScript(figure.data)}, ${jsonForScript(figure.layout)}, ${jsonForScript(config)});\n` +
    `})();</script>`
  );
}

/** A `<script>` element that defines `window.Plotly` (the whole bundle inlined). */
export function plotlyScriptTag(): string {
  return `<script type="text/javascript">/* plotly.js, MIT licence, inlined for offline use */\n${plotlyBundle().source}\n</script>`;
}

export interface StandaloneHtmlOptions {
  /** Page title. Default: the first figure's title, else `'delta-sparsity figure'`. */
  title?: string;
  /** HTML inserted before each figure (same length as the figures), e.g. `<h2>` headings. Escaped by the caller. */
  headings?: readonly string[];
  /** Plotly config for every figure. Default: `{ responsive: true, displaylogo: false }`. */
  config?: Record<string, unknown>;
}

/**
 * A complete HTML page showing one or more figures, with Plotly inlined once: opens offline in any browser.
 */
export function figuresToStandaloneHtml(figures: Figure | readonly Figure[], options: StandaloneHtmlOptions = {}): string {
  const list: readonly Figure[] = Array.isArray(figures) ? figures : [figures as Figure];
  if (list.length === 0) throw invalidArgument('figures', 'at least one figure', list);
  if (options.headings && options.headings.length !== list.length) {
    throw invalidArgument('headings', `${list.length} headings (one per figure)`, options.headings.length);
  }
  const title = options.title ?? list[0].layout.title?.text ?? 'delta-sparsity figure';
  const body = list
    .map((figure, i) => `${options.headings?.[i] ?? ''}\n${figureDivHtml(figure, { id: `figure-${i}`, ...(options.config ? { config: options.config } : {}) })}`)
    .join('\n');
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${escapeHtml(title)}</title>\n` +
    `<style>body{font-family:sans-serif;margin:16px;} .delta-sparsity-figure{margin-bottom:24px;}</style>\n` +
    `${plotlyScriptTag()}\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

/**
 * Saves figures as one standalone HTML file, atomically, creating missing parent folders. The file is
 * self-contained and works offline: the whole Plotly bundle is inlined (no CDN), so each file weighs about
 * 4.6-11 MB whatever the number of figures; put several figures in one call to share one copy. Returns the
 * absolute path.
 */
export function saveFigureHtml(file: string, figures: Figure | readonly Figure[], options: StandaloneHtmlOptions = {}): string {
  if (typeof file !== 'string' || file.length === 0) throw invalidArgument('file', 'a file path', file);
  const target = path.resolve(file);
  writeFileAtomic(target, figuresToStandaloneHtml(figures, options));
  return target;
}

function checkFigure(figure: Figure): void {
  if (figure == null || !Array.isArray(figure.data) || typeof figure.layout !== 'object' || figure.layout === null) {
    throw invalidArgument('figure', 'a Plotly figure { data: PlotTrace[], layout }', figure);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tables

export interface TableOptions extends FormatTableOptions {
  /** Rows shown; the rest are summarised in a last line. Default: 50. */
  maxRows?: number;
  /**
   * Significant digits for non-integer numbers. Default: 3 with `labels`, else 4.
   */
  digits?: number;
  /**
   * Human headers with units, values scaled to those units, and the choice of `columns` / `transpose`
   * (`formatTable`, `lib/viz/columns.ts`). `columns`, `transpose`, `rowKey` and `specs` apply only with
   * labels. Default: false here (raw keys, as the HTML report shows them), true in `showTable`.
   */
  labels?: boolean;
  /** Show the DataFrame index as the first column. Default: false for arrays, true for DataFrames. */
  showIndex?: boolean;
  /** Caption above the table (escaped). */
  caption?: string;
}

/** Formats a cell: numbers to `digits` significant digits (integers exact), objects as JSON, null as empty. */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    return String(Number(value.toPrecision(digits)));
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return formatOtherCell(value);
}

/**
 * An HTML `<table>` of a danfojs DataFrame or of an array of plain objects (columns: the union of keys in
 * order of first appearance). Every header and cell is HTML-escaped; numbers are right-aligned.
 */
export function tableHtml(table: DataFrameLike | TableRows, options: TableOptions = {}): string {
  const maxRows = options.maxRows ?? 50;
  const showIndex = options.showIndex ?? isDataFrameLike(table);
  if (options.labels) {
    const formatted = formatTable(table, options);
    const { index } = tableColumnsAndRows(table);
    const rowHeads = options.transpose ? undefined : index;
    return renderTable(formatted.header, formatted.rows, formatted.numeric, showIndex ? rowHeads : undefined, maxRows, options.caption);
  }
  const digits = options.digits ?? 4;
  const { columns, rows, index } = tableColumnsAndRows(table, 'keep');
  const text = rows.map((row) => row.map((value) => formatCell(value, digits)));
  const numeric = rows.map((row) => row.map((value) => typeof value === 'number'));
  return renderTable(columns, text, numeric, showIndex ? index : undefined, maxRows, options.caption);
}

function renderTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly (readonly boolean[])[],
  index: readonly (string | number)[] | undefined,
  maxRows: number,
  caption: string | undefined,
): string {
  const showIndex = index !== undefined;
  const shown = rows.slice(0, maxRows);
  const cell = (text: string, isNumber: boolean, tag: 'td' | 'th'): string =>
    `<${tag}${isNumber ? ' style="text-align:right"' : ''}>${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${showIndex ? '<th></th>' : ''}${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = shown
    .map((row, r) => {
      const rowHead = showIndex ? cell(formatCell(index[r] ?? r), typeof index[r] === 'number', 'th') : '';
      return `<tr>${rowHead}${row.map((text, c) => cell(text, numeric[r][c], 'td')).join('')}</tr>`;
    })
    .join('\n');
  const more = rows.length > shown.length
    ? `\n<tr><td colspan="${columns.length + (showIndex ? 1 : 0)}">… ${rows.length - shown.length} more rows (${rows.length} in all)</td></tr>`
    : '';
  const captionHtml = caption !== undefined ? `<caption>${escapeHtml(caption)}</caption>` : '';
  return `<table class="delta-sparsity-table">${captionHtml}\n<thead>${head}</thead>\n<tbody>\n${body}${more}\n</tbody>\n</table>`;
}
