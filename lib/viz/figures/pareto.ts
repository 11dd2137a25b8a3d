/** Accuracy against op density, with the Pareto front. */
import { invalidArgument } from '../../util/errors';
import type { Figure, PlotTrace } from '../types';
import { seriesColor } from '../palette';
import { baseLayout, checkFiniteArray } from './common';

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
