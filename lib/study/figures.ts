/** The study's figures, built from plain results (shared by the HTML report and the notebooks). */
import type { AblationRecord } from '../ablation/sparsitySweeps';
import { COST_MODES, energyVersusTemporalDensity, loadHardware, operatingPoint, type CostResult, type HardwareSpec, type LayerWorkload } from '../hardware';
import type { SparsityMeasurement } from '../sparsity';
import type { EpochMetrics } from '../train/runFolder';
import { invalidArgument } from '../util/errors';
import {
  costCrossoverFigure,
  layerBarsFigure,
  paretoFigure,
  trainingCurvesFigure,
  type Figure,
  type ParetoPoint,
} from '../viz';

export interface StudyCurvesOptions {
  /**
   * Epochs already done before each run's epoch 1 (its x axis starts after them). Default: for every run
   * but `'baseline'`, the baseline's epoch count, since the study refines from the trained baseline
   * (baseline 1..24, refinements 25..32).
   */
  epochOffsets?: Record<string, number>;
  title?: string;
}

/**
 * Training of the study's runs on one epoch axis, refinements continuing the baseline's: training
 * cross-entropy, the sparsity penalty as trained (λ·penalty, log axis; runs without one are left out),
 * test video accuracy (%) and temporal density, each in its own panel. Cross-entropy and penalty are apart
 * because their sum (the training loss) includes λ·penalty and so is not comparable across variants.
 */
