/**
 * The main job: on the embedded synthetic set (or a UCF101 subset), train a baseline, refine it into a delta
 * model and a spatial-L1 model, measure per-layer sparsity, sweep fixed thresholds, estimate hardware cost,
 * and write a report folder (CSV, JSON, and an HTML page with the figures). Everything is cached in run
 * folders and the results store, so a rerun finishes in seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixedThresholdSweep, ablationRows, type AblationRecord } from '../ablation/thresholdAblation';
import { crossoverTemporalDensity, estimateCost, costToRows } from '../hardware';
import { toWorkloads, type SparsityMeasurement } from '../sparsity';
import { trainRecipe } from '../train/recipe';
import type { EpochMetrics } from '../train/runFolder';
import { toCsv } from '../util/csv';
import { writeFileAtomic } from '../util/files';
import { studyCurvesFigure, layerDensityFigure, studyParetoFigure, layerEnergyFigure, crossoverFigure } from './figures';
import { writeStudyHtml } from './report';
import { studyPaths, studyRecipe, studyThresholds, type StudyOptions } from './settings';
import { checkStudyOptions } from './checkOptions';

/** One trained model's headline numbers. */
export interface ModelSummary {
  model: string;
  epochs: number;
  testClipAccuracy: number;
  testVideoAccuracy: number;
  /** Fraction of non-zero activations entering the linear layers (all layers' inputs pooled). */
  spatialDensity: number;
  /** Fraction of non-zero changes entering the linear layers. */
  temporalDensity: number;
  denseMacsPerFrame: number;
  zeroSkippingMacsPerFrame: number;
  deltaMacsPerFrame: number;
  /** deltaMacs / denseMacs: the fraction of the dense work a delta accelerator does. */
  deltaOpDensity: number;
  /** zeroSkippingMacs / denseMacs. */
  zeroSkippingOpDensity: number;
}

export interface StudyResult {
  out: string;
  reportHtml: string;
  dataset: { name: string; classes: string[]; trainClips: number; testClips: number; clipLength: number; size: number };
  models: ModelSummary[];
  /** Delta model's ops gain over the baseline's zero-skipping ops (the paper's "sparsity gain"). */
  deltaGainOverBaselineZeroSkipping: number;
  ablation: ReturnType<typeof ablationRows>;
  hardware: string;
  energyPerFrameMicrojoules: Record<string, { dense: number; zeroSkipping: number; delta: number }>;
  crossoverTemporalDensity: { vsDense: number; vsZeroSkipping: number };
  seconds: number;
}

/** The headline numbers of one trained run: last epoch's accuracy and the measured densities and op counts. */
export function summarizeRun(model: string, run: { metrics: EpochMetrics[]; sparsity: SparsityMeasurement }): ModelSummary {
  const { metrics, sparsity } = run;
  const last = metrics[metrics.length - 1] ?? ({} as EpochMetrics);
  const { overall } = sparsity;
  return {
    model,
    epochs: metrics.length,
    testClipAccuracy: last.testClipAccuracy as number,
    testVideoAccuracy: last.testVideoAccuracy as number,
    spatialDensity: overall.spatialDensity,
    temporalDensity: overall.temporalDensity,
    denseMacsPerFrame: overall.denseOpsPerFrame,
    zeroSkippingMacsPerFrame: overall.spatialOpsPerFrame,
    deltaMacsPerFrame: overall.deltaOpsPerFrame,
    deltaOpDensity: overall.deltaOpsPerFrame / overall.denseOpsPerFrame,
    zeroSkippingOpDensity: overall.spatialOpsPerFrame / overall.denseOpsPerFrame,
  };
}

