/**
 * The worker side of a queued sweep (`delta-sparsity worker --queue URL`): takes jobs from the sweep queue,
 * validates each payload (a malformed job is failed, never executed), checks that its own copy of the dataset
 * is the one the job was planned on, fetches the baseline from Redis, trains with the same per-point function
 * a local sweep uses, and returns the result record. Any number of workers may run, on any machines.
 *
 * Faults are BullMQ's: a worker holds a lock on its job, renewed while it runs; a worker killed mid-job stops
 * renewing, and after `lockSeconds` another worker's stalled-job check puts the job back in the queue.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { refinementRunName, runRefinementPoint } from '../ablation/sparsitySweeps';
import type { VideoDataset } from '../data/types';
import { datasetFromConfig } from '../train/fromConfig';
import type { TrainConfig } from '../train/config';
import type { ProgressMode } from '../util/progress';
import { stableHash } from '../util/stableHash';
import { localBaseline } from './baselineBlob';
import { bullConnection, probeRedis, redisOptions, safeMessage } from './connection';
import { checkDatasetIdentity, configForDataRoot, datasetIdentityOf } from './datasetIdentity';
import { runLopoFoldJob } from './lopo';
import { RedisNotices } from './notices';
import { JOB_ATTEMPTS, QUEUE_NAME, QUEUE_PREFIX, parseJobPayload, type JobPayload, type LopoFoldJobResult, type RefinementJob, type RefinementJobResult } from './payload';
import type { QueueConnection } from './redisUrl';

export interface QueueWorkerOptions {
  connection: QueueConnection;
  /** Jobs this process runs at once. Default 1 (training uses every core already). */
  concurrency?: number;
  /** Where this machine keeps the datasets (folder, Weizmann or UCF101 root). Default: the job's own path. */
  dataRoot?: string;
  /** Folder for the refinement run folders and the baselines fetched from Redis. */
  workDir: string;
  /**
   * Seconds a job's lock lasts without renewal, and the period of the stalled-job check: a killed worker's job
   * is taken up again after at most about twice this. Default 30 (BullMQ's default).
   */
  lockSeconds?: number;
  /** Training progress display. Default 'lines'. */
  progress?: ProgressMode;
  /** Where status lines go. Default: stderr. */
  log?: (line: string) => void;
  /** Called when this worker finishes or fails an attempt of a job (for `worker --json`). */
  onJob?: (report: WorkerJobReport) => void;
}

/** One attempt of a job, as `worker --json` prints it. */
export interface WorkerJobReport {
  /** The job id: the point's configuration hash. */
  job: string;
  status: 'done' | 'failed';
  /** `refinement` or `lopo-fold`; null for a malformed payload. */
  kind: JobPayload['kind'] | null;
  /** 1-based attempt number (a failed attempt is retried until JOB_ATTEMPTS). */
  attempt: number;
  /** Training time of the point, in seconds (done only). */
  seconds: number | null;
  /** Password-free error message (failed only). */
  error: string | null;
}

export interface QueueWorker {
  /**
   * Stops taking jobs and waits for the running ones. With `force`, abandons them (they stall and are retried
   * elsewhere) and resolves within `FORCED_CLOSE_MS` even when Redis is unreachable (BullMQ's close waits for
   * its clients, which may never answer), dropping the connections.
   */
  close(force?: boolean): Promise<void>;
}

/** How long a forced close waits for BullMQ before dropping the connections, in ms. */
export const FORCED_CLOSE_MS = 3000;

/**
 * `dataset` with its batch generators yielding to the event loop after every batch. Training steps are
 * synchronous; without this, an epoch of in-memory batches would run on microtasks alone, BullMQ's lock-renewal
 * timers would not fire, and a busy worker's job would look stalled.
 */