export function studyCurvesFigure(runs: Record<string, EpochMetrics[]>, options: StudyCurvesOptions = {}): Figure {
  const baselineEpochs = runs.baseline?.reduce((most, row) => Math.max(most, row.epoch), 0) ?? 0;
  const offsetOf = (name: string) => options.epochOffsets?.[name] ?? (name === 'baseline' ? 0 : baselineEpochs);
  const column = (rows: EpochMetrics[], key: string, scale = 1, positiveOnly = false) =>
    rows.map((row) => {
      const value = row[key];
      return typeof value === 'number' && Number.isFinite(value) && (!positiveOnly || value > 0) ? value * scale : null;
    });
  const refined = Object.keys(runs).filter((name) => offsetOf(name) > 0);
  const firstRefined = Math.min(...refined.map(offsetOf));
  return trainingCurvesFigure({
    title: options.title ?? 'Training: cross-entropy, sparsity penalty, test accuracy and temporal density per epoch',
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
 * Mean learned q over the delta layers per epoch (the metrics rows' `meanThreshold`), for the runs that have
 * one, on the study's epoch axis (refinements continue the baseline's, as in `studyCurvesFigure`).
 */
export function meanThresholdFigure(runs: Record<string, EpochMetrics[]>, options: StudyCurvesOptions = {}): Figure {
  const baselineEpochs = runs.baseline?.reduce((most, row) => Math.max(most, row.epoch), 0) ?? 0;
  const offsetOf = (name: string) => options.epochOffsets?.[name] ?? (name === 'baseline' ? 0 : baselineEpochs);
  const withQ = Object.entries(runs).filter(([, rows]) => rows.some((row) => typeof row.meanThreshold === 'number'));
  if (withQ.length === 0) throw invalidArgument('runs', 'at least one run with a meanThreshold column (a model with delta layers)', Object.keys(runs));
  return trainingCurvesFigure({
    title: options.title ?? 'Mean learned q of the delta layers per epoch',
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

/** Per-layer density of each run: `which` selects spatial (non-zero activations) or temporal (non-zero changes). */
export function layerDensityFigure(measurements: Record<string, SparsityMeasurement>, which: 'spatialDensity' | 'temporalDensity'): Figure {
  const names = Object.keys(measurements);
  const layers = measurements[names[0]].layers.map((layer) => layer.name);
  return layerBarsFigure({
    title: which === 'temporalDensity' ? 'Temporal density of each layer\'s input (fraction of non-zero changes)' : 'Spatial density of each layer\'s input (fraction of non-zero activations)',
    layers,
    yTitle: which === 'temporalDensity' ? 'temporal density' : 'spatial density',
    series: names.map((name) => ({ name, values: layers.map((layerName) => measurements[name].layers.find((l) => l.name === layerName)?.[which] ?? 0) })),
  });
}

/** What the Pareto plot needs of a trained study model: `summarizeRun`'s result fits. */
export interface ParetoModel {
  testVideoAccuracy: number;
  testClipAccuracy: number;
  macsPerFrame: { dense: number; steadyState: number; firstFrameIncluded: number };
}

/** `'fixed-q sweep'` or `'trained-λ sweep'`: the legend kind of an ablation record. */
export function ablationKind(record: AblationRecord): string {
  return record.config.mode === 'trained' ? 'trained-λ sweep' : 'fixed-q sweep';
}

/**
 * Test accuracy (%) against delta MACs per frame (millions, first frame of each clip excluded: the steady
 * state that the ablation store records), coloured by kind: fixed-q sweep, trained-λ sweep and the study
 * models (`models`, by name: `'baseline'`, `'delta'`, `'spatial-l1'`, annotated). Accuracy is test VIDEO
 * accuracy when every point has it, else test clip accuracy for all (the y-axis title says which).
 * Throws a DeltaSparsityError when a model lacks `macsPerFrame` (pass `summarizeRun(name, run)`).
 */
export function studyParetoFigure(records: AblationRecord[], models: Record<string, ParetoModel>): Figure {
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
    title: 'Accuracy against delta MACs per frame',
    points,
    xTitle: 'delta MACs per frame, first frame excluded (M)',
    yTitle: video ? 'test video accuracy (%)' : 'test clip accuracy (%)',
  });
}

function formatShort(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : String(Number(value.toPrecision(3)));
}

/** Energy per frame of each layer in each execution mode (µJ); a log axis when they span more than 100×. */
export function layerEnergyFigure(cost: CostResult): Figure {
  const series = COST_MODES.map((mode) => ({
    name: mode,
    values: cost.layers.map((layer) => layer.modes[mode].energyPj.total / 1e6),
  }));
  const all = series.flatMap((s) => s.values);
  // Layers often differ by orders of magnitude (the widest conv dominates): a log axis keeps the small ones visible.
  const logY = all.every((v) => v > 0) && Math.max(...all) / Math.min(...all) > 100;
  return layerBarsFigure({
    title: `Energy per frame by layer and execution mode (${cost.hardware.name})`,
    layers: cost.layers.map((layer) => layer.name),
    yTitle: `energy per frame (µJ${logY ? ', log scale' : ''})`,
    series,
    logY,
  });
}

export interface CrossoverFigureOptions {
  /** Grid points over [0, 1] (the exact cross-overs are added). Default 21. */
  points?: number;
  /**
   * Trained models to mark at their measured operating point (`operatingPoint`: overall temporal density,
   * delta-execution energy with their own per-layer densities), by name, e.g. `{ baseline, delta, 'spatial-l1' }`
   * workloads. Default: none.
   */
  models?: Record<string, LayerWorkload[]>;
}

/**
 * Whole-network energy per frame (µJ) against a temporal density applied to every layer of `workloads`
 * (`energyVersusTemporalDensity`), with the exact cross-overs marked (delta vs dense, delta vs zero-skipping)
 * and, with `options.models`, each trained model's measured operating point on the delta line's side.
 * The third argument may be the number of grid points (as before).
 */
export function crossoverFigure(workloads: LayerWorkload[], hardware: string | HardwareSpec, options: number | CrossoverFigureOptions = {}): Figure {
  const opts: CrossoverFigureOptions = typeof options === 'number' ? { points: options } : options;
  const spec = typeof hardware === 'string' ? loadHardware(hardware) : hardware;
  const curve = energyVersusTemporalDensity(workloads, spec, { points: opts.points ?? 21 });
  return costCrossoverFigure({
    title: `Energy per frame vs. temporal density (${spec.name})`,
    temporalDensity: curve.temporalDensity,
    xTitle: 'temporal density (fraction of changes sent, every layer)',
    yTitle: 'energy per frame (µJ)',
    series: (['dense', 'delta', 'zero-skipping'] as const).map((mode) => ({ name: mode, cost: curve.energyUj[mode] })),
    crossovers: curve.crossovers.map((c) => ({ x: c.temporalDensity, y: c.energyUj, between: c.between })),
    ...(opts.models ? { note: 'Lines: the delta model with the same temporal density in every layer.<br>Markers: each trained model in delta execution, with its own measured per-layer densities (so it may sit off the line).', height: 480 } : {}),
    operatingPoints: Object.entries(opts.models ?? {}).map(([name, modelWorkloads]) => {
      const point = operatingPoint(modelWorkloads, spec);
      return {
        name,
        temporalDensity: point.temporalDensity,
        cost: point.energyUj.delta,
        hover: COST_MODES.map((mode) => `${mode}: ${point.energyUj[mode].toPrecision(3)} µJ/frame`).join('<br>'),
      };
    }),
  });
}
