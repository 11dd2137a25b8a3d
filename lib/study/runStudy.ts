/**
 * The main job: on the embedded synthetic set (or a UCF101 subset), train a baseline, refine it into a delta
 * model and a spatial-L1 model, measure per-layer sparsity, sweep fixed thresholds, estimate hardware cost,
 * and write a report folder (CSV, JSON, and an HTML page with the figures). Everything is cached in run
 * folders and the results store, so a rerun finishes in seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixedThresholdSweep, ablationRows, type AblationRecord } from '../ablation/sparsitySweeps';
import { crossoverTemporalDensity, energyVersusTemporalDensity, estimateCost, costToRows, operatingPoint } from '../hardware';
import { toWorkloads, type SparsityMeasurement } from '../sparsity';
import { testVideoLabels } from '../train/evaluate';
import { trainRecipe } from '../train/recipe';
import type { EpochMetrics } from '../train/runFolder';
import { toCsv } from '../util/csv';
import { crossoverFigure, layerDensityFigure, layerEnergyFigure, studyCurvesFigure, studyParetoFigure } from '../viz';
import { writeFileAtomic } from '../util/files';
import { writeStudyHtml } from './report';
import { studyData, studyPaths, studyRecipe, studySeeds, studyThresholds, type StudyOptions } from './settings';
import { aggregateDeltaGain, aggregateSummaries, deltaGain, summarizeRun, type ModelSummary } from './summary';
import { publishedDeltaResult } from './published';
import type { StudyDataset, StudyResult } from './types';
import type { VideoDataset } from '../data/types';
import { invalidArgument } from '../util/errors';
import { checkStudyOptionKeys, checkStudyOptions } from './checkOptions';

/** The dataset's split and skipped videos, from what it says of itself. */
export function describeStudyDataset(dataset: VideoDataset, protocol: 'split' | 'lopo', seeds: number[], testVideos: number): StudyDataset {
  const description = dataset.describe();
  const split = typeof description.split === 'string' ? description.split : typeof description.split === 'number' ? `official split ${description.split}` : 'the set\'s fixed train/test parts';
  const subjects = (dataset as { split?: { testSubjects?: unknown; trainSubjects?: unknown } }).split;
  const skipped = (dataset as { skippedVideos?: { video?: string; file?: string; id?: string; reason?: string }[] }).skippedVideos ?? [];
  return {
    name: dataset.name,
    protocol,
    split,
    classes: dataset.classNames,
    trainClips: dataset.trainClipCount,
    testClips: dataset.testClipCount,
    testVideos,
    clipLength: dataset.clipLength,
    size: dataset.height,
    seeds,
    ...(subjects && Array.isArray(subjects.testSubjects) ? { testSubjects: subjects.testSubjects.map(String) } : {}),
    ...(subjects && Array.isArray(subjects.trainSubjects) ? { trainSubjects: subjects.trainSubjects.map(String) } : {}),
    skippedVideos: skipped.map((v) => ({ video: String(v.video ?? v.file ?? v.id ?? '?'), reason: String(v.reason ?? 'unknown') })),
  };
}

/** A flat row of a model summary for CSV files. */
export function modelRow(m: ModelSummary): Record<string, unknown> {
  return {
    name: m.name,
    epochs: m.epochs,
    testClipAccuracy: m.testClipAccuracy,
    testVideoAccuracy: m.testVideoAccuracy,
    testVideos: m.testVideos,
    aboveChance: m.aboveChance,
    chanceAccuracy: m.chance.chanceAccuracy,
    chancePValue: m.chance.pValue,
    spatialDensity: m.spatialDensity,
    temporalDensity: m.temporalDensity,
    framesPerClip: m.framesPerClip,
    measuredClips: m.measuredClips,
    denseMacsPerFrame: m.macsPerFrame.dense,
    zeroSkippingMacsPerFrame: m.macsPerFrame.zeroSkipping,
    deltaMacsPerFrameFirstIncluded: m.macsPerFrame.firstFrameIncluded,
    deltaMacsPerFrame: m.macsPerFrame.steadyState,
  };
}

