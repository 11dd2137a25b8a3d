/** Cost against temporal density with its cross-overs, and measured streaming time against MAC density. */
import { invalidArgument } from '../../util/errors';
import { leastSquares } from '../../util/leastSquares';
import type { Figure, PlotAnnotation, PlotShape, PlotTrace } from '../types';
import { MODEL_SYMBOLS, NAMED_COLORS, assignColors } from '../palette';
import { baseLayout, checkFiniteArray, escapeTemplate, formatNumber, requireFigureArgs } from './common';

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

/** A measured point to mark on a cost curve, e.g. a trained model at its own temporal density. */
export interface OperatingPointMark {
  /** Legend name, e.g. `'delta'`: a study model name gets its registry colour and symbol. */
  name: string;
  temporalDensity: number;
  /** Cost there, in the unit of the y axis. */
  cost: number;
  /** More hover text (HTML `<br>` allowed). */
  hover?: string;
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
  /**
   * Measured operating points, one marker trace each (named `<name> (measured)`), drawn after the
   * cross-over trace, so a reader sees which side of a cross-over each model is on. Default: none.
   */
  operatingPoints?: readonly OperatingPointMark[];
  /** A note under the x axis (e.g. how the operating points were measured). Default: none. */
  note?: string;
  /** Log y axis. Default: false. */
  logY?: boolean;
  /** Figure height in pixels. Default: 450. */
  height?: number;
}

/**
 * Cost against temporal density, one line per series, each cross-over marked by a vertical dotted line,
 * a black diamond and a label, then the operating points. Traces: one per series, one ("cross-over") when
 * any is marked, one per operating point.
 */
export function costCrossoverFigure(args: CostCrossoverArgs): Figure {
  requireFigureArgs('costCrossoverFigure', args);
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
  const colors = assignColors(args.series.map((s) => s.name));
  const data: PlotTrace[] = args.series.map((s, i) => ({
    type: 'scatter',
    mode: 'lines',
    name: s.name,
    x,
    y: costs[i],
    line: { color: colors[i], width: 2.5 },
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
        // Near the right end the text goes to the left of its line, so that it stays inside the plot.
        showarrow: false, xanchor: c.x > x[0] + 0.75 * (x[x.length - 1] - x[0]) ? 'right' : 'left', yanchor: 'top', font: { size: 12 },
      });
    }
  }
  if (args.note !== undefined) {
    annotations.push({ text: args.note, x: 0, y: -0.2, xref: 'paper', yref: 'paper', showarrow: false, xanchor: 'left', yanchor: 'top', align: 'left', font: { size: 11, color: '#555555' } });
  }
  const marks = args.operatingPoints ?? [];
  const markColors = assignColors(marks.map((m) => m.name));
  marks.forEach((mark, i) => {
    checkFiniteArray(`operatingPoints[${i}]`, [mark.temporalDensity, mark.cost]);
    const symbol = MODEL_SYMBOLS[mark.name.toLowerCase()] ?? 'circle';
    data.push({
      type: 'scatter',
      mode: 'markers',
      name: `${mark.name} (measured)`,
      x: [mark.temporalDensity],
      y: [mark.cost],
      text: [mark.hover ? `${mark.name}<br>${mark.hover}` : mark.name],
      marker: { color: markColors[i], size: 14, symbol, line: { color: '#000000', width: 1.5 } },
      hovertemplate: '<b>%{text}</b><br>measured temporal density %{x:.3g}<br>cost %{y:.4g}<extra></extra>',
    });
  });
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 450,
      // The measured range only: markers would otherwise pad the axis beyond the last density.
      xaxis: { title: { text: args.xTitle ?? 'temporal density' }, range: [x[0] - 0.01 * (x[x.length - 1] - x[0]), x[x.length - 1] + 0.01 * (x[x.length - 1] - x[0])] },
      yaxis: { title: { text: args.yTitle }, ...(args.logY ? { type: 'log' as const, dtick: 1 } : { rangemode: 'tozero' as const }) },
      shapes,
      annotations,
      ...(args.note !== undefined ? { margin: { l: 70, r: 30, t: args.title !== undefined ? 60 : 30, b: 120 } } : {}),
      // Beside the plot: with operating points there are too many entries for a row above it (it ran into the title).
      legend: { orientation: 'v', x: 1.02, y: 1, xanchor: 'left', yanchor: 'top' },
    }),
  };
}