/** Runs the main job (see the module comment) and returns its headline numbers. */
export async function runStudy(options: StudyOptions = {}): Promise<StudyResult> {
  const startedAt = Date.now();
  checkStudyOptions(options);
  const paths = studyPaths(options);
  const hardware = options.hardware ?? 'eyeriss-v2-like';
  fs.mkdirSync(paths.out, { recursive: true });

  const { runs, dataset } = await trainRecipe(studyRecipe(options));
  const measurements: Record<string, SparsityMeasurement> = {};
  const histories: Record<string, EpochMetrics[]> = {};
  const models: ModelSummary[] = [];
  for (const [name, run] of Object.entries(runs)) {
    measurements[name] = run.sparsity;
    histories[name] = run.metrics;
    models.push(summarizeRun(name, run));
    run.model.dispose();
  }

  const sweep = await fixedThresholdSweep({
    sourceRunDir: path.join(paths.runs, 'delta'),
    thresholds: studyThresholds(options),
    storeFile: paths.ablationStore,
    dataset,
    progress: options.progress,
  });
  const records: AblationRecord[] = sweep.records;

  const energy: StudyResult['energyPerFrameMicrojoules'] = {};
  const costs = Object.fromEntries(
    Object.entries(measurements).map(([name, measurement]) => {
      const cost = estimateCost(toWorkloads(measurement), hardware);
      energy[name] = {
        dense: cost.totals.dense.energyPj.total / 1e6,
        zeroSkipping: cost.totals.spatial.energyPj.total / 1e6,
        delta: cost.totals.delta.energyPj.total / 1e6,
      };
      return [name, cost];
    }),
  );
  const deltaWorkloads = toWorkloads(measurements.delta);
  const crossover = crossoverTemporalDensity(deltaWorkloads, hardware).overall;

  const baseline = models.find((m) => m.model === 'baseline') as ModelSummary;
  const delta = models.find((m) => m.model === 'delta') as ModelSummary;
  const result: StudyResult = {
    out: paths.out,
    reportHtml: path.join(paths.out, 'report.html'),
    dataset: {
      name: dataset.name,
      classes: dataset.classNames,
      trainClips: dataset.trainClipCount,
      testClips: dataset.testClipCount,
      clipLength: dataset.clipLength,
      size: dataset.height,
    },
    models,
    deltaGainOverBaselineZeroSkipping: baseline.zeroSkippingMacsPerFrame / delta.deltaMacsPerFrame,
    ablation: ablationRows(records),
    hardware,
    energyPerFrameMicrojoules: energy,
    crossoverTemporalDensity: { vsDense: crossover.vsDense, vsZeroSkipping: crossover.vsSpatial },
    seconds: (Date.now() - startedAt) / 1000,
  };

  const layerRows = Object.entries(measurements).flatMap(([model, measurement]) =>
    measurement.layers.map((layer) => ({ model, ...layer })),
  );
  writeFileAtomic(path.join(paths.out, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileAtomic(path.join(paths.out, 'models.csv'), toCsv(models as unknown as Record<string, unknown>[]));
  writeFileAtomic(path.join(paths.out, 'layers.csv'), toCsv(layerRows));
  writeFileAtomic(path.join(paths.out, 'ablation.csv'), toCsv(result.ablation));
  writeFileAtomic(
    path.join(paths.out, 'cost.csv'),
    toCsv(Object.entries(costs).flatMap(([model, cost]) => costToRows(cost).map((row) => ({ model, ...row })))),
  );
  writeStudyHtml(result.reportHtml, {
    result,
    layerRows,
    figures: {
      curves: studyCurvesFigure(histories),
      spatial: layerDensityFigure(measurements, 'spatialDensity'),
      temporal: layerDensityFigure(measurements, 'temporalDensity'),
      pareto: studyParetoFigure(records, Object.fromEntries(models.map((m) => [m.model, { accuracy: m.testClipAccuracy, deltaOpFraction: m.deltaOpDensity }]))),
      energy: layerEnergyFigure(costs.delta),
      crossover: crossoverFigure(deltaWorkloads, hardware),
    },
  });
  return result;
}
