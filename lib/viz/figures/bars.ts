/** Per-layer grouped bars (densities, energies), and the per-layer density of several models. */
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

/** One layer's measured densities (a `SparsityMeasurement`'s `layers` rows fit). */
export interface LayerDensityRow {
  name: string;
  /** Fraction of non-zero activations entering the layer, in [0, 1]. */
  spatialDensity: number;
  /** Fraction of non-zero changes entering the layer (steady state), in [0, 1]. */
  temporalDensity: number;
}

export interface LayerDensityArgs {
  /** Model name -> its per-layer densities, e.g. `{ baseline: runs.baseline.sparsity, delta: runs.delta.sparsity }`. */
  measurements: Readonly<Record<string, { readonly layers: readonly LayerDensityRow[] }>>;
  /** `'spatialDensity'` (non-zero activations) or `'temporalDensity'` (non-zero changes). */
  which: 'spatialDensity' | 'temporalDensity';
}

/**
 * Per-layer density of each model, one bar series per model over the first model's layers (a layer a model
 * lacks is drawn as 0). Throws a DeltaSparsityError for no models or an unknown `which`.
 */
export function layerDensityFigure(args: LayerDensityArgs): Figure {
  requireFigureArgs('layerDensityFigure', args, '{ measurements, which }');
  const { measurements, which } = args;
  const names = measurements != null && typeof measurements === 'object' ? Object.keys(measurements) : [];
  if (names.length === 0 || names.some((name) => !Array.isArray(measurements[name]?.layers))) {
    throw invalidArgument('measurements', 'model name -> { layers: [{ name, spatialDensity, temporalDensity }] } (e.g. run.sparsity)', measurements);
  }
  if (which !== 'spatialDensity' && which !== 'temporalDensity') throw invalidArgument('which', "'spatialDensity' or 'temporalDensity'", which);
  const layers = measurements[names[0]].layers.map((layer) => layer.name);
  return layerBarsFigure({
    title: which === 'temporalDensity' ? 'Temporal density of each layer\'s input (fraction of non-zero changes)' : 'Spatial density of each layer\'s input (fraction of non-zero activations)',
    layers,
    yTitle: which === 'temporalDensity' ? 'temporal density' : 'spatial density',
    series: names.map((name) => ({ name, values: layers.map((layerName) => measurements[name].layers.find((l) => l.name === layerName)?.[which] ?? 0) })),
  });
}