/** Runs the main job (see the module comment) and returns its headline numbers. */
export async function runStudy(rawOptions?: StudyOptions): Promise<StudyResult> {
  const startedAt = Date.now();
  const options = checkStudyOptionKeys('runStudy', rawOptions);
  if ((options.protocol ?? 'split') !== 'split') {
    throw invalidArgument('protocol', '"split" for runStudy (runLopoStudy runs "lopo")', options.protocol);
  }
  checkStudyOptions(options);
  const paths = studyPaths(options);
  const hardware = options.hardware ?? 'eyeriss-v2-like';
  const seeds = studySeeds(options);
  fs.mkdirSync(paths.out, { recursive: true });

  // The first seed's run feeds the ablation, cost and figures; further seeds only their summaries.
  const { runs, dataset } = await trainRecipe(studyRecipe(options, { seed: seeds[0] }));
  const measurements: Record<string, SparsityMeasurement> = {};
  const histories: Record<string, EpochMetrics[]> = {};
  const models: ModelSummary[] = [];
  // Chance is the best constant predictor's accuracy on these test videos (1/classes when balanced).
  const chanceOf = { testVideoLabels: await testVideoLabels(dataset) };
  for (const [name, run] of Object.entries(runs)) {
    measurements[name] = run.sparsity;
    histories[name] = run.metrics;
    models.push(summarizeRun(name, run, chanceOf));
    run.model.dispose();
  }
  const perSeed: ModelSummary[][] = [models];
  for (const seed of seeds.slice(1)) {
    const more = await trainRecipe({ ...studyRecipe(options, { seed }), dataset });
    perSeed.push(Object.entries(more.runs).map(([name, run]) => summarizeRun(name, run, chanceOf)));
    for (const run of Object.values(more.runs)) run.model.dispose();
  }

  const sweep = await fixedThresholdSweep({
    sourceRunDir: path.join(studyRecipe(options, { seed: seeds[0] }).root, 'delta'),
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
        zeroSkipping: cost.totals['zero-skipping'].energyPj.total / 1e6,
        delta: cost.totals.delta.energyPj.total / 1e6,
      };
      return [name, cost];
    }),
  );
  const deltaWorkloads = toWorkloads(measurements.delta);
  const crossover = crossoverTemporalDensity(deltaWorkloads, hardware).overall;

  const baseline = models.find((m) => m.name === 'baseline') as ModelSummary;
  const delta = models.find((m) => m.name === 'delta') as ModelSummary;
  const headline = deltaGain(baseline, delta);
  const result: StudyResult = {
    out: paths.out,
    reportHtml: path.join(paths.out, 'report.html'),
    dataset: describeStudyDataset(dataset, 'split', seeds, baseline.testVideos),
    models,
    aggregate: aggregateSummaries(perSeed),
    deltaGainOverBaselineZeroSkipping: headline.gain,
    deltaGainOverSeeds: aggregateDeltaGain(perSeed.map((models, i) => ({ label: `seed ${seeds[i]}`, models }))),
    headlineWithheld: headline.withheld,
    published: publishedDeltaResult(),
    ablation: ablationRows(records),
    hardware,
    energyPerFrameMicrojoules: energy,
    crossoverTemporalDensity: { vsDense: crossover.vsDense, vsZeroSkipping: crossover.vsZeroSkipping },
    seconds: (Date.now() - startedAt) / 1000,
  };

  const layerRows = Object.entries(measurements).flatMap(([model, measurement]) =>
    measurement.layers.map((layer) => ({ model, ...layer })),
  );
  writeFileAtomic(path.join(paths.out, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileAtomic(path.join(paths.out, 'models.csv'), toCsv(models.map(modelRow)));
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
      curves: studyCurvesFigure({ runs: histories }),
      spatial: layerDensityFigure({ measurements, which: 'spatialDensity' }),
      temporal: layerDensityFigure({ measurements, which: 'temporalDensity' }),
      pareto: studyParetoFigure({ records, models: Object.fromEntries(models.map((m) => [m.name, m])) }),
      energy: layerEnergyFigure({ cost: costs.delta }),
      crossover: crossoverFigure({
        curve: energyVersusTemporalDensity(deltaWorkloads, hardware, { points: 21 }),
        operatingPoints: Object.fromEntries(Object.entries(measurements).map(([name, m]) => [name, operatingPoint(toWorkloads(m), hardware)])),
      }),
    },
  });
  return result;
}
