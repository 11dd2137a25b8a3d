/**
 * Figure builders: plain numbers in, Plotly figure specs out. No TensorFlow, no DOM: the same figures are
 * shown in notebooks (`showFigure`), saved as standalone HTML (`saveFigureHtml`) and embedded in reports.
 */
import { invalidArgument } from '../util/errors';
import type { PlotAnnotation, PlotAxis, Figure, PlotLayout, PlotShape, PlotTrace } from './types';
import { leastSquares } from '../util/leastSquares';

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

function checkFiniteArray(argument: string, values: unknown): number[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw invalidArgument(argument, 'an array of finite numbers', values);
  }
  const out = Array.from(values as ArrayLike<unknown>);
  out.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalidArgument(`${argument}[${i}]`, 'a finite number', v);
    }
  });
  return out as number[];
}

/** Same as `checkFiniteArray` but `null` (a missing point, drawn as a gap) is allowed. */
function checkNumberOrGapArray(argument: string, values: unknown): (number | null)[] {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw invalidArgument(argument, 'an array of finite numbers (null for a missing point)', values);
  }
  const out = Array.from(values as ArrayLike<unknown>);
  out.forEach((v, i) => {
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw invalidArgument(`${argument}[${i}]`, 'a finite number or null', v);
    }
  });
  return out as (number | null)[];
}

function baseLayout(title: string | undefined, extra: PlotLayout): PlotLayout {
  return {
    ...(title !== undefined ? { title: { text: title } } : {}),
    margin: { l: 70, r: 30, t: title !== undefined ? 60 : 30, b: 60 },
    hovermode: 'closest',
    ...extra,
  };
}

/**
 * Vertical domains for `count` stacked subplots, top first, with `gap` (fraction of the height) between them.
 * E.g. count=2, gap=0.1 -> [[0.55, 1], [0, 0.45]].
 */
function stackedDomains(count: number, gap: number): [number, number][] {
  const height = (1 - gap * (count - 1)) / count;
  return Array.from({ length: count }, (_, i) => {
    const top = 1 - i * (height + gap);
    return [Math.max(0, top - height), top] as [number, number];
  });
}

/** `'x'`, `'x2'`, ... as trace axis references; `'xaxis'`, `'xaxis2'`, ... as layout keys. */
function axisRef(letter: 'x' | 'y', index: number): string {
  return index === 0 ? letter : `${letter}${index + 1}`;
}
function axisKey(letter: 'x' | 'y', index: number): `xaxis${string}` | `yaxis${string}` {
  return (index === 0 ? `${letter}axis` : `${letter}axis${index + 1}`) as `xaxis${string}`;
}

// ---------------------------------------------------------------------------------------------------------
// Training curves

/** One training run: per-epoch values of any number of metrics. */
export interface TrainingRun {
  /** Legend name, e.g. `'baseline'` or `'delta θ=0.05'`. */
  name: string;
  /** Metric name -> one value per epoch (`null` for an epoch without that metric, drawn as a gap). */
  history: Record<string, readonly (number | null)[]>;
  /** Epoch numbers for the x axis. Default: 1, 2, ..., length of the longest metric. */
  epochs?: readonly number[];
}

export interface TrainingCurvesArgs {
  runs: readonly TrainingRun[];
  /** Metrics to plot, one stacked subplot each, in this order. Default: every metric of the first run. */
  metrics?: readonly string[];
  /** Axis titles per metric. Default: the metric name. */
  metricTitles?: Readonly<Record<string, string>>;
  /** Metrics drawn on a log y axis (e.g. `['loss']`). Default: none. */
  logMetrics?: readonly string[];
  title?: string;
  /** Figure height in pixels. Default: 260 per metric + 80. */
  height?: number;
}

/**
 * Loss / accuracy / density per epoch for several runs: one stacked subplot per metric with a shared epoch
 * axis; a run has the same colour in every subplot and one legend entry. Traces: one per (metric, run) that
 * has values for that metric, metric-major.
 */
