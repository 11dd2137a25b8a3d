/** The threshold q of the delta layers: a histogram over channels per layer. */
import { invalidArgument } from '../../util/errors';
import type { Figure, PlotAnnotation, PlotLayout, PlotShape, PlotTrace } from '../types';
import { NAMED_COLORS } from '../palette';
import { axisKey, axisRef, checkFiniteArray, formatNumber, requireFigureArgs } from './common';

/** Counts of `values` in `bins` equal bins over [min, max] (the last bin closed). A constant input is one bin of width 0. */
export function histogramBins(values: readonly number[], bins: number): { left: number[]; right: number[]; count: number[] } {
  if (!Number.isInteger(bins) || bins < 1) throw invalidArgument('bins', 'a positive integer', bins);
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (!(high > low)) return { left: [low], right: [high], count: [values.length] };
  const width = (high - low) / bins;
  const count = new Array<number>(bins).fill(0);
  // Bins are closed on the left; the 1e-9 keeps a value on an edge (0.15 in [0.1, 0.2] / 4) out of the bin
  // below, where rounding of (v − low) / width would put it.
  for (const v of values) count[Math.min(bins - 1, Math.floor((v - low) / width + 1e-9))] += 1;
  return {
    left: count.map((_, i) => low + i * width),
    right: count.map((_, i) => (i === bins - 1 ? high : low + (i + 1) * width)),
    count,
  };
}

export interface ThresholdHistogramArgs {
  /** One entry per delta layer: the layer name and its q per channel. */
  layers: readonly { layer: string; values: readonly number[] }[];
  /** Bins per layer. Default 10. */
  bins?: number;
  /** The initial q of training, drawn as a dotted line in every panel. Default: none. */
  initial?: number;
  /** Default: 'Learned q per channel of each delta layer', with the initial q when given. */
  title?: string;
  /** Panels per row. Default 3. */
  columns?: number;
}

/**
 * One histogram per delta layer, in rows of `columns` panels: channels (y) per bin of learned q (x), with the
 * layer's mean q written above its panel. Layers with a single q (per-layer threshold) show one bar.
 * Traces: one bar trace per layer.
 */
export function thresholdHistogramFigure(args: ThresholdHistogramArgs): Figure {
  requireFigureArgs('thresholdHistogramFigure', args);
  const { layers } = args;
  if (!Array.isArray(layers) || layers.length === 0) throw invalidArgument('layers', 'a non-empty array of { layer, values }', layers);
  const bins = args.bins ?? 10;
  const columns = Math.min(args.columns ?? 3, layers.length);
  if (!Number.isInteger(columns) || columns < 1) throw invalidArgument('columns', 'a positive integer', args.columns);
  const rowCount = Math.ceil(layers.length / columns);
  const panelHeight = 200;
  const rowGap = 90; // px: x-axis title of one row, then the panel titles of the next
  const top = 90;
  const plotHeight = rowCount * panelHeight + (rowCount - 1) * rowGap;
  const gap = 0.06;
  const width = (1 - gap * (columns - 1)) / columns;
  const title = args.title ?? `Learned q per channel of each delta layer${args.initial !== undefined ? ` (dotted line: initial q = ${formatNumber(args.initial)})` : ''}`;
  const layout: PlotLayout = {
    title: { text: title },
    height: plotHeight + top + 60,
    margin: { l: 60, r: 20, t: top, b: 60 },
    showlegend: false,
    bargap: 0.05,
    hovermode: 'closest',
  };
  const annotations: PlotAnnotation[] = [];
  const shapes: PlotShape[] = [];
  const data: PlotTrace[] = layers.map((entry, i) => {
    const values = checkFiniteArray(`layers[${i}].values`, entry.values);
    if (values.length === 0) throw invalidArgument(`layers[${i}].values`, 'at least one q', values);
    const histogram = histogramBins(values, bins);
    const column = i % columns;
    const row = Math.floor(i / columns);
    const domain: [number, number] = [column * (width + gap), column * (width + gap) + width];
    const yTop = 1 - (row * (panelHeight + rowGap)) / plotHeight;
    layout[axisKey('x', i)] = { domain, anchor: axisRef('y', i), title: { text: 'q' } };
    layout[axisKey('y', i)] = {
      domain: [Math.max(0, yTop - panelHeight / plotHeight), yTop], anchor: axisRef('x', i), rangemode: 'tozero',
      ...(column === 0 ? { title: { text: 'channels' } } : {}),
    };
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    annotations.push({
      text: `${entry.layer}: mean q ${formatNumber(mean)}, ${values.length} channel${values.length === 1 ? '' : 's'}`, x: (domain[0] + domain[1]) / 2, y: yTop, xref: 'paper', yref: 'paper',
      showarrow: false, xanchor: 'center', yanchor: 'bottom', font: { size: 12 },
    });
    if (args.initial !== undefined) {
      shapes.push({ type: 'line', x0: args.initial, x1: args.initial, y0: 0, y1: 1, xref: axisRef('x', i), yref: `${axisRef('y', i)} domain`, line: { color: '#555555', width: 1, dash: 'dot' } });
    }
    return {
      type: 'bar',
      name: entry.layer,
      x: histogram.left.map((left, b) => (left + histogram.right[b]) / 2),
      y: histogram.count,
      width: histogram.left.map((left, b) => Math.max(histogram.right[b] - left, 1e-3 * Math.max(Math.abs(left), 1e-3))),
      customdata: histogram.left.map((left, b) => `${formatNumber(left)}–${formatNumber(histogram.right[b])}`),
      xaxis: axisRef('x', i),
      yaxis: axisRef('y', i),
      marker: { color: NAMED_COLORS.delta },
      hovertemplate: `${entry.layer}<br>q %{customdata}: %{y} channels<extra></extra>`,
    };
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  return { data, layout };
}
