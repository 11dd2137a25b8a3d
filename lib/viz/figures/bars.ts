/** Per-layer grouped bars (densities, energies). */
import { invalidArgument } from '../../util/errors';
import type { Figure, PlotTrace } from '../types';
import { assignColors } from '../palette';
import { baseLayout, checkFiniteArray, escapeTemplate, requireFigureArgs } from './common';

export interface LayerSeries {
  /** Legend name, e.g. a hardware mode `'dense'`, `'zero-skipping'`, `'delta'`. */
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
  requireFigureArgs('layerBarsFigure', args);
  const { layers, series } = args;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw invalidArgument('layers', 'a non-empty array of layer names', layers);
  }
  if (!Array.isArray(series) || series.length === 0) {
    throw invalidArgument('series', 'a non-empty array of { name, values }', series);
  }
  const colors = assignColors(series.map((s) => s.name));
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
      marker: { color: colors[i] },
      hovertemplate: `${escapeTemplate(s.name)}<br>%{x}: %{y:.4g}<extra></extra>`,
    };
  });
  return {
    data,
    layout: baseLayout(args.title, {
      barmode: 'group',
      height: args.height ?? 420,
      xaxis: { type: 'category', title: { text: 'layer' } },
      yaxis: { title: { text: args.yTitle }, ...(args.logY ? { type: 'log' as const, dtick: 1 } : { rangemode: 'tozero' as const }) },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
    }),
  };
}
