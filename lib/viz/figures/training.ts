/** Training curves: per-epoch metrics of several runs, per-layer quantities per epoch, and the study's runs on one epoch axis. */
import { invalidArgument } from '../../util/errors';
import type { Figure, PlotAxis, PlotLayout, PlotTrace } from '../types';
import { assignColors } from '../palette';
import { axisKey, axisRef, baseLayout, checkFiniteArray, checkNumberOrGapArray, escapeTemplate, stackedDomains, requireFigureArgs } from './common';

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
  /**
   * Vertical dotted lines across every subplot, e.g. `{ epoch: 24.5, text: 'refinements start' }` between the
   * baseline's last epoch and the first refinement epoch. Default: none.
   */
  epochMarks?: readonly { epoch: number; text: string }[];
}

/**
 * Loss / accuracy / density per epoch for several runs: one stacked subplot per metric with a shared epoch
 * axis; a run has the same colour in every subplot and one legend entry. Traces: one per (metric, run) that
 * has that metric (all null: an empty trace), metric-major.
 */
export function trainingCurvesFigure(args: TrainingCurvesArgs): Figure {
  requireFigureArgs('trainingCurvesFigure', args);
  const { runs } = args;
  if (!Array.isArray(runs) || runs.length === 0) {
    throw invalidArgument('runs', 'a non-empty array of { name, history }', runs);
  }
  const metrics = args.metrics ?? Object.keys(runs[0].history);
  if (metrics.length === 0) throw invalidArgument('metrics', 'at least one metric name', metrics);
  const domains = stackedDomains(metrics.length, 0.08);
  const data: PlotTrace[] = [];
  const height = args.height ?? 260 * metrics.length + 80;
  const top = args.title !== undefined ? 90 : 30;
  const bottom = 110;
  const layout: PlotLayout = baseLayout(args.title, {
    height,
    margin: { l: 70, r: 30, t: top, b: bottom },
    // 65 px under the plot: below the x-axis title whatever the figure's height.
    legend: { orientation: 'h', x: 0, y: -65 / Math.max(1, height - top - bottom), yanchor: 'top' },
  });
  // Whole-number epochs: ticks at every epoch when there are few, so no "epoch 1.5" tick.
  const allEpochs = runs.flatMap((run): number[] => {
    if (run.epochs) return [...run.epochs];
    const longest = Math.max(0, ...Object.keys(run.history).map((metric) => run.history[metric].length));
    return Array.from({ length: longest }, (_, i) => i + 1);
  });
  const wholeEpochs = allEpochs.every((e) => Number.isInteger(e)) && new Set(allEpochs).size <= 15;
  const colors = assignColors(runs.map((run) => run.name));
  const inLegend = new Set<string>();
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
      // Log axes: a tick per decade (Plotly's default labels 2 and 5 between decades read as values).
      ...(args.logMetrics?.includes(metric) ? { type: 'log' as const, dtick: 1 } : {}),
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
      const firstOfRun = !inLegend.has(run.name);
      inLegend.add(run.name);
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name: run.name,
        x,
        y,
        xaxis: axisRef('x', m),
        yaxis: axisRef('y', m),
        legendgroup: run.name,
        showlegend: firstOfRun,
        line: { color: colors[r], width: 2 },
        marker: { color: colors[r], size: 5 },
        hovertemplate: `${escapeTemplate(run.name)}<br>epoch %{x}<br>${escapeTemplate(metric)} %{y:.4g}<extra></extra>`,
      });
    });
  });
  const marks = args.epochMarks ?? [];
  if (marks.length === 0) return { data, layout };
  marks.forEach((mark, i) => checkFiniteArray(`epochMarks[${i}].epoch`, [mark.epoch]));
  layout.shapes = marks.map((mark) => ({
    type: 'line' as const, x0: mark.epoch, x1: mark.epoch, y0: 0, y1: 1, xref: 'x', yref: 'paper', line: { color: '#555555', width: 1, dash: 'dot' as const },
  }));
  layout.annotations = marks.map((mark) => ({
    text: mark.text, x: mark.epoch, y: 1, xref: 'x', yref: 'paper', showarrow: false, xanchor: 'left' as const, yanchor: 'bottom' as const, font: { size: 11, color: '#555555' },
  }));
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
  requireFigureArgs('layerCurvesFigure', args);
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

// ---------------------------------------------------------------------------------------------------------
// The study's runs on one epoch axis

/** One logged epoch of a run: its number (from 1) and any named values (a run folder's metrics rows fit). */
export type EpochRow = { readonly epoch: number; readonly [column: string]: unknown };

export interface StudyCurvesArgs {
  /** Run name -> its logged epochs, e.g. `{ baseline: runs.baseline.metrics, delta: runs.delta.metrics }`. */
  runs: Readonly<Record<string, readonly EpochRow[]>>;
  /**
   * Epochs already done before each run's epoch 1 (its x axis starts after them). Default: for every run
   * but `'baseline'`, the baseline's epoch count, since the study refines from the trained baseline
   * (baseline 1..24, refinements 25..32).
   */
  epochOffsets?: Readonly<Record<string, number>>;
  title?: string;
}

