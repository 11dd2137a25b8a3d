/**
 * The study over every leave-one-subject-out fold (protocol 'lopo'): for each fold and seed, the recipe
 * (baseline, delta and spatial-L1 refinements) in its own run folders, so an interrupted protocol resumes where
 * it stopped; then each model's accuracy, densities and MACs as mean ± std over all fold × seed runs.
 * The threshold ablation and the hardware cost belong to the fixed-split study (`runStudy`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundledWeizmannRoot, folderSubjects, WEIZMANN_SUBJECT_PATTERN } from '../data';
import { resolveTrainConfig } from '../train/config';
import { testVideoLabels } from '../train/evaluate';
import { trainRecipe } from '../train/recipe';
import { toCsv } from '../util/csv';
import { DeltaSparsityError, invalidArgument } from '../util/errors';
import { writeFileAtomic } from '../util/files';
import { createProgress } from '../util/progress';
import { checkStudyOptionKeys, checkStudyOptions } from './checkOptions';
import { publishedDeltaResult } from './published';
import { writeLopoHtml } from './report';
import { describeStudyDataset, modelRow } from './runStudy';
import { studyData, studyPaths, studyRecipe, studySeeds, studyTrainConfig, type StudyOptions } from './settings';
import { aggregateDeltaGain, aggregateSummaries, summarizeRun } from './summary';
import type { LopoRun, LopoStudyResult, StudyDataset } from './types';

/** The subjects of the study's dataset, in fold order (fold i holds out subject i); reads file names only. */
export function studySubjects(options: StudyOptions): string[] {
  const data = resolveTrainConfig(studyTrainConfig(options, { fold: 0 })).data;
  const root = data.root ?? (data.source === 'weizmann' ? bundledWeizmannRoot() : undefined);
  const pattern = data.subjectPattern ?? (data.source === 'weizmann' ? WEIZMANN_SUBJECT_PATTERN : undefined);
  if (root === undefined || pattern === undefined) {
    throw new DeltaSparsityError(`protocol "lopo": expected a folder dataset with a subject pattern. Received: data.source=${data.source}`);
  }
  const { subjects } = folderSubjects(root, pattern);
  if (subjects.length < 2) {
    throw new DeltaSparsityError(`protocol "lopo": expected at least 2 subjects in ${root}. Received: ${JSON.stringify(subjects)}`);
  }
  return subjects;
}

/**
 * One fold × seed run of the protocol: the recipe in its own run folders under the study's `out` (reused when
 * finished), summarized. Used by `runLopoStudy` and by queue workers (lib/queue).
 */
export async function runLopoFold(options: StudyOptions, run: { fold: number; seed: number }, subjects: string[]): Promise<{ run: LopoRun; dataset: StudyDataset; reused: boolean }> {
  const lopo: StudyOptions = { ...options, protocol: 'lopo' };
  const recipe = await trainRecipe(studyRecipe(lopo, run));
  // Every model's epochs were already done when this call started: the run folders were reused, not trained.
  const reused = Object.values(recipe.runs).every((trained) => trained.resumedFromEpoch >= trained.config.epochs);
  // Chance is the best constant predictor's accuracy on this fold's test videos (1/classes when balanced).
  const chanceOf = { testVideoLabels: await testVideoLabels(recipe.dataset) };
  const models = Object.entries(recipe.runs).map(([name, trained]) => summarizeRun(name, trained, chanceOf));
  for (const trained of Object.values(recipe.runs)) trained.model.dispose();
  return {
    run: { fold: run.fold, testSubject: subjects[run.fold], seed: run.seed, models },
    dataset: describeStudyDataset(recipe.dataset, 'lopo', studySeeds(lopo), models[0].testVideos),
    reused,
  };
}

