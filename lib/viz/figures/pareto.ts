/** Accuracy against MAC density (or MACs per frame), coloured by kind of point, with the Pareto front; the study's sweep-and-models version. */
import { invalidArgument } from '../../util/errors';
import type { Figure, PlotAnnotation, PlotTrace } from '../types';
import { MODEL_SYMBOLS, assignColors } from '../palette';
import { baseLayout, checkFiniteArray, escapeTemplate, requireFigureArgs } from './common';

export interface ParetoPoint {
  /** Point label, e.g. `'θ=0.1'`. */
  label: string;
  /** The cost on the x axis (lower is better): a fraction of dense MACs, or MACs per frame. */
  macDensity: number;
  /** Accuracy (higher is better), in the unit of the y axis (fraction or %). */
  accuracy: number;
  /**
   * What the point is, one legend entry and colour per kind (`lib/viz/palette.ts`), e.g. `'fixed-q sweep'`,
   * `'trained-λ sweep'`, or a study model `'baseline'` / `'delta'` / `'spatial-l1'` (drawn with its own
   * marker symbol). Default: `'all runs'`.
   */
  kind?: string;
  /** More hover text for this point (HTML `<br>` allowed), e.g. `'λ=0.01, 6 epochs'`. */
  hover?: string;
}

/**
 * Indices of the points on the Pareto front when minimising `macDensity` and maximising `accuracy`, sorted by
 * increasing MAC density. A point is on the front when no other point is at least as good in both and strictly
 * better in one. Exact duplicates are all kept.
 */
export function paretoFrontIndices(points: readonly Pick<ParetoPoint, 'macDensity' | 'accuracy'>[]): number[] {
  const front: number[] = [];
  points.forEach((p, i) => {
    const dominated = points.some(
      (q, j) =>
        j !== i &&
        q.macDensity <= p.macDensity &&
        q.accuracy >= p.accuracy &&
        (q.macDensity < p.macDensity || q.accuracy > p.accuracy),
    );
    if (!dominated) front.push(i);
  });
  return front.sort((a, b) => points[a].macDensity - points[b].macDensity || points[b].accuracy - points[a].accuracy);
}

export interface ParetoArgs {
  points: readonly ParetoPoint[];
  title?: string;
  /** Default: `'MAC density (fraction of dense MACs)'`. Say whether the first frame of a clip is counted. */
  xTitle?: string;
  /** Default: `'accuracy'`. */
  yTitle?: string;
  /** Log x axis. Default: false. */
  logX?: boolean;
  /** Write every point's label next to it (overprints when points crowd). Default: false: labels show on hover. */
  labels?: boolean;
  /**
   * Labels of at most 4 points to annotate with an arrow, placed so that the texts do not overlap.
   * Default: the points whose kind is a study model (`'baseline'`, `'delta'`, `'spatial-l1'`).
   */
  annotate?: readonly string[];
  /** Figure height in pixels. Default: 450. */
  height?: number;
}

const MAX_ANNOTATIONS = 4;

/**
 * Accuracy against cost: one marker trace per kind of point (in order of first appearance; hover shows the
 * label), then the Pareto front as a black step line through its points (last trace, "Pareto front"), and
 * a few arrow annotations (`annotate`). Traces: kinds + 1 (2 when no point has a kind).
 */
