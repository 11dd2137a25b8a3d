/**
 * The coordinator side of a queued sweep: enqueue one BullMQ job per point not yet in the results store, wait
 * for the workers, and append every result to the store as it arrives, exactly as a local sweep would.
 *
 * - Job ids are the points' configuration hashes (`stableHash`), so a coordinator that is killed and restarted
 *   finds its jobs (waiting, running or finished) and enqueues nothing twice; points already stored are never
 *   enqueued at all.
 * - A job is tried `JOB_ATTEMPTS` times (a worker killed mid-job counts too: BullMQ's stalled-job check hands it
 *   to another worker). A point that still fails is reported with its error; rerunning the sweep tries it again.
 * - A finished job is removed from Redis only after its record is durably in the store, so a crash between the
 *   two loses nothing, and the store (first record of a key wins) records each point once.
 */
import { Queue, type Job } from 'bullmq';
import * as z from 'zod';
import type { ResultsStore, SweepRecord } from '../ablation/resultsStore';
import { stableHash } from '../util/stableHash';
import type { SweepOutcome } from '../ablation/sweep';
import { DeltaSparsityError } from '../util/errors';
import { createProgress, type ProgressMode } from '../util/progress';
import { bullConnection, probeRedis, safeMessage } from './connection';
import { JOB_ATTEMPTS, QUEUE_NAME, QUEUE_PREFIX, type JobPayload } from './payload';
import type { QueueConnection } from './redisUrl';

/** A point that failed on every attempt. */
export interface FailedPoint<Config> {
  key: string;
  config: Config;
  /** The last attempt's error (password-free). */
  error: string;
  attempts: number;
}

export interface QueuedSweepOptions<Config, Result> {
  connection: QueueConnection;
  points: readonly Config[];
  store: ResultsStore<Config, Result>;
  /** The job payload of a point (called only for points that are enqueued). */
  payload: (config: Config, key: string) => JobPayload;
  /** Parses a worker's return value into the point's result and its seconds. */
  result: z.ZodType<{ result: Result; seconds: number | null }>;
  /** Called once before the first job is enqueued, when at least one point is missing (e.g. to publish a baseline). */
  beforeEnqueue?: (queue: Queue) => Promise<void>;
  progress?: ProgressMode;
  /** How often the coordinator looks at its jobs, in ms. Default 500. */
  pollMs?: number;
  /** Called after each point is stored. */
  onPoint?: (record: SweepRecord<Config, Result>, reused: boolean) => void;
  /**
   * After this many ms with jobs waiting, none running and no worker connected to the queue, say so once
   * (with the command that starts one). Default 10000.
   */
  noWorkerNoticeMs?: number;
  /** Where status lines go. Default: stderr. */
  log?: (line: string) => void;
}

export interface QueuedSweepOutcome<Config, Result> extends SweepOutcome<Config, Result> {
  /** Jobs this coordinator added (a restarted coordinator adds none for points already queued). */
  enqueued: number;
  /**
   * Points whose jobs had already finished when this coordinator started (while no coordinator was running):
   * collected from the queue and stored, included in `ran` but not computed during this run.
   */
  collected: number;
  /** Points that failed `JOB_ATTEMPTS` times; their records are missing from `records`. */
  failed: FailedPoint<Config>[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Opens the sweep queue (the caller closes it). Errors of its Redis clients are printed once, password-free. */
export function openQueue(connection: QueueConnection): Queue {
  const queue = new Queue(QUEUE_NAME, { connection: bullConnection(connection), prefix: QUEUE_PREFIX });
  let reported = false;
  queue.on('error', (error) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`queue ${connection.redacted}: ${safeMessage(error, connection)}\n`);
  });
  return queue;
}

/**
 * Runs a sweep through the queue (see the module comment). The results store is locked for the whole sweep,
 * as a local sweep locks it. Resolves when every point is stored or has failed; the caller decides what a
 * failure means (the CLI exits non-zero, listing them).
 */
