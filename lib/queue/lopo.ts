/**
 * `study --protocol lopo ... --queue URL`: the leave-one-subject-out protocol with each fold × seed run (a
 * baseline and its delta and spatial-L1 refinements) trained by a queue worker, then aggregated and reported by
 * the coordinator exactly as `runLopoStudy` does. Finished runs are kept in an append-only results store,
 * `<runs>/lopo-folds.jsonl` next to the local run folders, keyed by a hash of the fold, the seed and the recipe.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as z from 'zod';
import { ResultsStore } from '../ablation/resultsStore';
import { checkStudyOptions, finishLopoStudy, runLopoFold, studySubjects, type LopoRun, type LopoStudyResult, type StudyDataset, type StudyOptions } from '../study';
import { studyPaths, studyRecipe, studySeeds, studyTrainConfig } from '../study/settings';
import { resolveTrainConfig } from '../train/config';
import { MEASUREMENT_VERSION } from '../train/runFolder';
import { DeltaSparsityError, invalidArgument } from '../util/errors';
import { stableHash } from '../util/stableHash';
import { runQueuedSweep, type FailedPoint } from './coordinator';
import { checkDatasetIdentity, datasetIdentityOf } from './datasetIdentity';
import { lopoFoldPointSchema, lopoFoldResultSchema, type LopoFoldJob, type LopoFoldJobResult, type LopoFoldPoint, type LopoStudySettings } from './payload';
import type { QueueConnection } from './redisUrl';

type FoldResult = LopoFoldJobResult['result'];

/** The study options a job's settings describe, with the data folder at `dataRoot` when given (folder data). */
export function lopoStudyOptions(settings: LopoStudySettings, dataRoot?: string): StudyOptions {
  return {
    protocol: 'lopo',
    fast: settings.fast,
    data: settings.data,
    folderRoot: settings.data === 'folder' ? (dataRoot ?? settings.folderRoot) : undefined,
    subjectPattern: settings.subjectPattern,
    seeds: settings.seeds,
  };
}

/**
 * What a fold × seed run trains with and how it is measured, hashed without the data folder's location (it
 * differs between machines). The measurement version is in it so that fold results stored with an older MAC
 * count are computed again (from the workers' cached run folders when they still have them).
 */
export function lopoRecipeHash(options: StudyOptions, run: { fold: number; seed: number }): string {
  const recipe = studyRecipe({ ...options, protocol: 'lopo' }, run);
  const config = resolveTrainConfig(studyTrainConfig({ ...options, protocol: 'lopo' }, run));
  return stableHash({
    measurement: MEASUREMENT_VERSION,
    config: { ...config, data: { ...config.data, root: undefined, cacheDir: undefined } },
    baselineEpochs: recipe.baselineEpochs,
    refineEpochs: recipe.refineEpochs,
    variantConfigs: recipe.variantConfigs,
  });
}

function lopoDatasetIdentity(options: StudyOptions, fold: number) {
  return datasetIdentityOf(resolveTrainConfig(studyTrainConfig({ ...options, protocol: 'lopo' }, { fold })));
}

/**
 * Runs a fold job on a worker: rebuilds the recipe from the job's settings under its own data root, refuses it
 * when the data or the recipe differ from the coordinator's (another copy, another version of this package),
 * and trains in `<workDir>/lopo`.
 */
export async function runLopoFoldJob(job: LopoFoldJob, workDir: string, dataRoot: string | undefined, progress: StudyOptions['progress']): Promise<LopoFoldJobResult> {
  const startedAt = Date.now();
  const options: StudyOptions = { ...lopoStudyOptions(job.study, dataRoot), out: path.join(workDir, 'lopo'), progress };
  const { fold, seed } = job.point;
  checkDatasetIdentity(job.dataset, lopoDatasetIdentity(options, fold), dataRoot);
  const recipe = lopoRecipeHash(options, { fold, seed });
  if (recipe !== job.point.recipe) {
    throw new DeltaSparsityError(`recipe: expected this worker to train fold ${fold} seed ${seed} as the coordinator planned (recipe ${job.point.recipe}). Received: recipe ${recipe}; run the same delta-sparsity version on coordinator and workers`);
  }
  // No yieldingDataset here: LOPO data are files (folder, Weizmann) read clip by clip with asynchronous I/O, which
  // lets BullMQ's lock-renewal timers run between batches.
  const { run, dataset } = await runLopoFold(options, { fold, seed }, studySubjects(options));
  return { result: JSON.parse(JSON.stringify({ run, dataset })) as FoldResult, seconds: (Date.now() - startedAt) / 1000, worker: os.hostname() };
}

export interface QueuedLopoStudyResult extends LopoStudyResult {
  /** Fold × seed runs that failed on every attempt; when any did, nothing was aggregated or written. */
  failed: FailedPoint<LopoFoldPoint>[];
  enqueued: number;
  /** Fold runs whose jobs had finished before this coordinator started (collected from the queue). */
  collected: number;
}

/** The queued protocol (see the module comment). Throws for options the protocol or the queue cannot take. */
export async function queuedLopoStudy(options: StudyOptions & { connection: QueueConnection; pollMs?: number }): Promise<QueuedLopoStudyResult | { failed: FailedPoint<LopoFoldPoint>[]; enqueued: number; collected: number }> {
  const startedAt = Date.now();
  const lopo: StudyOptions = { ...options, protocol: 'lopo' };
  checkStudyOptions(lopo);
  const data = lopo.data ?? (lopo.folderRoot ? 'folder' : 'weizmann');
  if (data !== 'weizmann' && data !== 'folder') throw invalidArgument('--data', 'weizmann or folder for --protocol lopo --queue', data);
  const seeds = studySeeds(lopo);
  const subjects = studySubjects(lopo);
  const settings: LopoStudySettings = { fast: lopo.fast ?? false, data, folderRoot: lopo.folderRoot && path.resolve(lopo.folderRoot), subjectPattern: lopo.subjectPattern, seeds: lopo.seeds };
  const points: LopoFoldPoint[] = subjects.flatMap((_, fold) => seeds.map((seed) => ({ fold, seed, recipe: lopoRecipeHash(lopo, { fold, seed }) })));
  const store = new ResultsStore<LopoFoldPoint, FoldResult>(path.join(studyPaths(lopo).runs, 'lopo-folds.jsonl'), {
    config: lopoFoldPointSchema as unknown as z.ZodType<LopoFoldPoint>,
    result: lopoFoldResultSchema.shape.result as unknown as z.ZodType<FoldResult>,
  });
  const outcome = await runQueuedSweep<LopoFoldPoint, FoldResult>({
    connection: options.connection,
    points,
    store,
    progress: options.progress,
    pollMs: options.pollMs,
    result: lopoFoldResultSchema,
    payload: (point, key): LopoFoldJob => ({ version: 1, kind: 'lopo-fold', key, point, study: settings, dataset: lopoDatasetIdentity(lopo, point.fold) }),
  });
  if (outcome.failed.length > 0) return { failed: outcome.failed, enqueued: outcome.enqueued, collected: outcome.collected };
  const results = outcome.records.map((record) => record.result);
  const runs = results.map((result) => result.run as unknown as LopoRun).sort((a, b) => a.fold - b.fold || a.seed - b.seed);
  const result = finishLopoStudy(lopo, subjects, runs, results[0].dataset as unknown as StudyDataset, startedAt);
  return { ...result, failed: [], enqueued: outcome.enqueued, collected: outcome.collected };
}
