/**
 * delta-sparsity: the public API. Everything a script or notebook needs is exported from here;
 * modules not re-exported here are internal.
 */
export * from './util/errors';
export { SeededRandom } from './util/random';
export { createProgress } from './util/progress';
export type { Progress, ProgressOptions, ProgressMode } from './util/progress';