export async function runQueuedSweep<Config, Result>(options: QueuedSweepOptions<Config, Result>): Promise<QueuedSweepOutcome<Config, Result>> {
  const { store, connection } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await probeRedis(connection);
  const lock = store.lock();
  const queue = openQueue(connection);
  // Ctrl-C (or SIGTERM) here loses nothing: the jobs stay in Redis and the workers keep running them; say so,
  // and free the store's lock for the rerun that collects them.
  const status = { unfinished: 0 };
  const interrupted = (signal: NodeJS.Signals) => {
    log(`queue: interrupted; ${status.unfinished > 0 ? `the ${status.unfinished} unfinished job(s) stay` : 'the jobs stay'} queued on ${connection.redacted} and workers keep running them; rerun the same command to collect the results`);
    lock.release();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await coordinate(options, queue, log, status);
  } catch (error) {
    if (error instanceof DeltaSparsityError) throw error;
    // A library error (Redis gone mid-sweep): one line, password hidden.
    throw new DeltaSparsityError(`--queue: the sweep on ${connection.redacted} stopped: ${safeMessage(error, connection)}. Rerun to resume (${store.file} keeps every finished point).`);
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    lock.release();
    await queue.close().catch(() => undefined);
  }
}

type JobLook = 'stored' | 'failed' | 'active' | 'waiting';

/** The two reads of a job that `readJob` needs (a BullMQ `Queue` has both). */
export type JobReader = Pick<Queue, 'getJob' | 'getJobState'>;

export type JobView = { state: 'completed' | 'failed'; job: Job } | { state: 'active' | 'waiting' };

/**
 * A consistent view of a point's job. The state is read first and the job only once it is finished: a
 * finished job's return value and error never change, whereas a job read while active and then seen
 * 'completed' is a snapshot from before the worker finished (its `returnvalue` null). That order once made
 * a restarted coordinator report a finished point as "malformed result from the worker".
 * Throws DeltaSparsityError when the job is gone from Redis. Delayed (retry back-off) and prioritised jobs
 * count as waiting.
 */
export async function readJob(queue: JobReader, key: string): Promise<JobView> {
  const vanished = () => new DeltaSparsityError(`queue: job ${key} vanished from Redis (removed by hand?). Rerun to enqueue it again.`);
  const state = await queue.getJobState(key);
  if (state === 'unknown') throw vanished();
  if (state === 'completed' || state === 'failed') {
    const job: Job | undefined = await queue.getJob(key);
    if (job === undefined) throw vanished();
    return { state, job };
  }
  return { state: state === 'active' ? 'active' : 'waiting' };
}

