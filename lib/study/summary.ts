/**
 * One trained model's headline numbers, and their mean ± std over seeds or folds. Accuracy comes with the
 * number of test videos behind it and a chance verdict; MAC counts come both per frame of a whole clip
 * (each clip's first frame sent whole) and in steady state (changes only), with the clip length they assume.
 */
import type { SparsityMeasurement } from '../sparsity';
import { testAgainstChance, type ChanceTestSet, type ChanceVerdict } from '../train/chance';
import { invalidArgument } from '../util/errors';
import type { EpochMetrics } from '../train/runFolder';

/** MACs per frame of one model under each execution mode. */
export interface MacsPerFrame {
  /** Every activation multiplied. */
  dense: number;
  /** Zero activations skipped (a sparse accelerator). */
  zeroSkipping: number;
  /** Delta execution over clips of `framesPerClip` frames, each clip's first frame processed whole. */
  firstFrameIncluded: number;
  /** Delta execution once a stream runs: the T−1 changes of each clip only. */
  steadyState: number;
}

/** One trained model's headline numbers. */
export interface ModelSummary {
  /** 'baseline', 'delta' or 'spatial-l1'. */
  name: string;
  epochs: number;
  /** Accuracy over test clips (each window of T frames on its own): the per-window metric the paper reports. */
  testClipAccuracy: number;
  /** Accuracy over test videos (predictions averaged over each video's test windows). */
  testVideoAccuracy: number;
  /** Test videos behind `testVideoAccuracy`. */
  testVideos: number;
  /**
   * Whether `testVideoAccuracy` is above chance (one-sided binomial test at 5% against the best constant
   * predictor's accuracy when the test videos' labels are known, else 1/classes; see `testAgainstChance`).
   */
  aboveChance: boolean;
  chance: ChanceVerdict;
  /** Fraction of non-zero activations entering the linear layers (all layers' inputs pooled). */
  spatialDensity: number;
  /** Fraction of non-zero changes entering the linear layers (steady state). */
  temporalDensity: number;
  /** Frames per clip T the first-frame-included counts assume. */
  framesPerClip: number;
  /** Clips the densities and MACs were measured on (stratified by class). */
  measuredClips: number;
  macsPerFrame: MacsPerFrame;
  /** macsPerFrame.firstFrameIncluded / macsPerFrame.dense: the fraction of the dense MACs delta execution does. */
  deltaMacDensityFirstIncluded: number;
  /** macsPerFrame.zeroSkipping / macsPerFrame.dense. */
  zeroSkippingMacDensity: number;
}

/**
 * The headline numbers of one trained run: its last epoch's accuracy and the sparsity measured after it.
 * `chanceOf` is what the chance verdict is against: the test videos' labels (`{ testVideoLabels }`, from
 * `testVideoLabels(dataset)`: chance is the best constant predictor's accuracy, right for unbalanced test
 * sets too), or a class count (chance 1/classes; default: the run's logged class count).
 */
export function summarizeRun(name: string, run: { metrics: EpochMetrics[]; sparsity: SparsityMeasurement }, chanceOf?: number | ChanceTestSet): ModelSummary {
  const { metrics, sparsity } = run;
  const last = metrics[metrics.length - 1] ?? ({} as EpochMetrics);
  const { overall } = sparsity;
  const testVideos = Number(last.testVideos ?? 0);
  const against = chanceOf ?? Number(last.classes ?? 0);
  // Labels that do not match the run's test videos are a bug: testAgainstChance says so rather than guessing.
  const usable = typeof against === 'number' ? against >= 2 : true;
  const testVideoAccuracy = Number(last.testVideoAccuracy ?? Number.NaN);
  const chance =
    testVideos > 0 && usable && Number.isFinite(testVideoAccuracy)
      ? testAgainstChance(testVideoAccuracy, testVideos, against)
      : { testVideos, correct: 0, chanceAccuracy: typeof against === 'number' && against > 0 ? 1 / against : Number.NaN, pValue: 1, minCorrect: testVideos + 1, aboveChance: false };
  return {
    name,
    epochs: metrics.length,
    testClipAccuracy: Number(last.testClipAccuracy ?? Number.NaN),
    testVideoAccuracy,
    testVideos,
    aboveChance: chance.aboveChance,
    chance,
    spatialDensity: overall.spatialDensity,
    temporalDensity: overall.temporalDensity,
    framesPerClip: sparsity.framesPerClip,
    measuredClips: sparsity.clips,
    macsPerFrame: {
      dense: overall.denseMacsPerFrame,
      zeroSkipping: overall.zeroSkippingMacsPerFrame,
      firstFrameIncluded: overall.deltaMacsPerFrameFirstIncluded,
      steadyState: overall.deltaMacsPerFrame,
    },
    deltaMacDensityFirstIncluded: overall.deltaMacsPerFrameFirstIncluded / overall.denseMacsPerFrame,
    zeroSkippingMacDensity: overall.zeroSkippingMacsPerFrame / overall.denseMacsPerFrame,
  };
}

/** How many times fewer MACs the delta model runs with delta execution than the baseline with zero-skipping. */
export interface DeltaGain {
  firstFrameIncluded: number;
  steadyState: number;
}

/**
 * The headline gain, or null with the reason when it cannot be claimed: a gain of a model that guesses is
 * no result, so both the baseline and the delta model must be above chance.
 */