export function paretoFigure(args: ParetoArgs): Figure {
  requireFigureArgs('paretoFigure', args);
  const { points } = args;
  if (!Array.isArray(points) || points.length === 0) {
    throw invalidArgument('points', 'a non-empty array of { label, macDensity, accuracy }', points);
  }
  points.forEach((p, i) => {
    checkFiniteArray(`points[${i}]`, [p.macDensity, p.accuracy]);
    if (args.logX && p.macDensity <= 0) {
      throw invalidArgument(`points[${i}].macDensity`, 'a positive number on a log axis (logX: true)', p.macDensity);
    }
  });
  const xTitle = args.xTitle ?? 'MAC density (fraction of dense MACs)';
  const yTitle = args.yTitle ?? 'accuracy';
  const kinds = [...new Set(points.map((p) => p.kind ?? 'all runs'))];
  const colors = assignColors(kinds);
  const hover = `<b>%{text}</b><br>${escapeTemplate(xTitle)}: %{x:.4g}<br>${escapeTemplate(yTitle)}: %{y:.4g}`;
  const data: PlotTrace[] = kinds.map((kind, k) => {
    const members = points.filter((p) => (p.kind ?? 'all runs') === kind);
    const symbol = MODEL_SYMBOLS[kind.toLowerCase()];
    return {
      type: 'scatter',
      mode: args.labels ? 'markers+text' : 'markers',
      name: kind,
      x: members.map((p) => p.macDensity),
      y: members.map((p) => p.accuracy),
      text: members.map((p) => (p.hover ? `${p.label}<br>${p.hover}` : p.label)),
      ...(args.labels ? { textposition: 'top center' as const } : {}),
      marker: { color: colors[k], size: symbol ? 13 : 9, ...(symbol ? { symbol, line: { color: '#000000', width: 1 } } : {}) },
      hovertemplate: `${hover}<extra>${escapeTemplate(kind)}</extra>`,
    };
  });
  const front = paretoFrontIndices(points);
  data.push({
    type: 'scatter',
    // Step line: between two front points, the better accuracy is only reached at the higher cost.
    mode: 'lines+markers',
    name: 'Pareto front',
    x: front.map((i) => points[i].macDensity),
    y: front.map((i) => points[i].accuracy),
    text: front.map((i) => points[i].label),
    line: { color: '#000000', width: 2, shape: 'hv' },
    marker: { color: '#000000', size: 16, symbol: 'circle-open', line: { color: '#000000', width: 1.5 } },
    hovertemplate: 'on the front: %{text}<extra></extra>',
  });
  return {
    data,
    layout: baseLayout(args.title, {
      height: args.height ?? 450,
      xaxis: { title: { text: xTitle }, ...(args.logX ? { type: 'log' as const, dtick: 1 } : {}) },
      yaxis: { title: { text: yTitle } },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
      annotations: paretoAnnotations(points, args),
    }),
  };
}

/**
 * Arrow annotations for the chosen points. Texts sit 45 px above or below their point, alternating in
 * order of x, and points that are close on the plot (within a tenth of both axis spans) push their texts
 * apart sideways, so that neighbouring labels never share a spot.
 */
