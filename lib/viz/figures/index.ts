/**
 * Figure builders: plain numbers in, Plotly figure specs out. No TensorFlow, no DOM: the same figures are
 * shown in notebooks (`showFigure`), saved as standalone HTML (`saveFigureHtml`) and embedded in reports.
 * One file per figure family.
 */
export { FIGURE_PALETTE, seriesColor } from '../palette';
export * from './training';
export * from './bars';
export * from './pareto';
export * from './activations';
export * from './cost';
export * from './maps';
export * from './thresholds';
export * from './inside';
export * from './energy';