export function deltaGain(baseline: ModelSummary, delta: ModelSummary): { gain: DeltaGain | null; withheld: string | null } {
  const guessing = [baseline, delta]
    .filter((m) => !m.aboveChance)
    .map((m) => {
      // With too few test videos not even a perfect score beats guessing at 5%: say so rather than blame the model.
      const hopeless = m.chance.minCorrect > m.testVideos ? `; ${m.testVideos} test videos are too few for any accuracy to beat chance` : '';
      return `${m.name} (${(100 * m.testVideoAccuracy).toFixed(1)}% of ${m.testVideos} test videos, chance ${(100 * m.chance.chanceAccuracy).toFixed(1)}%${hopeless})`;
    });
  if (guessing.length > 0) return { gain: null, withheld: `not above chance: ${guessing.join(', ')}` };
  return {
    gain: {
      firstFrameIncluded: baseline.macsPerFrame.zeroSkipping / delta.macsPerFrame.firstFrameIncluded,
      steadyState: baseline.macsPerFrame.zeroSkipping / delta.macsPerFrame.steadyState,
    },
    withheld: null,
  };
}

/** The headline gain's mean ± std over several runs, both models' accuracy over the same runs, and the runs left out. */
export interface AggregateDeltaGain {
  /** Over the runs in which both models are above chance; null when there is none. */
  gain: { firstFrameIncluded: MeanStd; steadyState: MeanStd } | null;
  /**
   * Test video accuracy of both models and their difference, over the same runs as `gain` (so that the gap
   * quoted beside the gain is not the gap of the means over all runs); null when there is none.
   */
  accuracy: { baseline: MeanStd; delta: MeanStd; baselineMinusDelta: MeanStd } | null;
  /** Each run left out: `<label>: <why>`. */
  withheld: string[];
}

/**
 * `deltaGain` over several runs (seeds of a split, or fold × seed runs): mean ± std over the runs in which both
 * the baseline and the delta model are above chance (a gain of a model that guesses is no result), naming every
 * run left out by its `label` (e.g. "seed 2"). Throws DeltaSparsityError (argument `runs`) for a run without a
 * baseline and a delta model.
 */
export function aggregateDeltaGain(runs: readonly { label: string; models: readonly ModelSummary[] }[]): AggregateDeltaGain {
  const gains = runs.map((run) => {
    const baseline = run.models.find((m) => m.name === 'baseline');
    const delta = run.models.find((m) => m.name === 'delta');
    if (!baseline || !delta) throw invalidArgument('runs', 'runs with a baseline and a delta model', `${run.label}: ${run.models.map((m) => m.name).join(', ')}`);
    return { label: run.label, baseline, delta, ...deltaGain(baseline, delta) };
  });
  const counted = gains.filter((g) => g.gain !== null);
  const of = (f: (g: (typeof counted)[number]) => number) => meanStd(counted.map(f));
  const none = counted.length === 0;
  return {
    gain: none ? null : { firstFrameIncluded: of((g) => g.gain?.firstFrameIncluded as number), steadyState: of((g) => g.gain?.steadyState as number) },
    accuracy: none
      ? null
      : { baseline: of((g) => g.baseline.testVideoAccuracy), delta: of((g) => g.delta.testVideoAccuracy), baselineMinusDelta: of((g) => g.baseline.testVideoAccuracy - g.delta.testVideoAccuracy) },
    withheld: gains.filter((g) => g.gain === null).map((g) => `${g.label}: ${g.withheld}`),
  };
}

/** Mean and sample standard deviation (0 for one value) of a list. */
export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

export function meanStd(values: number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/** One model's numbers over several runs (seeds, folds). */
export interface AggregateSummary {
  name: string;
  runs: number;
  /** Accuracy over test clips (per window). */
  testClipAccuracy: MeanStd;
  testVideoAccuracy: MeanStd;
  /** Test videos over all runs. */
  testVideos: number;
  /** Runs whose model was above chance. */
  runsAboveChance: number;
  temporalDensity: MeanStd;
  spatialDensity: MeanStd;
  macsPerFrame: Record<keyof MacsPerFrame, MeanStd>;
}

/** Mean ± std of each model's numbers over `runs` (each a list of model summaries). */
export function aggregateSummaries(runs: ModelSummary[][]): AggregateSummary[] {
  const names = [...new Set(runs.flat().map((m) => m.name))];
  return names.map((name) => {
    const models = runs.flat().filter((m) => m.name === name);
    const of = (f: (m: ModelSummary) => number) => meanStd(models.map(f));
    return {
      name,
      runs: models.length,
      testClipAccuracy: of((m) => m.testClipAccuracy),
      testVideoAccuracy: of((m) => m.testVideoAccuracy),
      testVideos: models.reduce((a, m) => a + m.testVideos, 0),
      runsAboveChance: models.filter((m) => m.aboveChance).length,
      temporalDensity: of((m) => m.temporalDensity),
      spatialDensity: of((m) => m.spatialDensity),
      macsPerFrame: {
        dense: of((m) => m.macsPerFrame.dense),
        zeroSkipping: of((m) => m.macsPerFrame.zeroSkipping),
        firstFrameIncluded: of((m) => m.macsPerFrame.firstFrameIncluded),
        steadyState: of((m) => m.macsPerFrame.steadyState),
      },
    };
  });
}