export function yieldingDataset(dataset: VideoDataset): VideoDataset {
  const yieldAfterEach = <T>(batches: AsyncGenerator<T>): AsyncGenerator<T> =>
    (async function* () {
      for await (const batch of batches) {
        yield batch;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
  return new Proxy(dataset, {
    get(target, property) {
      if (property === 'trainBatches' || property === 'testBatches') {
        return (options: Parameters<VideoDataset['trainBatches']>[0] & Parameters<VideoDataset['testBatches']>[0]) =>
          yieldAfterEach(target[property](options));
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Connects (failing with a one-line error when Redis cannot be used) and starts taking jobs. */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { connection } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  await probeRedis(connection);
  const notices = new RedisNotices(connection.redacted, log, 'worker');
  const blobs = new Redis(redisOptions(connection));
  blobs.on('error', (error) => notices.error(safeMessage(error, connection)));
  // ioredis reconnects by itself; "ready" alone is not proof (a changed password fails right after), a PING is.
  blobs.on('ready', () => {
    if (notices.down) blobs.ping().then(() => notices.recovered(), () => undefined);
  });
  const host = os.hostname();
  const datasets = new Map<string, Promise<VideoDataset>>();
  const lockMs = Math.round((options.lockSeconds ?? 30) * 1000);

  const runRefinement = async (job: RefinementJob): Promise<RefinementJobResult> => {
    const startedAt = Date.now();
    const config: TrainConfig = configForDataRoot(job.refinementBase, options.dataRoot);
    checkDatasetIdentity(job.dataset, datasetIdentityOf(config), options.dataRoot);
    const baselineRunDir = await localBaseline(blobs, job.baseline.blob, options.workDir);
    // One dataset per configuration, kept for the worker's later jobs of the same sweep.
    const dataKey = stableHash({ data: config.data, seed: config.seed });
    if (!datasets.has(dataKey)) {
      const loading = datasetFromConfig(config, options.progress ?? 'lines');
      loading.catch(() => datasets.delete(dataKey)); // a failed load is tried again by the next job
      datasets.set(dataKey, loading);
    }
    const dataset = yieldingDataset(await (datasets.get(dataKey) as Promise<VideoDataset>));
    const runDir = path.join(options.workDir, 'runs', refinementRunName(job.point));
    const result = await runRefinementPoint({
      point: job.point,
      refinementBase: config,
      baselineRunDir,
      baselineEpochs: job.baseline.epochs ?? undefined,
      runDir,
      dataset,
      progress: options.progress ?? 'lines',
    });
    return { result: { ...result, runDir: `${host}:${runDir}` }, seconds: (Date.now() - startedAt) / 1000, worker: host };
  };

  const processJob = async (job: Job): Promise<RefinementJobResult | LopoFoldJobResult> => {
    const parsed = parseJobPayload(job.data);
    if (!parsed.ok) {
      log(`worker: job ${job.id}: malformed payload (${parsed.problem}): failed, not executed`);
      options.onJob?.({ job: String(job.id), status: 'failed', kind: null, attempt: job.attemptsStarted, seconds: null, error: `malformed job payload: ${parsed.problem}` });
      // UnrecoverableError: no retry, the payload would be as malformed the next time.
      throw new UnrecoverableError(`malformed job payload: ${parsed.problem}`);
    }
    const payload = parsed.job;
    const what = payload.kind === 'refinement' ? `${payload.point.variant} q=${payload.point.threshold} λ=${payload.point.sparsityWeight}` : `lopo fold ${payload.point.fold} seed ${payload.point.seed}`;
    log(`worker: job ${job.id}: start (attempt ${job.attemptsStarted} of ${JOB_ATTEMPTS}) ${what}`);
    try {
      const result =
        payload.kind === 'refinement' ? await runRefinement(payload) : await runLopoFoldJob(payload, options.workDir, options.dataRoot, options.progress ?? 'lines');
      log(`worker: job ${job.id}: done in ${result.seconds?.toFixed(1)} s`);
      options.onJob?.({ job: String(job.id), status: 'done', kind: payload.kind, attempt: job.attemptsStarted, seconds: result.seconds ?? null, error: null });
      return result;
    } catch (error) {
      const message = safeMessage(error, connection);
      log(`worker: job ${job.id}: ${message}`);
      options.onJob?.({ job: String(job.id), status: 'failed', kind: payload.kind, attempt: job.attemptsStarted, seconds: null, error: message });
      throw new Error(message);
    }
  };

  const worker = new Worker(QUEUE_NAME, processJob, {
    connection: bullConnection(connection),
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job survives two workers dying under it; the third stall fails it like a third error.
    maxStalledCount: JOB_ATTEMPTS - 1,
  });
  worker.on('error', (error) => notices.error(safeMessage(error, connection)));
  worker.on('stalled', (jobId) => log(`worker: job ${jobId} stalled (its worker stopped renewing the lock): back in the queue`));
  await worker.waitUntilReady();
  log(`worker: taking jobs from ${connection.redacted} (queue ${QUEUE_PREFIX}:${QUEUE_NAME}), concurrency ${options.concurrency ?? 1}, work dir ${options.workDir}${options.dataRoot ? `, data root ${options.dataRoot}` : ''}`);
  return {
    async close(force = false) {
      if (!force) {
        await worker.close(false);
      } else {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, FORCED_CLOSE_MS)));
        await Promise.race([worker.close(true).catch(() => undefined), timeout]);
        clearTimeout(timer);
        // Not awaited: with Redis gone, even disconnecting may wait for an answer; the caller exits anyway.
        void worker.disconnect().catch(() => undefined);
      }
      blobs.disconnect();
    },
  };
}
