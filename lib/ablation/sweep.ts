/**
 * Running a sweep cheaply and resumably: points already in the results store are skipped, new points
 * are run one by one and appended as soon as each finishes. Adding one value to an axis runs only the
 * new points; rerunning the same sweep runs nothing.
 */
import { createProgress, ProgressMode } from '../util/progress';
import { ResultsStore, SweepRecord } from './resultsStore';
import { stableHash } from '../util/stableHash';

/** The full cartesian product of `axes` applied over `base`: one configuration per combination. */
export function expandGrid<Config extends object>(
  base: Config,
  axes: { [K in keyof Config]?: readonly Config[K][] },
): Config[] {
  let points: Config[] = [{ ...base }];
  for (const name of Object.keys(axes) as (keyof Config)[]) {
    const values = axes[name];
    if (values === undefined || values.length === 0) continue;
    points = points.flatMap((point) => values.map((value) => ({ ...point, [name]: value })));
  }
  return points;
}

export interface SweepOptions<Config, Result> {
  /** The configurations to evaluate. Duplicates (same key) are run once. */
  points: readonly Config[];
  /** Where finished points are kept. */
  store: ResultsStore<Config, Result>;
  /** Evaluates one configuration. */
  runPoint: (config: Config, index: number) => Promise<Result>;
  /** Progress display mode. Default `auto`. */
  progress?: ProgressMode;
  /** Called after each point is stored (e.g. to refresh a notebook plot). */
  onPoint?: (record: SweepRecord<Config, Result>, reused: boolean) => void;
}

export interface SweepOutcome<Config, Result> {
  /** One record per requested point, in the order of `points`. */
  records: SweepRecord<Config, Result>[];
  /** How many points were computed in this call. */
  ran: number;
  /** How many came from the store. */
  reused: number;
}

/**
 * Evaluates every point not yet in the store. If a point throws, the points finished before it stay
 * stored and the error propagates: rerunning resumes with the failed point. The store is locked for the
 * whole sweep: a second sweep on the same store (another process) stops at once with an error naming
 * this one, instead of computing and appending the same points twice.
 */
export async function runSweep<Config, Result>(options: SweepOptions<Config, Result>): Promise<SweepOutcome<Config, Result>> {
  const lock = options.store.lock();
  try {
    return await runLockedSweep(options);
  } finally {
    lock.release();
  }
}

async function runLockedSweep<Config, Result>(options: SweepOptions<Config, Result>): Promise<SweepOutcome<Config, Result>> {
  const { points, store, runPoint } = options;
  const keys = points.map((point) => stableHash(point));
  const pending = [...new Set(keys.filter((key) => !store.has(key)))];
  const progress = createProgress({ label: 'sweep', total: pending.length, unit: 'points', mode: options.progress });
  let ran = 0;
  // A first line at once: the first point may take minutes (a training run).
  progress.update(0);
  try {
    for (let index = 0; index < points.length; index++) {
      const key = keys[index];
      const stored = store.get(key);
      if (stored) {
        options.onPoint?.(stored, true);
        continue;
      }
      const startedAt = Date.now();
      const result = await runPoint(points[index], index);
      const record: SweepRecord<Config, Result> = {
        key,
        config: points[index],
        result,
        finishedAt: new Date().toISOString(),
        seconds: (Date.now() - startedAt) / 1000,
      };
      store.append(record);
      ran += 1;
      progress.update(ran);
      options.onPoint?.(record, false);
    }
  } finally {
    progress.stop();
  }
  const records = keys.map((key) => store.get(key) as SweepRecord<Config, Result>);
  return { records, ran, reused: points.length - ran };
}
