/**
 * Sweeps and leave-one-subject-out folds as BullMQ jobs on Redis (`delta-sparsity/queue`): the coordinators, the
 * worker, and the URL helpers. The job payload schema, queue names and connection probing stay internal.
 */
export { parseQueueUrl, redactUrl } from './redisUrl';
export type { QueueConnection } from './redisUrl';
export type { QueuedSweepOutcome, FailedPoint } from './coordinator';
export { startQueueWorker } from './worker';
export type { QueueWorker, QueueWorkerOptions, WorkerJobReport } from './worker';
export { DATA_ROOT_ENV } from './datasetIdentity';
export { queuedTrainingSweep } from './ablation';
export type { QueuedTrainingSweepOptions } from './ablation';
export { queuedLopoStudy } from './lopo';
export type { QueuedLopoStudyResult } from './lopo';
export type { DatasetIdentity } from './payload';
