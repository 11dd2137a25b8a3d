/** Throughput benchmark of the reference per-frame CNN on each backend. */
export { buildReferenceCnn, referenceCnnFlops, makeTrainStep } from './referenceCnn';
export type { ReferenceCnnArgs, CnnFlops } from './referenceCnn';
export { runBench, benchmarkBackend } from './throughput';
export type { BenchArgs, BenchResult, BackendThroughput } from './throughput';
export { runStreamingBench, formatStreamingBench, timeDensityPoints } from './streaming';
export type { StreamingBenchArgs, StreamingBenchClip, StreamingBenchResult } from './streaming';
export { benchTrainVideo, pytorchAvailability, PYTORCH_SCRIPT, TRAIN_VIDEO_VARIANTS } from './trainVideo';
export type { TrainVideoArgs, TrainVideoResult, TrainVideoVariant, TrainVideoVariantResult } from './trainVideo';
