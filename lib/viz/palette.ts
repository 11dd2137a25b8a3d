/**
 * Colours shared by every figure, so that one thing has one colour everywhere.
 */

/**
 * Colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008), black dropped because it is
 * used for the Pareto front and cross-over markers. A series keeps its colour across subplots.
 */
export const FIGURE_PALETTE: readonly string[] = [
  '#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#999999',
];

/** The palette colour of series number `index` (cycles). */
export function seriesColor(index: number): string {
  return FIGURE_PALETTE[((index % FIGURE_PALETTE.length) + FIGURE_PALETTE.length) % FIGURE_PALETTE.length];
}

