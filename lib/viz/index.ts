/** Figures (Plotly specs from plain data), HTML tables, notebook display and headless-Chromium rendering. */
export * from './types';
export * from './figures';
export * from './palette';
export { pickTracePixels, pixelSeries } from './pixelTraces';
export type { FlatClip, NamedPixel, PickPixelsOptions } from './pixelTraces';
export { COLUMN_SPECS, columnSpec, columnHeader, decamelize } from './columns';
export type { ColumnSpec } from './columns';
export { formatTable, formatSignificant, formatTableCell, tableColumnsAndRows, tableText } from './table';
export type { FormatTableOptions, FormattedTable } from './table';
export {
  escapeHtml, jsonForScript, plotlyBundle, figureDivHtml, plotlyScriptTag, figuresToStandaloneHtml, saveFigureHtml,
  isDataFrameLike, formatCell, tableHtml, newFigureId,
} from './html';
export type { FigureDivOptions, StandaloneHtmlOptions, DataFrameLike, TableRows, TableOptions } from './html';
export { showFigure, showTable, resetPlotlyInjection, figureModeFromEnv, FIGURE_MODES } from './display';
export type { NotebookDisplay, FigureMode, ShowFigureOptions } from './display';
export { findChromium, dumpDom, screenshotHtml, figureToPng } from './chromium';
export type { ChromiumRenderOptions } from './chromium';
export { liveTrainingDisplay, notebookProgress } from './live';
export type { LiveTrainingDisplay, LiveTrainingOptions, NotebookProgress, TextDisplay } from './live';
export { framesGridFigure, framePng } from './framesGrid';
export type { FrameImage, FramesGridArgs, FramesGridColumn } from './framesGrid';
