/**
 * Streaming delta inference, frame by frame: the tfjs reference (`createStreamingModel`: dense tfjs ops on
 * each frame's changes, the exact result) and the sparse engine (per-frame work proportional to the number of changes).
 */
export { createStreamingModel } from './streaming';
export type { StreamingModel, StreamingLayerStats } from './streaming';
export { createSparseEngine, roundHalfEven } from './engine';
export type { SparseEngine, SparseEngineOptions, SparseLayerStats, SparseLoops } from './engine';