/** Runs the leave-one-subject-out protocol (see the module comment). */
export async function runLopoStudy(rawOptions: StudyOptions): Promise<LopoStudyResult> {
  const startedAt = Date.now();
  const options = checkStudyOptionKeys('runLopoStudy', rawOptions);
  const lopo: StudyOptions = { ...options, protocol: 'lopo' };
  if (options.protocol !== undefined && options.protocol !== 'lopo') throw invalidArgument('protocol', '"lopo" for runLopoStudy', options.protocol);
  checkStudyOptions(lopo);
  const seeds = studySeeds(lopo);
  fs.mkdirSync(studyPaths(lopo).out, { recursive: true });
  const subjects = studySubjects(lopo);
  const runs: LopoRun[] = [];
  let dataset: StudyDataset | undefined;
  const progress = createProgress({ label: 'lopo folds', total: subjects.length * seeds.length, unit: 'runs', mode: options.progress ?? 'auto' });
  let reused = 0;
  for (let fold = 0; fold < subjects.length; fold++) {
    for (const seed of seeds) {
      // Each fold × seed run has its own folders: rerunning the protocol reuses every finished run.
      const finished = await runLopoFold(lopo, { fold, seed }, subjects);
      dataset ??= finished.dataset;
      runs.push(finished.run);
      if (finished.reused) reused += 1;
      const baseline = finished.run.models.find((m) => m.name === 'baseline');
      // One line per finished fold × seed run, between the epoch bars of the runs.
      progress.update(runs.length, `fold ${fold} (${subjects[fold]}) seed ${seed}: baseline ${(100 * (baseline?.testVideoAccuracy ?? Number.NaN)).toFixed(0)}%`, reused);
    }
  }
  progress.stop();
  return finishLopoStudy(lopo, subjects, runs, dataset as StudyDataset, startedAt);
}

/**
 * The LOPO headline from every fold × seed run: the delta model's MAC gain over the baseline's zero-skipping
 * MACs and both models' test video accuracy, mean ± std over the same runs, those in which both models are
 * above chance (a gain of a model that guesses is no result); and the runs left out, with the reason. The
 * accuracy gap is computed here, over those runs, so that it cannot be confused with the gap of the means
 * over all runs (`aggregate`).
 */
export function lopoHeadline(runs: readonly LopoRun[]): Pick<LopoStudyResult, 'deltaGainOverBaselineZeroSkipping' | 'headlineAccuracy' | 'headlineWithheld'> {
  const headline = aggregateDeltaGain(runs.map((run) => ({ label: `fold ${run.fold} (${run.testSubject}) seed ${run.seed}`, models: run.models })));
  return { deltaGainOverBaselineZeroSkipping: headline.gain, headlineAccuracy: headline.accuracy, headlineWithheld: headline.withheld };
}

function withoutFoldSubjects(dataset: StudyDataset): StudyDataset {
  const { testSubjects: _test, trainSubjects: _train, ...rest } = dataset;
  return rest;
}

/**
 * Aggregates every fold × seed run (in fold, then seed order) and writes summary.json, folds.csv and the report
 * into the study's `out` folder.
 */
export function finishLopoStudy(options: StudyOptions, subjects: string[], runs: LopoRun[], dataset: StudyDataset, startedAt: number): LopoStudyResult {
  const lopo: StudyOptions = { ...options, protocol: 'lopo' };
  const seeds = studySeeds(lopo);
  const paths = studyPaths(lopo);
  fs.mkdirSync(paths.out, { recursive: true });
  const headline = lopoHeadline(runs);
  const result: LopoStudyResult = {
    out: paths.out,
    reportHtml: path.join(paths.out, 'report.html'),
    // trainClips and testClips are those of one fold; testVideos counts every subject's videos once. The first
    // fold's test and train subjects would describe that fold only: every subject is in `subjects`, tested once.
    dataset: { ...withoutFoldSubjects(dataset as StudyDataset), split: `leave one subject out: ${subjects.length} folds (fold i tests subject i, 0-based)`, testVideos: runs.reduce((a, r) => a + r.models[0].testVideos, 0) / seeds.length, subjects },
    runs,
    aggregate: aggregateSummaries(runs.map((r) => r.models)),
    ...headline,
    published: publishedDeltaResult(),
    seconds: (Date.now() - startedAt) / 1000,
  };
  writeFileAtomic(path.join(paths.out, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileAtomic(
    path.join(paths.out, 'folds.csv'),
    toCsv(runs.flatMap((run) => run.models.map((m) => ({ fold: run.fold, testSubject: run.testSubject, seed: run.seed, ...modelRow(m) })))),
  );
  writeLopoHtml(result.reportHtml, result);
  return result;
}
