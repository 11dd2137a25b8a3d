/**
 * Figure builders: plain numbers in, Plotly figure specs out. No TensorFlow, no DOM: the same figures are
 * shown in notebooks (`showFigure`), saved as standalone HTML (`saveFigureHtml`) and embedded in reports.
 * One file per figure family.
 */
export { FIGURE_PALETTE, seriesColor } from './palette';
export * from './figures/training';
export * from './figures/bars';
export * from './figures/pareto';
export * from './figures/activations';
export * from './figures/cost';
export * from './figures/maps';
export * from './figures/thresholds';
export * from './figures/inside';
export * from './figures/energy';
