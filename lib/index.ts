/**
 * delta-sparsity: the public API. Everything a script or notebook needs is exported from here;
 * modules not re-exported here are internal.
 */
export * from './util/errors';
export { SeededRandom } from './util/random';
export { leastSquares } from './util/leastSquares';
export { createProgress } from './util/progress';
export { dataFrameOf } from './util/dataFrame';
export type { DataFrame } from './util/dataFrame';
export { createStaleBuildCheck, warnIfStaleBuild } from './util/staleBuild';
export type { StaleBuildCheck } from './util/staleBuild';
export type { Progress, ProgressOptions, ProgressMode, ProgressSink } from './util/progress';
export * from './viz';
export * from './hardware';
export * from './backend';
export * from './bench';
export * from './data';
export * from './layers';
export * from './models';
export * from './sparsity';
export * from './inference';
export * from './train';
export * from './ablation';
export * from './study';
export { queuedTrainingSweep, queuedLopoStudy, startQueueWorker, parseQueueUrl } from './queue';
export type { QueueConnection, QueueWorker, QueueWorkerOptions, QueuedSweepOutcome } from './queue';