export function trainingCurvesFigure(args: TrainingCurvesArgs): Figure {
  const { runs } = args;
  if (!Array.isArray(runs) || runs.length === 0) {
    throw invalidArgument('runs', 'a non-empty array of { name, history }', runs);
  }
  const metrics = args.metrics ?? Object.keys(runs[0].history);
  if (metrics.length === 0) throw invalidArgument('metrics', 'at least one metric name', metrics);
  const domains = stackedDomains(metrics.length, 0.08);
  const data: PlotTrace[] = [];
  const layout: PlotLayout = baseLayout(args.title, {
    height: args.height ?? 260 * metrics.length + 80,
    legend: { orientation: 'h', x: 0, y: -0.08, yanchor: 'top' },
  });
  // Whole-number epochs: ticks at every epoch when there are few, so no "epoch 1.5" tick.
  const allEpochs = runs.flatMap((run): number[] => {
    if (run.epochs) return [...run.epochs];
    const longest = Math.max(0, ...Object.keys(run.history).map((metric) => run.history[metric].length));
    return Array.from({ length: longest }, (_, i) => i + 1);
  });
  const wholeEpochs = allEpochs.every((e) => Number.isInteger(e)) && new Set(allEpochs).size <= 15;
  metrics.forEach((metric, m) => {
    const isLast = m === metrics.length - 1;
    const xAxis: PlotAxis = {
      anchor: axisRef('y', m),
      showticklabels: isLast,
      ...(isLast ? { title: { text: 'epoch' } } : {}),
      ...(m > 0 ? { matches: 'x' } : {}),
      ...(wholeEpochs ? { dtick: 1 } : {}),
    };
    const yAxis: PlotAxis = {
      domain: domains[m],
      anchor: axisRef('x', m),
      title: { text: args.metricTitles?.[metric] ?? metric },
      ...(args.logMetrics?.includes(metric) ? { type: 'log' as const } : {}),
    };
    layout[axisKey('x', m)] = xAxis;
    layout[axisKey('y', m)] = yAxis;
    runs.forEach((run, r) => {
      const values = run.history[metric];
      if (values === undefined) return;
      const y = checkNumberOrGapArray(`runs[${r}].history.${metric}`, values);
      const x = run.epochs
        ? checkFiniteArray(`runs[${r}].epochs`, run.epochs)
        : Array.from({ length: y.length }, (_, i) => i + 1);
      if (x.length !== y.length) {
        throw invalidArgument(`runs[${r}].epochs`, `${y.length} epochs (one per value of ${metric})`, x.length);
      }
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: run.name,
        x,
        y,
        xaxis: axisRef('x', m),
        yaxis: axisRef('y', m),
        legendgroup: run.name,
        showlegend: m === 0,
        line: { color: seriesColor(r), width: 2 },
        marker: { color: seriesColor(r), size: 5 },
        hovertemplate: `${escapeTemplate(run.name)}<br>epoch %{x}<br>${escapeTemplate(metric)} %{y:.4g}<extra></extra>`,
      });
    });
  });
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------------------
// Per-layer curves per epoch

export interface LayerCurvesArgs {
  /**
   * One row per epoch, as a run folder's `metrics.jsonl` holds them: a numeric `epoch` and per-layer columns
   * named `<layer>.<quantity>` (e.g. `conv2.temporalDensity`). A missing or null value is drawn as a gap.
   */
  rows: readonly Readonly<Record<string, unknown>>[];
  /** Quantities to plot, one stacked subplot each, e.g. `['temporalDensity', 'spatialDensity']`. */
  quantities: readonly string[];
  /** Axis titles per quantity. Default: the quantity name. */
  quantityTitles?: Readonly<Record<string, string>>;
  /** Layers (legend order). Default: every `<layer>` with a `<layer>.<quantities[0]>` column in the first row, in column order. */
  layers?: readonly string[];
  title?: string;
  /** Figure height in pixels. Default: as `trainingCurvesFigure` (260 per quantity + 80). */
  height?: number;
}