// ---------------------------------------------------------------------------------------------------------
// Streaming inference time against MAC density

/** One clip of a streaming benchmark: its MAC density and milliseconds per frame three ways. */
export interface TimeDensityPoint {
  /** Clip name, e.g. 'static', 'noise'. */
  name: string;
  /** Executed / dense multiply-accumulates (0..1). */
  macDensity: number;
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
 * Measured ms per frame of the sparse engine against MAC density (trace 0, one labelled marker per clip),
 * the least-squares line through them (trace 1), the MAC-density model (trace 2: time proportional to the
 * MACs, t(d) = d · t(1) with t(1) the fitted time at density 1, i.e. no fixed cost), and the dense
 * references as horizontal lines at their median over the clips (traces 3 and 4: frame by frame, whole clip).
 * Needs at least two clips of different density. Traces: always 5; x spans [0, 1].
 */
export function timeVersusDensityFigure(args: TimeVersusDensityArgs): Figure {
  requireFigureArgs('timeVersusDensityFigure', args);
  const { points } = args;
  if (!Array.isArray(points) || points.length < 2) {
    throw invalidArgument('points', 'at least two { name, macDensity, sparseMsPerFrame, denseMsPerFrame, denseClipMsPerFrame }', points);
  }
  points.forEach((p, i) => checkFiniteArray(`points[${i}]`, [p.macDensity, p.sparseMsPerFrame, p.denseMsPerFrame, p.denseClipMsPerFrame]));
  const fit = leastSquares(points.map((p) => p.macDensity), points.map((p) => p.sparseMsPerFrame));
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
      x: points.map((p) => p.macDensity),
      y: points.map((p) => p.sparseMsPerFrame),
      text: points.map((p) => p.name),
      // Right of the marker: 'top center' cut the label of a point near x = 0 and stacked close points' labels.
      textposition: 'middle right',
      marker: { color: NAMED_COLORS.delta, size: 10 },
      hovertemplate: '%{text}<br>MAC density %{x:.3g}<br>%{y:.3g} ms/frame<extra></extra>',
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: `least squares: ${formatNumber(fit.intercept)} + ${formatNumber(fit.slope)}·density ms`,
      x: [0, 1],
      y: [fit.intercept, atFull],
      line: { color: NAMED_COLORS.delta, width: 2, dash: 'dash' },
    },
    {
      type: 'scatter',
      mode: 'lines',
      name: 'MAC-density model (time ∝ MACs)',
      x: [0, 1],
      y: [0, atFull],
      line: { color: '#999999', width: 2, dash: 'dot' },
    },
    { type: 'scatter', mode: 'lines', name: 'dense, frame by frame', x: [0, 1], y: [dense, dense], line: { color: NAMED_COLORS.dense, width: 2 } },
    { type: 'scatter', mode: 'lines', name: 'dense, whole clip', x: [0, 1], y: [denseClip, denseClip], line: { color: NAMED_COLORS.dense, width: 2, dash: 'dashdot' } },
  ];
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 450,
      xaxis: { title: { text: 'MAC density (fraction of dense MACs)' }, range: [0, 1] },
      yaxis: { title: { text: 'ms per frame' }, rangemode: 'tozero' },
      // Beside the plot: five entries wrapped to three rows above it and ran into the title.
      legend: { orientation: 'v', x: 1.02, y: 1, xanchor: 'left', yanchor: 'top' },
    }),
  };
}
