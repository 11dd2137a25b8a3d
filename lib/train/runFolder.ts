/**
 * A run folder holds everything about one training run: `config.json` (the resolved configuration),
 * `metrics.jsonl` and `metrics.csv` (one row per epoch), `checkpoint/` and, once measured,
 * `workload.json` (per-layer statistics for the hardware cost model).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError } from '../util/errors';
import { appendLineDurable, readJsonLines, truncateTornTail, writeFileAtomic } from '../util/files';
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
  const configFile = path.join(runDir, 'config.json');
  if (fs.existsSync(configFile)) {
    const stored = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
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

/** Creates `runDir` for `config`, or opens it to resume (see `checkRunFolder` for when it refuses). */
export function openRunFolder(runDir: string, config: TrainConfig): void {
  checkRunFolder(runDir, config);
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(path.join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

/** One epoch's log row: plain numbers (and strings) only, so it maps to a CSV row and a DataFrame row. */
export type EpochMetrics = { epoch: number } & Record<string, number | string | null>;

export function readEpochMetrics(runDir: string): EpochMetrics[] {
  return readJsonLines<EpochMetrics>(path.join(runDir, 'metrics.jsonl'));
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
  const tornTail = truncateTornTail(file);
  const rows = readEpochMetrics(runDir);
  const kept = rows.filter((row) => row.epoch <= epochsDone);
  if (kept.length === rows.length && !tornTail) return;
  writeFileAtomic(path.join(runDir, 'metrics.jsonl'), kept.map((row) => `${JSON.stringify(row)}\n`).join(''));
  writeMetricsCsv(runDir, kept);
}