/**
 * Per-layer values per epoch (e.g. each layer's temporal density while training): one stacked subplot per
 * quantity, one line per layer with the same colour in every subplot. Built with `trainingCurvesFigure`,
 * the layers playing the part of runs. Traces: one per (quantity, layer), quantity-major.
 */
export function layerCurvesFigure(args: LayerCurvesArgs): Figure {
  const { rows, quantities } = args;
  if (!Array.isArray(rows) || rows.length === 0) {
    throw invalidArgument('rows', 'a non-empty array of per-epoch rows', rows);
  }
  if (!Array.isArray(quantities) || quantities.length === 0) {
    throw invalidArgument('quantities', 'at least one quantity name', quantities);
  }
  const epochs = checkFiniteArray('rows[].epoch', rows.map((row) => row.epoch));
  const suffix = `.${quantities[0]}`;
  const layers = args.layers ?? Object.keys(rows[0]).filter((column) => column.endsWith(suffix)).map((column) => column.slice(0, -suffix.length));
  if (layers.length === 0) {
    throw invalidArgument('rows', `per-layer columns named <layer>${suffix}`, Object.keys(rows[0]));
  }
  const runs: TrainingRun[] = layers.map((layer) => ({
    name: layer,
    epochs,
    history: Object.fromEntries(
      quantities.map((quantity) => [
        quantity,
        checkNumberOrGapArray(`rows[].${layer}.${quantity}`, rows.map((row) => row[`${layer}.${quantity}`] ?? null)),
      ]),
    ),
  }));
  return trainingCurvesFigure({
    runs,
    metrics: quantities,
    metricTitles: args.quantityTitles,
    title: args.title,
    height: args.height,
  });
}

/** Plotly hover templates treat `%{` specially; names are user text. */
function escapeTemplate(text: string): string {
  return text.replace(/%/g, '%%');
}

// ---------------------------------------------------------------------------------------------------------
// Per-layer grouped bars

export interface LayerSeries {
  /** Legend name, e.g. a hardware mode `'dense'`, `'spatial'`, `'spatio-temporal'`. */
  name: string;
  /** One value per layer, in the order of `layers`. */
  values: readonly number[];
}

export interface LayerBarsArgs {
  /** Layer names along the x axis. */
  layers: readonly string[];
  series: readonly LayerSeries[];
  /** Y axis title, e.g. `'density'` or `'energy per frame (µJ)'`. */
  yTitle: string;
  title?: string;
  /** Log y axis (energies spanning decades). Default: false. */
  logY?: boolean;
  /** Figure height in pixels. Default: 420. */
  height?: number;
}

