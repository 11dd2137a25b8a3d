/**
 * Colours shared by every figure, so that one thing has one colour everywhere: an execution mode (dense,
 * zero-skipping, delta), a study model (baseline, delta, spatial-L1) and a kind of sweep point have fixed
 * colours; other series take the remaining palette colours in order.
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

/**
 * Fixed colours by name. A model shares its colour with the execution mode it is built for (the baseline
 * with dense execution, the delta model with delta execution, the spatial-L1 model with zero-skipping), so
 * that a reader matches them across figures; models are told apart from modes by marker symbol
 * (`MODEL_SYMBOLS`) where both appear. Names are matched case-insensitively.
 */
export const NAMED_COLORS: Readonly<Record<string, string>> = {
  // Execution modes (lib/hardware `CostMode`).
  dense: '#0072B2',
  'zero-skipping': '#009E73',
  delta: '#D55E00',
  // Study models.
  baseline: '#0072B2',
  'spatial-l1': '#009E73',
  // Kinds of ablation point.
  'fixed-q sweep': '#56B4E9',
  'trained-λ sweep': '#E69F00',
};

/** Marker symbols of the study models (Plotly symbol names), the same in every figure. */
export const MODEL_SYMBOLS: Readonly<Record<string, string>> = {
  baseline: 'square',
  delta: 'diamond',
  'spatial-l1': 'triangle-up',
};

/** The fixed colour of `name` (see `NAMED_COLORS`), or undefined. */
export function namedColor(name: string): string | undefined {
  return NAMED_COLORS[name.toLowerCase()];
}

/**
 * One colour per series of a figure: the fixed colour of each known name, and for the others the palette
 * colours in order, skipping those the known names of this figure already use (so two series never share
 * a colour while the palette lasts).
 */
export function assignColors(names: readonly string[]): string[] {
  const taken = new Set(names.map(namedColor).filter((c): c is string => c !== undefined));
  const free = FIGURE_PALETTE.filter((c) => !taken.has(c));
  let next = 0;
  return names.map((name) => namedColor(name) ?? (free.length > 0 ? free[next++ % free.length] : seriesColor(next++)));
}