async function coordinate<Config, Result>(
  options: QueuedSweepOptions<Config, Result>,
  queue: Queue,
  log: (line: string) => void,
  status: { unfinished: number },
): Promise<QueuedSweepOutcome<Config, Result>> {
  const { store, points, connection } = options;
  const keys = points.map((point) => stableHash(point));
  const configOf = new Map(keys.map((key, index) => [key, points[index]]));
  const pending = [...new Set(keys.filter((key) => !store.has(key)))];
  for (const key of new Set(keys)) {
    const stored = store.get(key);
    if (!stored) continue;
    options.onPoint?.(stored, true);
    // A coordinator killed between storing a record and removing its job left the job behind: tidy it now.
    const leftover = await queue.getJob(key);
    if (leftover !== undefined && (await leftover.getState()) === 'completed') await leftover.remove();
  }
  let enqueued = 0;
  if (pending.length > 0) {
    await options.beforeEnqueue?.(queue);
    for (const key of pending) {
      const existing = await queue.getJob(key);
      if (existing !== undefined) {
        // A job from an earlier coordinator: keep it unless it failed, which a rerun is meant to retry.
        if ((await existing.getState()) !== 'failed') continue;
        await existing.remove();
      }
      await queue.add('point', options.payload(configOf.get(key) as Config, key), {
        jobId: key,
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
      enqueued += 1;
    }
  }

  const unresolved = new Set(pending);
  status.unfinished = unresolved.size;
  const failed: FailedPoint<Config>[] = [];

  /** Looks at a point's job: a finished one is stored (then removed from Redis), a failed one recorded. */
  const look = async (key: string): Promise<JobLook> => {
    const view = await readJob(queue, key);
    if (view.state === 'completed') {
      unresolved.delete(key);
      const parsed = options.result.safeParse(view.job.returnvalue);
      if (!parsed.success) {
        failed.push({ key, config: configOf.get(key) as Config, error: `malformed result from the worker (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message})`, attempts: view.job.attemptsMade });
        return 'failed';
      }
      const record: SweepRecord<Config, Result> = {
        key,
        config: configOf.get(key) as Config,
        result: parsed.data.result,
        finishedAt: new Date(view.job.finishedOn ?? Date.now()).toISOString(),
        seconds: parsed.data.seconds ?? Number.NaN,
      };
      store.append(record);
      options.onPoint?.(record, false);
      // Only once the record is durable: a crash before this line leaves the job, and a rerun finds the key stored.
      await view.job.remove();
      return 'stored';
    }
    if (view.state === 'failed') {
      unresolved.delete(key);
      failed.push({ key, config: configOf.get(key) as Config, error: view.job.failedReason ?? 'unknown error', attempts: view.job.attemptsMade });
      return 'failed';
    }
    return view.state;
  };

  // Jobs that finished while no coordinator was running are collected first, so that neither the count nor the
  // rate and ETA of this run's progress include them.
  let collected = 0;
  for (const key of [...unresolved]) {
    if ((await look(key)) === 'stored') collected += 1;
  }
  status.unfinished = unresolved.size;
  if (collected > 0) log(`queue: collected ${collected} point(s) that workers finished before this run`);

  // Plain lines even on a terminal: a bar's ETA is meaningless while the first job runs (it showed "0s").
  const mode: ProgressMode | undefined = options.progress === undefined || options.progress === 'auto' ? 'lines' : options.progress;
  const progress = createProgress({ label: 'queued sweep', total: unresolved.size, unit: 'points', mode });
  const noticeAfterMs = options.noWorkerNoticeMs ?? 10_000;
  let workerCheckAt = Date.now() + noticeAfterMs;
  let noWorkerSaid = false;
  let done = 0;
  const failedBefore = failed.length;
  try {
    while (unresolved.size > 0) {
      let running = 0;
      for (const key of [...unresolved]) {
        const state = await look(key);
        if (state === 'active') running += 1;
        if (state === 'stored') done += 1;
      }
      status.unfinished = unresolved.size;
      progress.update(done, `done ${done}, running ${running}, failed ${failed.length - failedBefore}, waiting ${unresolved.size - running}`);
      if (!noWorkerSaid && running === 0 && unresolved.size > 0 && Date.now() >= workerCheckAt) {
        // BullMQ's workers name their Redis connections; CLIENT LIST finds them.
        if ((await queue.getWorkersCount()) === 0) {
          noWorkerSaid = true;
          log(`queue: no worker is connected to ${connection.redacted}; start one with \`delta-sparsity worker --queue ${connection.redacted}\` (with the real password, or it in DELTA_QUEUE_PASSWORD); the jobs wait until then`);
        } else {
          workerCheckAt = Date.now() + noticeAfterMs;
        }
      }
      if (unresolved.size > 0) await sleep(options.pollMs ?? 500);
    }
  } finally {
    progress.stop();
  }
  const records = keys.flatMap((key) => {
    const record = store.get(key);
    return record ? [record] : [];
  });
  const ran = done + collected;
  return { records, ran, reused: keys.length - ran - failed.length, enqueued, collected, failed };
}
