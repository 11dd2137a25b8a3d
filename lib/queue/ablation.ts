/**
 * `ablate --baseline ... --queue URL`: the training sweep of lib/ablation with its points run by queue workers.
 * The points, their keys and the results store are exactly those of the local `trainingSweep`, so a sweep may
 * be started locally and finished on the queue, or the other way round.
 */
import { Redis } from 'ioredis';
import { openAblationStore, planTrainingSweep, type AblationPoint, type AblationResult, type TrainingSweepOptions } from '../ablation/sparsitySweeps';
import { packBaseline, publishBlob } from './baselineBlob';
import { redisOptions } from './connection';
import { runQueuedSweep, type QueuedSweepOutcome } from './coordinator';
import { datasetIdentityOf } from './datasetIdentity';
import { refinementResultSchema, type RefinementJob } from './payload';
import type { QueueConnection } from './redisUrl';

export interface QueuedTrainingSweepOptions extends Omit<TrainingSweepOptions, 'dataset' | 'runsRoot'> {
  connection: QueueConnection;
  /** Not used by queued points (each worker keeps its run folders in its own work dir); accepted for symmetry. */
  runsRoot?: string;
  /** How often the coordinator looks at its jobs, in ms. Default 500. */
  pollMs?: number;
}

/** Plans the sweep as `trainingSweep` does, publishes the baseline once, and runs the missing points on the queue. */
export async function queuedTrainingSweep(options: QueuedTrainingSweepOptions): Promise<QueuedSweepOutcome<AblationPoint, AblationResult>> {
  const { points, refinementBase, baselineEpochs } = planTrainingSweep({ ...options, runsRoot: options.runsRoot ?? options.storeFile + '.runs' });
  const store = openAblationStore(options.storeFile);
  let blob: string | undefined;
  let dataset: RefinementJob['dataset'] | undefined;
  return runQueuedSweep<AblationPoint, AblationResult>({
    connection: options.connection,
    points,
    store,
    progress: options.progress,
    onPoint: options.onPoint,
    pollMs: options.pollMs,
    result: refinementResultSchema,
    beforeEnqueue: async () => {
      dataset = datasetIdentityOf(refinementBase);
      const redis = new Redis({ ...redisOptions(options.connection), lazyConnect: true });
      redis.on('error', () => undefined); // the probe has just succeeded; a failure here rejects the SET below
      try {
        blob = await publishBlob(redis, packBaseline(options.baselineRunDir));
      } finally {
        redis.disconnect();
      }
    },
    payload: (point, key): RefinementJob => ({
      version: 1,
      kind: 'refinement',
      key,
      point,
      refinementBase,
      baseline: { blob: blob as string, epochs: baselineEpochs ?? null },
      dataset: dataset as RefinementJob['dataset'],
    }),
  });
}