/** Each run's epoch offset on the study axis (see `StudyCurvesArgs.epochOffsets`). */
function studyEpochOffsets(args: StudyCurvesArgs): (name: string) => number {
  const baselineEpochs = args.runs.baseline?.reduce((most, row) => Math.max(most, row.epoch), 0) ?? 0;
  return (name) => args.epochOffsets?.[name] ?? (name === 'baseline' ? 0 : baselineEpochs);
}

function checkRuns(figure: string, args: StudyCurvesArgs): void {
  requireFigureArgs(figure, args, '{ runs, epochOffsets? }');
  const { runs } = args;
  if (runs == null || typeof runs !== 'object' || Array.isArray(runs) || Object.values(runs).some((rows) => !Array.isArray(rows))) {
    throw invalidArgument('runs', 'run name -> metrics rows, e.g. { baseline: runs.baseline.metrics }', runs);
  }
}

/**
 * Training of the study's runs on one epoch axis, refinements continuing the baseline's: training
 * cross-entropy, the sparsity penalty as trained (λ·penalty, log axis; runs without one are left out),
 * test video accuracy (%) and temporal density, each in its own panel. Cross-entropy and penalty are apart
 * because their sum (the training loss) includes λ·penalty and so is not comparable across variants.
 * Reads the rows' `trainCrossEntropy`, `trainPenalty`, `testVideoAccuracy` and `temporalDensity` columns.
 */
export function studyCurvesFigure(args: StudyCurvesArgs): Figure {
  checkRuns('studyCurvesFigure', args);
  const { runs } = args;
  const offsetOf = studyEpochOffsets(args);
  const column = (rows: readonly EpochRow[], key: string, scale = 1, positiveOnly = false) =>
    rows.map((row) => {
      const value = row[key];
      return typeof value === 'number' && Number.isFinite(value) && (!positiveOnly || value > 0) ? value * scale : null;
    });
  const refined = Object.keys(runs).filter((name) => offsetOf(name) > 0);
  const firstRefined = Math.min(...refined.map(offsetOf));
  return trainingCurvesFigure({
    title: args.title ?? 'Training: cross-entropy, sparsity penalty, test accuracy and temporal density per epoch',
    runs: Object.entries(runs).map(([name, metrics]) => ({
      name,
      epochs: metrics.map((row) => row.epoch + offsetOf(name)),
      history: {
        trainCrossEntropy: column(metrics, 'trainCrossEntropy'),
        trainPenalty: column(metrics, 'trainPenalty', 1, true),
        testVideoAccuracy: column(metrics, 'testVideoAccuracy', 100),
        temporalDensity: column(metrics, 'temporalDensity'),
      },
    })),
    metrics: ['trainCrossEntropy', 'trainPenalty', 'testVideoAccuracy', 'temporalDensity'],
    metricTitles: {
      trainCrossEntropy: 'training cross-entropy',
      trainPenalty: 'λ·penalty (training)',
      testVideoAccuracy: 'test video accuracy (%)',
      temporalDensity: 'temporal density',
    },
    logMetrics: ['trainPenalty'],
    height: 4 * 220 + 100,
    ...(refined.length > 0 && Number.isFinite(firstRefined) ? { epochMarks: [{ epoch: firstRefined + 0.5, text: 'refinements start' }] } : {}),
  });
}

/**
 * Mean learned q over the delta layers per epoch (the rows' `meanThreshold`), for the runs that have one, on
 * the study's epoch axis (refinements continue the baseline's, as in `studyCurvesFigure`). Throws a
 * DeltaSparsityError when no run has a `meanThreshold` column.
 */
export function meanThresholdFigure(args: StudyCurvesArgs): Figure {
  checkRuns('meanThresholdFigure', args);
  const { runs } = args;
  const offsetOf = studyEpochOffsets(args);
  const withQ = Object.entries(runs).filter(([, rows]) => rows.some((row) => typeof row.meanThreshold === 'number'));
  if (withQ.length === 0) throw invalidArgument('runs', 'at least one run with a meanThreshold column (a model with delta layers)', Object.keys(runs));
  return trainingCurvesFigure({
    title: args.title ?? 'Mean learned q of the delta layers per epoch',
    runs: withQ.map(([name, rows]) => ({
      name,
      epochs: rows.map((row) => row.epoch + offsetOf(name)),
      history: { meanThreshold: rows.map((row) => (typeof row.meanThreshold === 'number' ? row.meanThreshold : null)) },
    })),
    metrics: ['meanThreshold'],
    metricTitles: { meanThreshold: 'mean q' },
    height: 340,
  });
}
