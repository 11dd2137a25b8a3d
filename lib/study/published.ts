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