function paretoAnnotations(points: readonly ParetoPoint[], args: ParetoArgs): PlotAnnotation[] {
  const wanted = args.annotate ?? points.filter((p) => p.kind !== undefined && MODEL_SYMBOLS[p.kind.toLowerCase()] !== undefined).map((p) => p.label);
  if (wanted.length > MAX_ANNOTATIONS) {
    throw invalidArgument('annotate', `at most ${MAX_ANNOTATIONS} labels (the rest show on hover)`, wanted.length);
  }
  const chosen = wanted.map((label, i) => {
    const point = points.find((p) => p.label === label);
    if (!point) throw invalidArgument(`annotate[${i}]`, 'the label of one of the points', label);
    return point;
  });
  const span = (values: number[]) => Math.max(...values) - Math.min(...values) || 1;
  const toX = (v: number) => (args.logX ? Math.log10(v) : v);
  const xSpan = span(points.map((p) => toX(p.macDensity)));
  const ySpan = span(points.map((p) => p.accuracy));
  const sorted = [...chosen].sort((a, b) => a.macDensity - b.macDensity);
  return sorted.map((point, i) => {
    const previous = sorted[i - 1];
    const close =
      previous !== undefined &&
      Math.abs(toX(point.macDensity) - toX(previous.macDensity)) < xSpan / 10 &&
      Math.abs(point.accuracy - previous.accuracy) < ySpan / 10;
    return {
      text: point.label,
      x: args.logX ? Math.log10(point.macDensity) : point.macDensity,
      y: point.accuracy,
      xref: 'x',
      yref: 'y',
      showarrow: true,
      arrowhead: 2,
      ax: close ? 60 : i % 2 === 0 ? -30 : 30,
      ay: i % 2 === 0 ? -45 : 45,
      font: { size: 12 },
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// The study's Pareto plot: sweep points beside the trained models

/** One point of a threshold / λ sweep (an ablation store's records fit). */
export interface ParetoSweepRecord {
  config: {
    /** `'fixed-threshold'` (q set at evaluation) or `'trained'` (a refinement trained from q₀ with λ). */
    mode: string;
    variant: string;
    /** q (fixed) or q₀ (initial, trained). */
    threshold: number;
    /** λ. */
    sparsityWeight: number;
  };
  result: {
    testClipAccuracy: number;
    testVideoAccuracy: number;
    temporalDensity: number | null;
    /** Delta MACs per frame, first frame of each clip excluded; null when not measured (left out). */
    deltaMacsPerFrame: number | null;
    meanThreshold: number | null;
  };
}

/** What the Pareto plot needs of a trained study model: `summarizeRun`'s result fits. */
export interface ParetoModel {
  /** Fractions in [0, 1]. */
  testVideoAccuracy: number;
  testClipAccuracy: number;
  /** MACs per frame: dense, delta in steady state, delta with each clip's first frame whole. */
  macsPerFrame: { dense: number; steadyState: number; firstFrameIncluded: number };
}

/** `'fixed-q sweep'` or `'trained-λ sweep'`: the legend kind of a sweep record. */
export function ablationKind(record: ParetoSweepRecord): string {
  return record.config.mode === 'trained' ? 'trained-λ sweep' : 'fixed-q sweep';
}

export interface StudyParetoArgs {
  /** Sweep points, e.g. `[...fixedSweep.records, ...trainedSweep.records]`. */
  records: readonly ParetoSweepRecord[];
  /** Trained models by name (`'baseline'`, `'delta'`, `'spatial-l1'`), e.g. `summarizeRun(name, run)` of each. */
  models: Readonly<Record<string, ParetoModel>>;
  /** Default: `'Accuracy against delta MACs per frame'`. */
  title?: string;
}

/**
 * Test accuracy (%) against delta MACs per frame (millions, first frame of each clip excluded: the steady
 * state that the ablation store records), coloured by kind: fixed-q sweep, trained-λ sweep and the study
 * models (annotated). Accuracy is test VIDEO accuracy when every point has it, else test clip accuracy for
 * all (the y-axis title says which). Records without `deltaMacsPerFrame` are left out. Throws a
 * DeltaSparsityError when a model lacks `macsPerFrame` (pass `summarizeRun(name, run)`).
 */
export function studyParetoFigure(args: StudyParetoArgs): Figure {
  requireFigureArgs('studyParetoFigure', args, '{ records, models? }');
  const { records, models } = args;
  if (!Array.isArray(records)) throw invalidArgument('records', 'an array of sweep records (e.g. sweep.records)', records);
  if (models == null || typeof models !== 'object' || Array.isArray(models)) {
    throw invalidArgument('models', 'model name -> run summary (summarizeRun(name, run))', models);
  }
  for (const [name, model] of Object.entries(models)) {
    if (model == null || typeof model !== 'object' || !model.macsPerFrame || !Number.isFinite(model.macsPerFrame.steadyState)) {
      throw invalidArgument(`models.${name}`, 'a run summary with macsPerFrame.steadyState and test accuracies (summarizeRun(name, run))', model);
    }
  }
  const usable = records.filter((record) => record.result.deltaMacsPerFrame !== null && Number.isFinite(record.result.deltaMacsPerFrame));
  const video = usable.every((r) => Number.isFinite(r.result.testVideoAccuracy)) && Object.values(models).every((m) => Number.isFinite(m.testVideoAccuracy));
  const accuracyOf = (result: { testVideoAccuracy: number; testClipAccuracy: number }) => 100 * (video ? result.testVideoAccuracy : result.testClipAccuracy);
  const points: ParetoPoint[] = [
    ...usable.map((record) => ({
      label: record.config.mode === 'trained' ? `${record.config.variant} λ=${record.config.sparsityWeight} (q₀=${record.config.threshold})` : `q=${record.config.threshold}`,
      kind: ablationKind(record),
      macDensity: (record.result.deltaMacsPerFrame as number) / 1e6,
      accuracy: accuracyOf(record.result),
      hover: `temporal density ${formatShort(record.result.temporalDensity)}, mean q ${formatShort(record.result.meanThreshold)}`,
    })),
    ...Object.entries(models).map(([name, model]) => ({
      label: name,
      kind: name,
      macDensity: model.macsPerFrame.steadyState / 1e6,
      accuracy: accuracyOf(model),
      hover: `dense: ${formatShort(model.macsPerFrame.dense / 1e6)} M MACs/frame`,
    })),
  ];
  return paretoFigure({
    title: args.title ?? 'Accuracy against delta MACs per frame',
    points,
    xTitle: 'delta MACs per frame, steady state (M)',
    yTitle: video ? 'test video accuracy (%)' : 'test clip accuracy (%)',
  });
}

function formatShort(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : String(Number(value.toPrecision(3)));
}
