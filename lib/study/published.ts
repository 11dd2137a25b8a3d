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
  setting: z.strictObject({ dataset: z.string(), network: z.string(), clipLength: z.number().int().positive(), density: z.string() }),
  models: z.array(
    z.strictObject({
      name: z.string(),
      /** Test accuracy as a fraction. */
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
  testVideoAccuracy: number;
  spatialDensity: number;
  temporalDensity: number;
}

/**
 * The paper's models beside ours, one row per published model (matched by name: baseline, delta, spatial-l1),
 * with accuracy in % and the density the paper quotes for that kind of model: non-zero changes (temporal
 * density, steady state) for the delta model, non-zero activations (spatial density) for the others. A
 * model of ours that is missing shows "—". Same table as the study report's.
 */
export function publishedComparison(ours: readonly OurModelNumbers[], published: PublishedResult = publishedDeltaResult()): Record<string, string>[] {
  const percent = (fraction: number): string => `${(100 * fraction).toFixed(1)}%`;
  return published.models.map((paper) => {
    const mine = ours.find((model) => model.name === paper.name);
    const density = mine === undefined ? undefined : paper.name === 'delta' ? mine.temporalDensity : mine.spatialDensity;
    return {
      model: paper.name,
      'paper: test accuracy': percent(paper.testAccuracy),
      'paper: density': `${paper.approximate ? '≈ ' : ''}${paper.density.toFixed(3)}`,
      'ours: test video accuracy': mine === undefined ? '—' : percent(mine.testVideoAccuracy),
      'ours: density': density === undefined ? '—' : density.toFixed(3),
    };
  });
}
