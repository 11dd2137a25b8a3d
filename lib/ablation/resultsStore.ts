/**
 * The append-only results store of a sweep: one JSON line per finished configuration, keyed by a hash of
 * the full configuration. Lines are appended durably one at a time, so a crash loses at most the point
 * that was running, and rerunning a sweep finds every finished point by its key.
 */
import * as z from 'zod';
import { appendLineDurable, expectFileOrNothing, readJsonLines } from '../util/files';
import { acquireLock, type HeldLock } from '../util/lock';

/** One finished configuration of a sweep. */
export interface SweepRecord<Config, Result> {
  /** `stableHash(config)`: the identity of the point (a hash of its full content, independent of key order). */
  key: string;
  config: Config;
  result: Result;
  /** ISO time when the point finished. */
  finishedAt: string;
  /** Wall-clock seconds the point took. */
  seconds: number;
}

/** The zod schema of a store line, given the schemas of its configuration and result. */
export function sweepRecordSchema<Config, Result>(config: z.ZodType<Config>, result: z.ZodType<Result>): z.ZodType<SweepRecord<Config, Result>> {
  return z.object({
    key: z.string().min(1),
    config,
    result,
    finishedAt: z.string(),
    // JSON has no NaN: a NaN duration is written as null.
    seconds: z.number().nullable().transform((value) => value ?? Number.NaN),
  }) as unknown as z.ZodType<SweepRecord<Config, Result>>;
}

export class ResultsStore<Config, Result> {
  private readonly byKey = new Map<string, SweepRecord<Config, Result>>();
  private readonly schema: z.ZodType<SweepRecord<Config, Result>>;

  /**
   * Opens (or prepares to create) the JSONL store at `file`. A torn last line from a crash is ignored; any
   * other damaged line (not JSON, or not a record of `config`/`result`) throws a DeltaSparsityError
   * `<file>:<line>: <what is wrong>`, as does a `file` that is a folder. Without schemas, a record needs
   * only a key, some config and some result.
   */
  constructor(
    readonly file: string,
    schemas: { config?: z.ZodType<Config>; result?: z.ZodType<Result> } = {},
  ) {
    expectFileOrNothing(file, 'store');
    this.schema = sweepRecordSchema(
      schemas.config ?? (z.unknown().refine((value) => value != null, 'expected a configuration') as unknown as z.ZodType<Config>),
      schemas.result ?? (z.unknown().refine((value) => value != null, 'expected a result') as unknown as z.ZodType<Result>),
    );
    this.reload();
  }

  /** Rereads the file (another process may have appended since it was opened). */
  reload(): void {
    this.byKey.clear();
    for (const record of readJsonLines(this.file, this.schema)) {
      // The first record of a key wins: a point is never run twice by `runSweep`, but a store edited by hand may repeat one.
      if (!this.byKey.has(record.key)) this.byKey.set(record.key, record);
    }
  }

  /**
   * Takes the store's lock file (`<file>.lock`) and rereads the store, so that what this process appends
   * cannot interleave with another sweep's. Throws a DeltaSparsityError naming the other process when it is
   * held. Release the returned lock when done.
   */
  lock(): HeldLock {
    const held = acquireLock(`${this.file}.lock`, 'store', this.file);
    try {
      this.reload();
    } catch (error) {
      held.release();
      throw error;
    }
    return held;
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

  /**
   * Appends a finished point (durably) unless its key is already present. The record is validated first,
   * so that a bad record never reaches the file (where it would break every later read).
   */
  append(record: SweepRecord<Config, Result>): void {
    if (this.byKey.has(record.key)) return;
    const checked = this.schema.safeParse(JSON.parse(JSON.stringify(record)));
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(`ResultsStore.append: invalid record for ${this.file} (field ${issue.path.join('.')}: ${issue.message})`);
    }
    appendLineDurable(this.file, JSON.stringify(record));
    this.byKey.set(record.key, record);
  }
}
