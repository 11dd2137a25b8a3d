/**
 * The append-only results store of a sweep: one JSON line per finished configuration, keyed by a hash of
 * the full configuration. Lines are appended durably one at a time, so a crash loses at most the point
 * that was running, and rerunning a sweep finds every finished point by its key.
 */
import { appendLineDurable, readJsonLines } from '../util/files';
import { stableHash } from '../util/stableHash';

/** One finished configuration of a sweep. */
export interface SweepRecord<Config, Result> {
  /** `configKey(config)`: the identity of the point. */
  key: string;
  config: Config;
  result: Result;
  /** ISO time when the point finished. */
  finishedAt: string;
  /** Wall-clock seconds the point took. */
  seconds: number;
}

/** The identity of a configuration: a hash of its full content, independent of key order. */
export function configKey(config: unknown): string {
  return stableHash(config);
}

export class ResultsStore<Config, Result> {
  private readonly byKey = new Map<string, SweepRecord<Config, Result>>();

  /** Opens (or prepares to create) the JSONL store at `file`. A torn last line from a crash is ignored. */
  constructor(readonly file: string) {
    for (const record of readJsonLines<SweepRecord<Config, Result>>(file)) {
      // The first record of a key wins: a point is never run twice by `runSweep`, but a store edited by hand may repeat one.
      if (!this.byKey.has(record.key)) this.byKey.set(record.key, record);
    }
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  get(key: string): SweepRecord<Config, Result> | undefined {
    return this.byKey.get(key);
  }

  /** Every record, in the order they were first written. */
  records(): SweepRecord<Config, Result>[] {
    return [...this.byKey.values()];
  }

  /** Appends a finished point (durably) unless its key is already present. */
  append(record: SweepRecord<Config, Result>): void {
    if (this.byKey.has(record.key)) return;
    appendLineDurable(this.file, JSON.stringify(record));
    this.byKey.set(record.key, record);
  }
}
