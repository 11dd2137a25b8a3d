/**
 * Every benchmark (scripts print their numbers; no timed assertions): backend throughput of the reference
 * per-frame CNN, the sparse streaming engine, training clips/s against PyTorch, video decoding.
 */
export { buildReferenceCnn, referenceCnnFlops, makeTrainStep, crossEntropy } from './referenceCnn';
export type { ReferenceCnnArgs, CnnFlops } from './referenceCnn';
export { runBench, benchmarkBackend, formatBench } from './throughput';
export type { BenchArgs, BenchResult, BackendThroughput } from './throughput';
export { runStreamingBench, formatStreamingBench, timeDensityPoints } from './streaming';
export type { StreamingBenchArgs, StreamingBenchClip, StreamingBenchResult } from './streaming';
export { benchTrainVideo, pytorchAvailability, PYTORCH_SCRIPT, TRAIN_VIDEO_VARIANTS } from './trainVideo';
export type { TrainVideoArgs, TrainVideoResult, TrainVideoVariant, TrainVideoVariantResult } from './trainVideo';
export { benchmarkDecoding, formatDecodeBenchmark } from './decoding';
export type { DecodeBenchmarkOptions, DecodeBenchmarkResult, ThroughputMeasurement } from './decoding';
