/**
 * The results of the study's two protocols (fixed split, leave one subject out): what runStudy and
 * runLopoStudy return and the report pages show. Apart from both so that the report needs neither.
 */
import type { ablationRows } from '../ablation/sparsitySweeps';
import type { PublishedResult } from './published';
import type { AggregateDeltaGain, AggregateSummary, DeltaGain, MeanStd, ModelSummary } from './summary';

/** What the study ran on: the dataset, its split, and what was left out. */
export interface StudyDataset {
  name: string;
  /** 'split' (one fixed subject or list split) or 'lopo'. */
  protocol: 'split' | 'lopo';
  /** Which split: e.g. "fixed subjects (test: lyova, moshe, shahar; …)" or "official split 1". */
  split: string;
  /** Subjects held out for testing, for datasets split by subject (folder, Weizmann); else absent. */
  testSubjects?: string[];
  /** Subjects trained on, for datasets split by subject. */
  trainSubjects?: string[];
  classes: string[];
  trainClips: number;
  testClips: number;
  testVideos: number;
  /** Frames per clip T. */
  clipLength: number;
  /** Frame side in pixels. */
  size: number;
  seeds: number[];
  /** Videos that could not be used (listed, never silently dropped). */
  skippedVideos: { video: string; reason: string }[];
}

export interface StudyResult {
  out: string;
  reportHtml: string;
  dataset: StudyDataset;
  /** The models of the first seed (those the ablation, cost and figures use). */
  models: ModelSummary[];
  /** Mean ± std of every model over the seeds (one run each when seeds = 1). */
  aggregate: AggregateSummary[];
  /**
   * The delta model's MACs (delta execution) against the baseline's (zero-skipping): how many times fewer.
   * null when either model is not above chance (see `headlineWithheld`).
   */
  deltaGainOverBaselineZeroSkipping: DeltaGain | null;
  /** Why there is no headline gain, or null. */
  headlineWithheld: string | null;
  /** The headline gain over all seeds: mean ± std of the seeds in which both models are above chance. */
  deltaGainOverSeeds: AggregateDeltaGain;
  published: PublishedResult;
  ablation: ReturnType<typeof ablationRows>;
  hardware: string;
  energyPerFrameMicrojoules: Record<string, { dense: number; zeroSkipping: number; delta: number }>;
  crossoverTemporalDensity: { vsDense: number; vsZeroSkipping: number };
  seconds: number;
}

/** One fold × seed run of the protocol. */
export interface LopoRun {
  /** Fold index, 0-based as `data.fold`, the run folders `fold-N` and `data describe --fold`. */
  fold: number;
  /** The subject held out for testing. */
  testSubject: string;
  seed: number;
  models: ModelSummary[];
}

export interface LopoStudyResult {
  out: string;
  reportHtml: string;
  dataset: StudyDataset & { subjects: string[] };
  runs: LopoRun[];
  /** Mean ± std of each model over all fold × seed runs. */
  aggregate: AggregateSummary[];
  /**
   * The delta model's delta-execution MACs against the baseline's zero-skipping MACs, mean ± std over the
   * runs in which both are above chance; null when there is none.
   */
  deltaGainOverBaselineZeroSkipping: { firstFrameIncluded: MeanStd; steadyState: MeanStd } | null;
  /**
   * Test video accuracy (fractions) of the baseline and the delta model, and baseline − delta, mean ± std over
   * the same runs as `deltaGainOverBaselineZeroSkipping`; null when there is none. The accuracy cost to quote
   * beside that gain (the gap of `aggregate`'s means is over all runs, guessing ones included).
   */
  headlineAccuracy: { baseline: MeanStd; delta: MeanStd; baselineMinusDelta: MeanStd } | null;
  /** Runs left out of the gain, and why. */
  headlineWithheld: string[];
  published: PublishedResult;
  seconds: number;
}
