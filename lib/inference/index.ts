/** Sparse streaming delta inference: per-frame work proportional to the number of changes. */
export { createSparseEngine, roundHalfEven } from './engine';
export type { SparseEngine, SparseEngineOptions, SparseLayerStats, SparseLoops } from './engine';