/** Grouped bars: one group per layer, one bar (trace) per series. Traces: one per series. */
export function layerBarsFigure(args: LayerBarsArgs): Figure {
  const { layers, series } = args;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw invalidArgument('layers', 'a non-empty array of layer names', layers);
  }
  if (!Array.isArray(series) || series.length === 0) {
    throw invalidArgument('series', 'a non-empty array of { name, values }', series);
  }
  const data: PlotTrace[] = series.map((s, i) => {
    const values = checkFiniteArray(`series[${i}].values`, s.values);
    if (values.length !== layers.length) {
      throw invalidArgument(`series[${i}].values`, `${layers.length} values (one per layer)`, values.length);
    }
    if (args.logY && values.some((v) => v <= 0)) {
      throw invalidArgument(`series[${i}].values`, 'positive values on a log axis (logY: true)', values);
    }
    return {
      type: 'bar',
      name: s.name,
      x: [...layers],
      y: values,
      marker: { color: seriesColor(i) },
      hovertemplate: `${escapeTemplate(s.name)}<br>%{x}: %{y:.4g}<extra></extra>`,
    };
  });
  return {
    data,
    layout: baseLayout(args.title, {
      barmode: 'group',
      height: args.height ?? 420,
      xaxis: { type: 'category', title: { text: 'layer' } },
      yaxis: { title: { text: args.yTitle }, ...(args.logY ? { type: 'log' as const } : { rangemode: 'tozero' as const }) },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Accuracy vs op density, Pareto front

export interface ParetoPoint {
  /** Point label, e.g. `'θ=0.1'`. */
  label: string;
  /** Fraction of dense operations actually executed (lower is better), in [0, 1] usually. */
  opDensity: number;
  /** Accuracy (higher is better). */
  accuracy: number;
}

/**
 * Indices of the points on the Pareto front when minimising `opDensity` and maximising `accuracy`, sorted by
 * increasing op density. A point is on the front when no other point is at least as good in both and strictly
 * better in one. Exact duplicates are all kept.
 */
export function paretoFrontIndices(points: readonly Pick<ParetoPoint, 'opDensity' | 'accuracy'>[]): number[] {
  const front: number[] = [];
  points.forEach((p, i) => {
    const dominated = points.some(
      (q, j) =>
        j !== i &&
        q.opDensity <= p.opDensity &&
        q.accuracy >= p.accuracy &&
        (q.opDensity < p.opDensity || q.accuracy > p.accuracy),
    );
    if (!dominated) front.push(i);
  });
  return front.sort((a, b) => points[a].opDensity - points[b].opDensity || points[b].accuracy - points[a].accuracy);
}

export interface ParetoArgs {
  points: readonly ParetoPoint[];
  title?: string;
  /** Default: `'op density (fraction of dense ops)'`. */
  xTitle?: string;
  /** Default: `'accuracy'`. */
  yTitle?: string;
  /** Log x axis. Default: false. */
  logX?: boolean;
  /** Write each point's label next to it. Default: true when there are at most 20 points. */
  labels?: boolean;
  /** Figure height in pixels. Default: 450. */
  height?: number;
}

/**
 * Accuracy against op density: every point as a marker (trace 0, "all runs") and the Pareto front as a
 * black step line through its points (trace 1, "Pareto front"). Traces: always 2.
 */
export function paretoFigure(args: ParetoArgs): Figure {
  const { points } = args;
  if (!Array.isArray(points) || points.length === 0) {
    throw invalidArgument('points', 'a non-empty array of { label, opDensity, accuracy }', points);
  }
  points.forEach((p, i) => {
    checkFiniteArray(`points[${i}]`, [p.opDensity, p.accuracy]);
    if (args.logX && p.opDensity <= 0) {
      throw invalidArgument(`points[${i}].opDensity`, 'a positive number on a log axis (logX: true)', p.opDensity);
    }
  });
  const front = paretoFrontIndices(points);
  const showLabels = args.labels ?? points.length <= 20;
  const data: PlotTrace[] = [
    {
      type: 'scatter',
      mode: showLabels ? 'markers+text' : 'markers',
      name: 'all runs',
      x: points.map((p) => p.opDensity),
      y: points.map((p) => p.accuracy),
      text: points.map((p) => p.label),
      textposition: 'top center',
      marker: { color: seriesColor(0), size: 9 },
      hovertemplate: '%{text}<br>op density %{x:.4g}<br>accuracy %{y:.4g}<extra></extra>',
    },
    {
      type: 'scatter',
      // Step line: between two front points, the better accuracy is only reached at the higher density.
      mode: 'lines+markers',
      name: 'Pareto front',
      x: front.map((i) => points[i].opDensity),
      y: front.map((i) => points[i].accuracy),
      text: front.map((i) => points[i].label),
      line: { color: '#000000', width: 2, shape: 'hv' },
      marker: { color: '#000000', size: 12, symbol: 'circle-open', line: { color: '#000000', width: 2 } },
      hovertemplate: 'front: %{text}<extra></extra>',
    },
  ];
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 450,
      xaxis: { title: { text: args.xTitle ?? 'op density (fraction of dense ops)' }, ...(args.logX ? { type: 'log' as const } : {}) },
      yaxis: { title: { text: args.yTitle ?? 'accuracy' } },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Activations and deltas over time

export interface UnitTrace {
  /** Legend name, e.g. `'unit 3'`. */
  name: string;
  /** Activation at each time step. */
  activation: readonly number[];
  /** Delta (change transmitted) at each time step; 0 where nothing was sent. Same length as `activation`. */
  delta: readonly number[];
}

export interface ActivationsDeltasArgs {
  units: readonly UnitTrace[];
  /** Time values. Default: 0, 1, ..., T-1 (frame index). */
  time?: readonly number[];
  /** Default: `'frame'`. */
  timeTitle?: string;
  title?: string;
  /** Figure height in pixels. Default: 520. */
  height?: number;
}

/**
 * Two stacked subplots sharing the time axis: activations as lines (top) and deltas as markers on a zero
 * line (bottom: a marker at 0 is a skipped update). A unit has one colour in both subplots.
 * Traces: 2 per unit (activation, then delta), unit-major.
 */
export function activationsDeltasFigure(args: ActivationsDeltasArgs): Figure {
  const { units } = args;
  if (!Array.isArray(units) || units.length === 0) {
    throw invalidArgument('units', 'a non-empty array of { name, activation, delta }', units);
  }
  const data: PlotTrace[] = [];
  units.forEach((unit, u) => {
    const activation = checkFiniteArray(`units[${u}].activation`, unit.activation);
    const delta = checkFiniteArray(`units[${u}].delta`, unit.delta);
    if (delta.length !== activation.length) {
      throw invalidArgument(`units[${u}].delta`, `${activation.length} values (same length as activation)`, delta.length);
    }
    const time = args.time ? checkFiniteArray('time', args.time) : activation.map((_, t) => t);
    if (time.length !== activation.length) {
      throw invalidArgument('time', `${activation.length} values (one per step)`, time.length);
    }
    const color = seriesColor(u);
    data.push({
      type: 'scatter', mode: 'lines', name: unit.name, x: time, y: activation, xaxis: 'x', yaxis: 'y',
      legendgroup: unit.name, line: { color, width: 2 },
      hovertemplate: `${escapeTemplate(unit.name)}<br>t=%{x}<br>activation %{y:.4g}<extra></extra>`,
    });
    data.push({
      type: 'scatter', mode: 'markers', name: `${unit.name} Δ`, x: time, y: delta, xaxis: 'x2', yaxis: 'y2',
      legendgroup: unit.name, showlegend: false,
      marker: { color, size: 7 },
      hovertemplate: `${escapeTemplate(unit.name)}<br>t=%{x}<br>delta %{y:.4g}<extra></extra>`,
    });
  });
  const [top, bottom] = stackedDomains(2, 0.1);
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 520,
      xaxis: { anchor: 'y', showticklabels: false },
      yaxis: { domain: top, anchor: 'x', title: { text: 'activation' } },
      xaxis2: { anchor: 'y2', matches: 'x', title: { text: args.timeTitle ?? 'frame' } },
      yaxis2: { domain: bottom, anchor: 'x2', title: { text: 'delta sent' }, zeroline: true },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Image / heatmap

export interface HeatmapArgs {
  /**
   * The image: rows of values (`values[row][col]`, row 0 drawn at the top), or a flat row-major array with
   * `height` and `width`.
   */
  values: readonly (readonly number[])[] | ArrayLike<number>;
  /** Rows, when `values` is flat. */
  height?: number;
  /** Columns, when `values` is flat. */
  width?: number;
  title?: string;
  /** Plotly colour scale name. Default: `'Greys'` reversed look for frames (`'Viridis'` is a good map choice). */
  colorscale?: string;
  /** Colour range. Default: the data's min and max. */
  zmin?: number;
  zmax?: number;
  /** Colour bar title, e.g. `'|Δ|'`. */
  colorbarTitle?: string;
  /** Figure height in pixels. Default: 420. */
  figureHeight?: number;
}

/**
 * A frame or activation map as a heatmap with square pixels, row 0 at the top (image orientation).
 * Traces: 1.
 */
export function heatmapFigure(args: HeatmapArgs): Figure {
  const rows = toRows(args);
  const figureHeight = args.figureHeight ?? 420;
  const flat = rows.flat();
  const zmin = args.zmin ?? Math.min(...flat);
  const zmax = args.zmax ?? Math.max(...flat);
  return {
    data: [
      {
        type: 'heatmap',
        z: rows,
        colorscale: args.colorscale ?? 'Greys',
        zmin,
        // A constant image still needs a non-empty colour range.
        zmax: zmax > zmin ? zmax : zmin + 1,
        showscale: true,
        ...(args.colorbarTitle !== undefined ? { colorbar: { title: { text: args.colorbarTitle } } } : {}),
        hovertemplate: 'row %{y}, col %{x}: %{z:.4g}<extra></extra>',
      },
    ],
    layout: baseLayout(args.title, {
      height: figureHeight,
      // Square pixels: a width that fits the image's aspect ratio plus the colour bar, so the bar sits
      // next to the image instead of at the far edge of a wide output.
      width: Math.min(1000, Math.max(320, Math.round(((figureHeight - 90) * rows[0].length) / rows.length) + 200)),
      xaxis: { constrain: 'domain', showticklabels: true },
      yaxis: { autorange: 'reversed', scaleanchor: 'x', constrain: 'domain' },
    }),
  };
}

function toRows(args: HeatmapArgs): number[][] {
  const { values } = args;
  if (values == null || typeof values !== 'object' || typeof (values as ArrayLike<unknown>).length !== 'number') {
    throw invalidArgument('values', 'rows of numbers or a flat array with height and width', values);
  }
  const first = (values as ArrayLike<unknown>)[0];
  if (Array.isArray(first) || ArrayBuffer.isView(first)) {
    const rows = Array.from(values as ArrayLike<ArrayLike<number>>, (row, r) => checkFiniteArray(`values[${r}]`, row));
    if (rows.some((row) => row.length !== rows[0].length) || rows[0].length === 0) {
      throw invalidArgument('values', 'non-empty rows of equal length', rows.map((row) => row.length));
    }
    return rows;
  }
  const { height, width } = args;
  if (height === undefined || width === undefined || !Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw invalidArgument('height/width', 'positive integers when values is a flat array', { height, width });
  }
  const flat = checkFiniteArray('values', values);
  if (flat.length !== height * width) {
    throw invalidArgument('values', `height*width = ${height * width} values`, flat.length);
  }
  return Array.from({ length: height }, (_, r) => flat.slice(r * width, (r + 1) * width));
}

// ---------------------------------------------------------------------------------------------------------
// Cost vs temporal density, with cross-over

export interface CostSeries {
  /** Legend name, e.g. `'dense accelerator'`. */
  name: string;
  /** Cost at each temporal density, same length as `temporalDensity`. */
  cost: readonly number[];
}

export interface LineCrossing {
  /** Temporal density where the two series cost the same. */
  x: number;
  /** The cost there. */
  y: number;
  /** Names of the two series that cross. */
  between: [string, string];
}

/**
 * Where `b - a` changes sign along `x` (linear interpolation inside each interval; a point where both are
 * exactly equal counts once). `x` must be increasing.
 */
export function lineCrossings(x: readonly number[], a: readonly number[], b: readonly number[]): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < x.length; i++) {
    const d = b[i] - a[i];
    if (d === 0) {
      if (out.length === 0 || out[out.length - 1].x !== x[i]) out.push({ x: x[i], y: a[i] });
      continue;
    }
    if (i + 1 < x.length) {
      const next = b[i + 1] - a[i + 1];
      if (next !== 0 && Math.sign(next) !== Math.sign(d)) {
        const t = d / (d - next);
        out.push({ x: x[i] + t * (x[i + 1] - x[i]), y: a[i] + t * (a[i + 1] - a[i]) });
      }
    }
  }
  return out;
}

export interface CostCrossoverArgs {
  /** Temporal density values (fraction of changes sent), increasing. */
  temporalDensity: readonly number[];
  series: readonly CostSeries[];
  /** Y axis title, e.g. `'energy per frame (µJ)'`. */
  yTitle: string;
  /** Default: `'temporal density'`. */
  xTitle?: string;
  title?: string;
  /**
   * Cross-overs to mark. Default: computed between series 0 and series 1 (by `lineCrossings`) when there
   * are at least two series. Pass `[]` to mark none.
   */
  crossovers?: readonly LineCrossing[];
  /** Log y axis. Default: false. */
  logY?: boolean;
  /** Figure height in pixels. Default: 450. */
  height?: number;
}

/**
 * Cost against temporal density, one line per series, each cross-over marked by a vertical dotted line,
 * a black diamond and a label. Traces: one per series, plus one ("cross-over") when any is marked.
 */
export function costCrossoverFigure(args: CostCrossoverArgs): Figure {
  const x = checkFiniteArray('temporalDensity', args.temporalDensity);
  if (x.length < 2) throw invalidArgument('temporalDensity', 'at least 2 values', x.length);
  for (let i = 1; i < x.length; i++) {
    if (!(x[i] > x[i - 1])) throw invalidArgument('temporalDensity', 'strictly increasing values', x);
  }
  if (!Array.isArray(args.series) || args.series.length === 0) {
    throw invalidArgument('series', 'a non-empty array of { name, cost }', args.series);
  }
  const costs = args.series.map((s, i) => {
    const cost = checkFiniteArray(`series[${i}].cost`, s.cost);
    if (cost.length !== x.length) {
      throw invalidArgument(`series[${i}].cost`, `${x.length} values (one per temporal density)`, cost.length);
    }
    return cost;
  });
  const crossovers: LineCrossing[] = args.crossovers
    ? [...args.crossovers]
    : args.series.length >= 2
      ? lineCrossings(x, costs[0], costs[1]).map((c) => ({ ...c, between: [args.series[0].name, args.series[1].name] as [string, string] }))
      : [];
  const data: PlotTrace[] = args.series.map((s, i) => ({
    type: 'scatter',
    mode: 'lines',
    name: s.name,
    x,
    y: costs[i],
    line: { color: seriesColor(i), width: 2.5 },
    hovertemplate: `${escapeTemplate(s.name)}<br>temporal density %{x:.3g}<br>cost %{y:.4g}<extra></extra>`,
  }));
  const shapes: PlotShape[] = [];
  const annotations: PlotAnnotation[] = [];
  if (crossovers.length > 0) {
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: 'cross-over',
      x: crossovers.map((c) => c.x),
      y: crossovers.map((c) => c.y),
      text: crossovers.map((c) => `${c.between[0]} = ${c.between[1]}`),
      marker: { color: '#000000', size: 12, symbol: 'diamond' },
      hovertemplate: '%{text}<br>temporal density %{x:.3g}<br>cost %{y:.4g}<extra></extra>',
    });
    for (const c of crossovers) {
      shapes.push({ type: 'line', x0: c.x, x1: c.x, y0: 0, y1: 1, xref: 'x', yref: 'paper', line: { color: '#000000', width: 1, dash: 'dot' } });
      annotations.push({
        text: `cross-over at ${formatNumber(c.x)}`, x: c.x, y: 1, xref: 'x', yref: 'paper',
        showarrow: false, xanchor: 'left', yanchor: 'top', font: { size: 12 },
      });
    }
  }
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 450,
      xaxis: { title: { text: args.xTitle ?? 'temporal density' } },
      yaxis: { title: { text: args.yTitle }, ...(args.logY ? { type: 'log' as const } : { rangemode: 'tozero' as const }) },
      shapes,
      annotations,
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}

/** Up to 3 significant digits, no trailing zeros: 0.25 -> "0.25", 0.123456 -> "0.123". */
function formatNumber(value: number): string {
  return String(Number(value.toPrecision(3)));
}

// ---------------------------------------------------------------------------------------------------------
// Streaming inference time against op density

/** One clip of a streaming benchmark: its op density and milliseconds per frame three ways. */
export interface TimeDensityPoint {
  /** Clip name, e.g. 'static', 'noise'. */
  name: string;
  /** Executed / dense multiply-accumulates (0..1). */
  opDensity: number;
  /** Sparse delta engine, ms per frame. */
  sparseMsPerFrame: number;
  /** Dense inference frame by frame (batch 1), ms per frame. */
  denseMsPerFrame: number;
  /** Dense inference of the whole clip at once, ms per frame. */
  denseClipMsPerFrame: number;
}

export interface TimeVersusDensityArgs {
  points: readonly TimeDensityPoint[];
  title?: string;
  /** Figure height in pixels. Default 450. */
  height?: number;
}

/**
 * Measured ms per frame of the sparse engine against op density (trace 0, one labelled marker per clip),
 * the least-squares line through them (trace 1), the op-density model (trace 2: time proportional to the
 * operations, t(d) = d · t(1) with t(1) the fitted time at density 1, i.e. no fixed cost), and the dense
 * references as horizontal lines at their median over the clips (traces 3 and 4: frame by frame, whole clip).
 * Needs at least two clips of different density. Traces: always 5; x spans [0, 1].
 */
export function timeVersusDensityFigure(args: TimeVersusDensityArgs): Figure {
  const { points } = args;
  if (!Array.isArray(points) || points.length < 2) {
    throw invalidArgument('points', 'at least two { name, opDensity, sparseMsPerFrame, denseMsPerFrame, denseClipMsPerFrame }', points);
  }
  points.forEach((p, i) => checkFiniteArray(`points[${i}]`, [p.opDensity, p.sparseMsPerFrame, p.denseMsPerFrame, p.denseClipMsPerFrame]));
  const fit = leastSquares(points.map((p) => p.opDensity), points.map((p) => p.sparseMsPerFrame));
  const atFull = fit.intercept + fit.slope;
  const middle = (values: number[]): number => {
    const s = [...values].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const dense = middle(points.map((p) => p.denseMsPerFrame));
  const denseClip = middle(points.map((p) => p.denseClipMsPerFrame));
  const data: PlotTrace[] = [
    {
      type: 'scatter',
      mode: 'markers+text',
      name: 'sparse engine (measured)',
      x: points.map((p) => p.opDensity),
      y: points.map((p) => p.sparseMsPerFrame),
      text: points.map((p) => p.name),
      textposition: 'top center',
      marker: { color: seriesColor(0), size: 10 },
      hovertemplate: '%{text}<br>op density %{x:.3g}<br>%{y:.3g} ms/frame<extra></extra>',
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: `least squares: ${formatNumber(fit.intercept)} + ${formatNumber(fit.slope)}·density ms`,
      x: [0, 1],
      y: [fit.intercept, atFull],
      line: { color: seriesColor(0), width: 2, dash: 'dash' },
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: 'op-density model (time ∝ operations)',
      x: [0, 1],
      y: [0, atFull],
      line: { color: seriesColor(2), width: 2, dash: 'dot' },
    },
    { type: 'scatter', mode: 'lines', name: 'dense, frame by frame', x: [0, 1], y: [dense, dense], line: { color: seriesColor(3), width: 2 } },
    { type: 'scatter', mode: 'lines', name: 'dense, whole clip', x: [0, 1], y: [denseClip, denseClip], line: { color: seriesColor(1), width: 2 } },
  ];
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 450,
      xaxis: { title: { text: 'op density (fraction of dense operations)' }, range: [0, 1] },
      yaxis: { title: { text: 'ms per frame' }, rangemode: 'tozero' },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}
