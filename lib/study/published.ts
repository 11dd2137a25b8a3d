/**
 * The published numbers our results are set beside, read from `data/published/` (data, with their source,
 * not code).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DeltaSparsityError } from '../util/errors';

const publishedSchema = z.strictObject({
  citation: z.string(),
  source: z.string(),
  setting: z.strictObject({
    dataset: z.string(),
    network: z.string(),
    /** Frames per window. */
    clipLength: z.number().int().positive(),
    /** Source frames between two frames of a window (1: every frame). */
    frameStride: z.number().int().positive(),
    /** Frame side in pixels. */
    frameSize: z.number().int().positive(),
    /** What `testAccuracy` counts (per window, per video, over which test windows). */
    accuracy: z.string(),
    density: z.string(),
  }),
  models: z.array(
    z.strictObject({
      name: z.string(),
      /** Test accuracy as a fraction, measured as `setting.accuracy` says (per window for this paper). */
      testAccuracy: z.number().min(0).max(1),
      /** Overall activation density (a fraction; "about" when `approximate`). */
      density: z.number().min(0).max(1),
      approximate: z.boolean(),
    }),
  ),
});

/** A published result: citation, setting, and per-model accuracy and density. */
export type PublishedResult = z.infer<typeof publishedSchema>;

/** The Delta Activation Layer paper (Yousefzadeh & Sifalakis, arXiv:2107.07305, 2021) on UCF101. */
export function publishedDeltaResult(): PublishedResult {
  const file = path.join(__dirname, '..', '..', 'data', 'published', 'yousefzadeh-sifalakis-2021.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DeltaSparsityError(`${file}: cannot read the published results (${(error as Error).message}); reinstall the package`);
  }
  const parsed = publishedSchema.safeParse(raw);
  if (!parsed.success) throw new DeltaSparsityError(`${file}: not a published-results file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** What `publishedComparison` needs of one of our models (a `ModelSummary`). */
export interface OurModelNumbers {
  name: string;
  /** Accuracy over test clips, each window on its own: the paper's metric. */
  testClipAccuracy: number;
  /** Accuracy over test videos (window probabilities averaged per video). */
  testVideoAccuracy: number;
  spatialDensity: number;
  temporalDensity: number;
}

/** One of our models' numbers, already formatted (a mean ± std over folds, or one run's value). */
export interface OurModelCells {
  name: string;
  /** Test clip accuracy (per window), like-for-like with the paper's accuracy. */
  clipAccuracy: string;
  /** Test video accuracy: ours only, the paper reports none. */
  videoAccuracy: string;
  density: string;
}

/**
 * The paper's models beside ours, one row per published model (matched by name: baseline, delta,
 * spatial-l1). Accuracy is compared like for like: the paper's is per window (Keras `model.evaluate` on
 * 32-frame sliding windows, `setting.accuracy`), so ours beside it is the test clip accuracy (per window of
 * our T frames); our test video accuracy follows as an extra column. Density: the paper's density for that
 * kind of model beside ours (see `publishedComparison`). A model of ours that is missing shows "—".
 */
export function publishedComparisonRows(published: PublishedResult, ours: readonly OurModelCells[]): Record<string, string>[] {
  const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
  return published.models.map((paper) => {
    const mine = ours.find((model) => model.name === paper.name);
    return {
      model: paper.name,
      [`paper: test accuracy per window (${published.setting.clipLength} frames)`]: percent(paper.testAccuracy),
      'ours: test clip accuracy (per window)': mine?.clipAccuracy ?? '—',
      'ours: test video accuracy': mine?.videoAccuracy ?? '—',
      'paper: density': `${paper.approximate ? '≈ ' : ''}${paper.density.toFixed(3)}`,
      'ours: density': mine?.density ?? '—',
    };
  });
}

/**
 * `publishedComparisonRows` from our models' numbers: accuracies in %, and the density the paper quotes for
 * that kind of model: non-zero changes (temporal density, steady state) for the delta model, non-zero
 * activations (spatial density) for the others. Same table as the study report's.
 */
export function publishedComparison(ours: readonly OurModelNumbers[], published: PublishedResult = publishedDeltaResult()): Record<string, string>[] {
  const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
  return publishedComparisonRows(
    published,
    ours.map((m) => ({
      name: m.name,
      clipAccuracy: percent(m.testClipAccuracy),
      videoAccuracy: percent(m.testVideoAccuracy),
      density: (m.name === 'delta' ? m.temporalDensity : m.spatialDensity).toFixed(3),
    })),
  );
}
