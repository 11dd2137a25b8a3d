/**
 * A run folder holds everything about one training run: `config.json` (the resolved configuration),
 * `metrics.jsonl` and `metrics.csv` (one row per epoch), `checkpoint/` and, once measured,
 * `workload.json` (per-layer statistics for the hardware cost model).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { DeltaSparsityError } from '../util/errors';
import { appendLineDurable, expectFolderOrNothing, readJsonLines, repairTornTail, writeFileAtomic } from '../util/files';
import { acquireLock, type HeldLock } from '../util/lock';
import { stableStringify } from '../util/stableHash';
import { toCsv } from '../util/csv';
import type { TrainConfig } from './config';

/** Options that may change between a run and its resumption: training longer is allowed. */
const RESUMABLE_CHANGES: readonly (keyof TrainConfig)[] = ['epochs'];

function differingFields(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const fields: string[] = [];
  for (const key of keys) {
    const left = a[key];
    const right = b[key];
    const name = prefix ? `${prefix}.${key}` : key;
    const bothObjects = left && right && typeof left === 'object' && typeof right === 'object' && !Array.isArray(left) && !Array.isArray(right);
    if (bothObjects) fields.push(...differingFields(left as Record<string, unknown>, right as Record<string, unknown>, name));
    else if (stableStringify(left) !== stableStringify(right)) fields.push(`${name} (${stableStringify(left)} in the folder, ${stableStringify(right)} now)`);
  }
  return fields;
}

/**
 * Refuses (DeltaSparsityError) when `runDir` already holds a run of a different configuration, naming the
 * fields that differ. Writes nothing.
 */
export function checkRunFolder(runDir: string, config: TrainConfig): void {
  expectFolderOrNothing(runDir, 'runDir');
  const configFile = path.join(runDir, 'config.json');
  if (fs.existsSync(configFile)) {
    const stored = readRunConfigFile(runDir) as unknown as Record<string, unknown>;
    const comparable = (value: Record<string, unknown>) => {
      const copy = { ...value };
      for (const key of RESUMABLE_CHANGES) delete copy[key];
      return copy;
    };
    const differences = differingFields(comparable(stored), comparable(config as unknown as Record<string, unknown>));
    if (differences.length > 0) {
      throw new DeltaSparsityError(
        `runDir: ${runDir} holds a run with a different configuration, so it cannot be resumed; ` +
          `differs in ${differences.join(', ')}. Use another folder, or delete this one to start over.`,
      );
    }
  }
}

/**
 * The configuration stored in `<runDir>/config.json`. Throws a one-line DeltaSparsityError naming the file
 * when it is missing or not a JSON object.
 */
export function readRunConfigFile(runDir: string): TrainConfig {
  const configFile = path.join(runDir, 'config.json');
  if (!fs.existsSync(configFile)) {
    throw new DeltaSparsityError(`runDir: ${configFile} is missing. Expected a training run folder: pick another path.`);
  }
  let stored: unknown;
  try {
    stored = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (error) {
    stored = error;
  }
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored) || stored instanceof Error) {
    const problem = stored instanceof Error ? `not valid JSON (${stored.message})` : 'not a JSON object';
    throw new DeltaSparsityError(`${configFile}: ${problem}: the run folder is damaged. Delete ${runDir} to start the run over, or pick another folder.`);
  }
  return stored as TrainConfig;
}

/**
 * Takes `runDir`'s lock (`<runDir>/.lock`) for a trainer, creating the folder if needed. Throws a
 * DeltaSparsityError naming the other process when one is training in it. `release` removes the folder
 * again when this call created it and nothing else was written there, so that a run that fails to start
 * leaves no folder behind.
 */
export function lockRunFolder(runDir: string): HeldLock {
  expectFolderOrNothing(runDir, 'runDir');
  const created = !fs.existsSync(runDir);
  fs.mkdirSync(runDir, { recursive: true });
  let held: HeldLock;
  try {
    held = acquireLock(path.join(runDir, '.lock'), 'runDir', runDir);
  } catch (error) {
    if (created) fs.rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  return {
    file: held.file,
    release() {
      held.release();
      if (created && fs.existsSync(runDir) && fs.readdirSync(runDir).length === 0) fs.rmdirSync(runDir);
    },
  };
}

/** Creates `runDir` for `config`, or opens it to resume (see `checkRunFolder` for when it refuses). */
export function openRunFolder(runDir: string, config: TrainConfig): void {
  checkRunFolder(runDir, config);
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(path.join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** One epoch's log row: plain numbers (and strings) only, so it maps to a CSV row and a DataFrame row. */
export type EpochMetrics = { epoch: number } & Record<string, number | string | null>;

/** What a line of metrics.jsonl must hold (checked on every read). */
const epochMetricsSchema = z
  .object({ epoch: z.number().int().min(1) })
  .catchall(z.union([z.number(), z.string(), z.null()])) as unknown as z.ZodType<EpochMetrics>;

/**
 * The logged epochs. A torn last line (crash mid-append) is skipped; any other damaged line throws a
 * DeltaSparsityError `<file>:<line>: <what is wrong>`.
 */
export function readEpochMetrics(runDir: string): EpochMetrics[] {
  return readJsonLines(path.join(runDir, 'metrics.jsonl'), epochMetricsSchema);
}

function writeMetricsCsv(runDir: string, rows: EpochMetrics[]): void {
  writeFileAtomic(path.join(runDir, 'metrics.csv'), toCsv(rows));
}

/** Appends one epoch's metrics (JSONL durably, CSV rewritten atomically). */
export function logEpochMetrics(runDir: string, row: EpochMetrics): void {
  appendLineDurable(path.join(runDir, 'metrics.jsonl'), JSON.stringify(row));
  writeMetricsCsv(runDir, readEpochMetrics(runDir));
}

/**
 * Drops logged epochs after `epochsDone` (metrics written before a crash prevented their checkpoint),
 * so a resumed run logs each epoch exactly once.
 */
export function truncateEpochMetrics(runDir: string, epochsDone: number): void {
  const file = path.join(runDir, 'metrics.jsonl');
  const tail = repairTornTail(file);
  const rows = readEpochMetrics(runDir);
  const kept = rows.filter((row) => row.epoch <= epochsDone);
  if (kept.length === rows.length && tail === 'intact') return;
  writeFileAtomic(path.join(runDir, 'metrics.jsonl'), kept.map((row) => `${JSON.stringify(row)}\n`).join(''));
  writeMetricsCsv(runDir, kept);
}
