/**
 * What travels through the queue: the job payloads a coordinator enqueues and the results workers return,
 * as zod schemas. A worker parses every payload before acting on it, so that a malformed or foreign job is
 * failed with the reason instead of being executed; the coordinator parses every result before storing it.
 */
import * as z from 'zod';
import { ablationPointSchema, ablationResultSchema, type AblationPoint, type AblationResult } from '../ablation/sparsitySweeps';
import { stableHash } from '../util/stableHash';
import { trainConfigSchema, type TrainConfig } from '../train/config';

/** BullMQ's key prefix for everything this project keeps in Redis. */
export const QUEUE_PREFIX = 'delta-sparsity';
/** The one queue every sweep's jobs go to (job ids are configuration hashes, so sweeps never collide). */
export const QUEUE_NAME = 'sweep';
/** Attempts per job before it is reported as failed. */
export const JOB_ATTEMPTS = 3;

/** The identity of a worker's data that must match the coordinator's (the folder's location may differ). */
export const datasetIdentitySchema = z.strictObject({
  /** "synthetic", "ucf101", "folder" or "weizmann". */
  name: z.string().min(1),
  /** The split in words (fixed subjects, official split, generated). */
  split: z.string(),
  /** Leave-one-subject-out fold, or null. */
  fold: z.number().int().min(0).nullable(),
  /** Hash of the listed videos (relative paths, classes, subjects, byte sizes) or of the synthetic generator's settings. */
  fileListHash: z.string().min(1),
  /** Videos listed (train + test). */
  videos: z.number().int().min(0),
});
export type DatasetIdentity = z.infer<typeof datasetIdentitySchema>;

const configHash = z.string().regex(/^[0-9a-f]{16}$/, 'expected a 16-digit hex configuration hash');

/** One refinement of a training sweep (`ablate --baseline ... --queue`). */
export const refinementJobSchema = z
  .strictObject({
    version: z.literal(1),
    kind: z.literal('refinement'),
    /** `stableHash(point)`: the job id and the results-store key. */
    key: configHash,
    point: ablationPointSchema,
    /** The refinement configuration shared by the sweep's points (resolved; no initFrom). */
    refinementBase: trainConfigSchema,
    /** The baseline checkpoint, published in Redis under `blobKey(blob)`, and the epochs it finished. */
    baseline: z.strictObject({ blob: z.string().regex(/^[0-9a-f]{64}$/), epochs: z.number().int().min(1).nullable() }),
    dataset: datasetIdentitySchema,
  })
  .refine((job) => job.key === stableHash(job.point), { message: 'key is not the hash of point', path: ['key'] });

export interface RefinementJob {
  version: 1;
  kind: 'refinement';
  key: string;
  point: AblationPoint;
  refinementBase: TrainConfig;
  baseline: { blob: string; epochs: number | null };
  dataset: DatasetIdentity;
}

/** One fold × seed run of a leave-one-subject-out study (`study --protocol lopo ... --queue`). */
export interface LopoFoldPoint {
  fold: number;
  seed: number;
  /** Hash of everything the run's recipe trains with (configuration, epochs, λ per variant): `lopoRecipeHash`. */
  recipe: string;
}

export const lopoFoldPointSchema = z.strictObject({ fold: z.number().int().min(0), seed: z.number().int(), recipe: configHash });

/** The study options a worker needs to rebuild the recipe (paths of the coordinator's machine are replaced). */
export const lopoStudySchema = z.strictObject({
  fast: z.boolean(),
  data: z.enum(['weizmann', 'folder']),
  folderRoot: z.string().optional(),
  subjectPattern: z.string().optional(),
  seeds: z.number().int().min(1).optional(),
});
export type LopoStudySettings = z.infer<typeof lopoStudySchema>;

export const lopoFoldJobSchema = z
  .strictObject({
    version: z.literal(1),
    kind: z.literal('lopo-fold'),
    key: configHash,
    point: lopoFoldPointSchema,
    study: lopoStudySchema,
    dataset: datasetIdentitySchema,
  })
  .refine((job) => job.key === stableHash(job.point), { message: 'key is not the hash of point', path: ['key'] });

export interface LopoFoldJob {
  version: 1;
  kind: 'lopo-fold';
  key: string;
  point: LopoFoldPoint;
  study: LopoStudySettings;
  dataset: DatasetIdentity;
}

/** What a worker returns for a fold: the run's model summaries and the dataset description (see lib/study). */
export const lopoFoldResultSchema = z.strictObject({
  result: z.strictObject({
    run: z.strictObject({ fold: z.number().int(), testSubject: z.string(), seed: z.number().int(), models: z.array(z.record(z.string(), z.unknown())).min(1) }),
    dataset: z.record(z.string(), z.unknown()),
  }),
  seconds: z.number().nullable(),
  worker: z.string(),
});
export type LopoFoldJobResult = z.infer<typeof lopoFoldResultSchema>;

/** Any job payload (discriminated by `kind`). */
export const jobPayloadSchema = z.discriminatedUnion('kind', [refinementJobSchema, lopoFoldJobSchema]);
export type JobPayload = RefinementJob | LopoFoldJob;

/** What a worker returns for a refinement. */
export const refinementResultSchema = z.strictObject({
  result: ablationResultSchema,
  /** Wall-clock seconds the point took on the worker. */
  seconds: z.number().nullable(),
  /** The worker's host name. */
  worker: z.string(),
});
export interface RefinementJobResult {
  result: AblationResult;
  seconds: number | null;
  worker: string;
}

/**
 * Parses a payload; returns the parsed job or a one-line description of what is wrong
 * (`point.threshold: expected number, received string`).
 */
export function parseJobPayload(data: unknown): { ok: true; job: JobPayload } | { ok: false; problem: string } {
  const parsed = jobPayloadSchema.safeParse(data);
  if (parsed.success) return { ok: true, job: parsed.data as JobPayload };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue.path.join('.') || '(payload)'}: ${issue.message}` };
}
