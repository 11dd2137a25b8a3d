/**
 * The per-epoch files of a run folder (see runFolder.ts for the layout): `metrics.jsonl` / `metrics.csv`,
 * `workload.json` and `skipped-videos.json`. Rows of metrics files written before a column was renamed are
 * read under the new names (`upgradeMetricRow`, lib/util/legacyNames.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { SkippedVideo } from '../data/types';
import { parseWorkloadJson } from '../hardware/validate';
import type { LayerWorkload } from '../hardware/workload';
import { toWorkloads, type SparsityMeasurement } from '../sparsity';
import { toCsv } from '../util/csv';
import { invalidArgument } from '../util/errors';
import { appendLineDurable, readJsonLines, repairTornTail, writeFileAtomic } from '../util/files';
import { upgradeMetricRow } from '../util/legacyNames';

const METRICS_JSONL = 'metrics.jsonl';
const METRICS_CSV = 'metrics.csv';
const WORKLOAD = 'workload.json';
const SKIPPED_VIDEOS = 'skipped-videos.json';

/** One epoch's log row: plain numbers (and strings) only, so it maps to a CSV row and a DataFrame row. */
export type EpochMetrics = { epoch: number } & Record<string, number | string | null>;

/** What a line of metrics.jsonl must hold (checked on every read). */
const epochMetricsSchema = z
  .object({ epoch: z.number().int().min(1) })
  .catchall(z.union([z.number(), z.string(), z.null()])) as unknown as z.ZodType<EpochMetrics>;

/**
 * The logged epochs, with retired column names read as their new ones. A torn last line (crash mid-append)
 * is skipped; any other damaged line throws a DeltaSparsityError `<file>:<line>: <what is wrong>`.
 */
export function readEpochMetrics(runDir: string): EpochMetrics[] {
  return readJsonLines(path.join(runDir, METRICS_JSONL), epochMetricsSchema).map((row) => upgradeMetricRow(row));
}

function writeMetricsCsv(runDir: string, rows: EpochMetrics[]): void {
  writeFileAtomic(path.join(runDir, METRICS_CSV), toCsv(rows));
}

/** Appends one epoch's metrics (JSONL durably, CSV rewritten atomically). */
export function logEpochMetrics(runDir: string, row: EpochMetrics): void {
  appendLineDurable(path.join(runDir, METRICS_JSONL), JSON.stringify(row));
  writeMetricsCsv(runDir, readEpochMetrics(runDir));
}

/**
 * Drops logged epochs after `epochsDone` (metrics written before a crash prevented their checkpoint),
 * so a resumed run logs each epoch exactly once, and rewrites rows logged under retired column names.
 */
export function truncateEpochMetrics(runDir: string, epochsDone: number): void {
  const file = path.join(runDir, METRICS_JSONL);
  const tail = repairTornTail(file);
  const stored = readJsonLines(file, epochMetricsSchema);
  const rows = stored.map((row) => upgradeMetricRow(row));
  const kept = rows.filter((row) => row.epoch <= epochsDone);
  // Rows written under retired column names are rewritten under the new ones, so that the file the trainer
  // appends to keeps one vocabulary.
  const renamed = rows.some((row, i) => row !== stored[i]);
  if (kept.length === rows.length && tail === 'intact' && !renamed) return;
  writeFileAtomic(file, kept.map((row) => `${JSON.stringify(row)}\n`).join(''));
  writeMetricsCsv(runDir, kept);
}

/** The path of `<runDir>/workload.json` (for messages; read it with `readRunWorkload`). */
export function runWorkloadFile(runDir: string): string {
  return path.join(runDir, WORKLOAD);
}

/**
 * How `workload.json` was measured, stored in it as `measurementVersion`: 1 (or absent, before 2026-12):
 * zero-skipping and delta MACs as density · n · average fan-out; 2: executed MACs (each non-zero with its
 * position's fan-out, padding taps never executed) and the layers' MAC densities. A finished run whose
 * workload is older is re-measured from its checkpoint when it is reopened (see `train`), never retrained.
 */
export const MEASUREMENT_VERSION = 2;

/** Writes `<runDir>/workload.json`: per-layer statistics in the form the hardware cost model reads. */
export function writeWorkload(runDir: string, measurement: SparsityMeasurement, extra: Record<string, unknown> = {}): void {
  writeFileAtomic(
    runWorkloadFile(runDir),
    `${JSON.stringify({ measurementVersion: MEASUREMENT_VERSION, ...extra, clips: measurement.clips, framesPerClip: measurement.framesPerClip, layers: toWorkloads(measurement) }, null, 2)}\n`,
  );
}

/**
 * Whether `<runDir>/workload.json` exists and was measured as this version measures (`MEASUREMENT_VERSION`).
 * A missing or unreadable file counts as out of date.
 */
export function runWorkloadIsCurrent(runDir: string): boolean {
  try {
    const content = JSON.parse(fs.readFileSync(runWorkloadFile(runDir), 'utf8')) as { measurementVersion?: unknown } | null;
    return content?.measurementVersion === MEASUREMENT_VERSION;
  } catch {
    return false;
  }
}

/**
 * The per-layer workloads of `<runDir>/workload.json`, validated by the hardware module. Throws a one-line
 * DeltaSparsityError when the folder holds none (no epoch finished yet) or the file is damaged.
 */
export function readRunWorkload(runDir: string): LayerWorkload[] {
  const file = runWorkloadFile(runDir);
  if (!fs.existsSync(file)) throw invalidArgument('runDir', `a run folder holding ${WORKLOAD} (written after each epoch)`, runDir);
  return parseWorkloadJson(fs.readFileSync(file, 'utf8'), file);
}

/**
 * Writes `<runDir>/skipped-videos.json`: `{ dataset, skipped: [{ video, file, reason }] }` (an empty list when
 * nothing was skipped), so a run folder says which listed videos its numbers do not include.
 */
export function writeSkippedVideosFile(runDir: string, dataset: string, skipped: readonly SkippedVideo[]): void {
  writeFileAtomic(path.join(runDir, SKIPPED_VIDEOS), `${JSON.stringify({ dataset, skipped }, null, 2)}\n`);
}
