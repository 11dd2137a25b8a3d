/**
 * Training and inference throughput of the reference CNN on each backend, measured in one process
 * (tfjs switches backends with tf.setBackend; each backend gets a freshly built model).
 *
 * Method: random input frames and one-hot labels of a fixed seed; `warmup` untimed steps (the first step
 * also creates Adam's slot variables and, on wasm, XNNPACK operators); then `repeats` timed steps, each
 * ending with a read of its result so that the work is done; the reported time is the median step.
 * The `cpu` backend is 100x+ slower, so it runs with a smaller batch (`cpuBatchSize`): its per-frame cost
 * does not depend on the batch size, and frames/s is reported per frame.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, BackendName, initBackend, isBackendAvailable } from '../backend/initBackend';
import { requireInteger, requireOneOf } from '../util/errors';
import { createProgress } from '../util/progress';
import { buildReferenceCnn, CnnFlops, makeTrainStep, referenceCnnFlops } from './referenceCnn';

export interface BenchArgs {
  /** Backends to measure. Default: every available one, best first. */
  backends?: BackendName[];
  /** Timed repeats per measurement; the median is reported. Default 5. */
  repeats?: number;
  /** Untimed warm-up steps before timing. Default 1. */
  warmup?: number;
  /** Frames per batch. Default 32. */
  batchSize?: number;
  /** Frames per batch on the slow `cpu` backend. Default 4. */
  cpuBatchSize?: number;
  /** Input frame size (square). Default 64. */
  inputSize?: number;
  /** No progress display on stderr. Default false. */
  quiet?: boolean;
}

export interface BackendThroughput {
  /** Training frames per second (batch / median step time). */
  trainFramesPerSec: number;
  /** Inference frames per second (batch / median predict time). */
  inferFramesPerSec: number;
  /** Achieved GFLOP/s while training (analytic FLOPs per frame x frames/s). */
  trainGflopsPerSec: number;
  /** Achieved GFLOP/s while inferring. */
  inferGflopsPerSec: number;
  batchSize: number;
  repeats: number;
  /** Median milliseconds per training step / per inference batch. */
  trainStepMs: number;
  inferBatchMs: number;
  /** Every timed training step, in milliseconds. */
  trainStepsMs: number[];
  inferBatchesMs: number[];
}

export interface BenchResult {
  backends: Partial<Record<BackendName, BackendThroughput>>;
  /** Backends that were requested or probed but are not available, with the reason. */
  unavailable: Partial<Record<BackendName, string>>;
  model: { description: string; inputSize: number; flops: CnnFlops };
  /** wasm training frames/s divided by cpu training frames/s (when both ran). */
  wasmOverCpuTrain?: number;
  wasmOverCpuInfer?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timeMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Measures one backend (which must be available); restores nothing (the caller does). */
export async function benchmarkBackend(
  backend: BackendName,
  args: Omit<BenchArgs, 'backends'> = {},
): Promise<BackendThroughput> {
  const repeats = requireInteger('repeats', args.repeats ?? 5, 1);
  const warmup = requireInteger('warmup', args.warmup ?? 1, 0);
  const batchSize = requireInteger(
    backend === 'cpu' ? 'cpuBatchSize' : 'batchSize',
    backend === 'cpu' ? (args.cpuBatchSize ?? 4) : (args.batchSize ?? 32),
    1,
  );
  const inputSize = requireInteger('inputSize', args.inputSize ?? 64, 4);
  await initBackend({ backend, quiet: true });
  const flops = referenceCnnFlops({ inputSize });
  const progress = createProgress({
    label: `bench ${backend}`,
    total: 2 * (warmup + repeats),
    unit: 'steps',
    mode: args.quiet ? 'silent' : 'auto',
  });
  const model = buildReferenceCnn({ inputSize });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([batchSize, inputSize, inputSize, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.tidy(
    () => tf.oneHot(tf.randomUniform([batchSize], 0, 10, 'int32', 8) as tf.Tensor1D, 10).toFloat() as tf.Tensor2D,
  );
  let done = 0;
  try {
    const step = makeTrainStep(model, optimizer);
    const trainStepsMs: number[] = [];
    for (let i = 0; i < warmup + repeats; i++) {
      const ms = timeMs(() => step(x, labels));
      if (i >= warmup) trainStepsMs.push(ms);
      progress.update(++done, 'train');
    }
    const inferBatchesMs: number[] = [];
    for (let i = 0; i < warmup + repeats; i++) {
      const ms = timeMs(() => {
        const probs = model.predict(x) as tf.Tensor;
        probs.dataSync();
        probs.dispose();
      });
      if (i >= warmup) inferBatchesMs.push(ms);
      progress.update(++done, 'infer');
    }
    const trainStepMs = median(trainStepsMs);
    const inferBatchMs = median(inferBatchesMs);
    const trainFramesPerSec = (batchSize * 1000) / trainStepMs;
    const inferFramesPerSec = (batchSize * 1000) / inferBatchMs;
    return {
      trainFramesPerSec,
      inferFramesPerSec,
      trainGflopsPerSec: (trainFramesPerSec * flops.trainPerFrame) / 1e9,
      inferGflopsPerSec: (inferFramesPerSec * flops.forwardPerFrame) / 1e9,
      batchSize,
      repeats,
      trainStepMs,
      inferBatchMs,
      trainStepsMs,
      inferBatchesMs,
    };
  } finally {
    progress.stop();
    x.dispose();
    labels.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Runs the benchmark on each requested (default: each available) backend, in one process, and
 * restores the backend that was active before.
 */
export async function runBench(args: BenchArgs = {}): Promise<BenchResult> {
  const requested = args.backends ?? [...BACKEND_NAMES];
  requested.forEach((name, i) => requireOneOf(`backends[${i}]`, name, BACKEND_NAMES));
  const previous = tf.engine().backendName;
  const inputSize = args.inputSize ?? 64;
  const result: BenchResult = {
    backends: {},
    unavailable: {},
    model: {
      description: 'conv3x3/2 16-32-64 ReLU, global average pool, dense 10 softmax; Adam',
      inputSize,
      flops: referenceCnnFlops({ inputSize }),
    },
  };
  try {
    for (const name of [...new Set(requested)]) {
      const availability = await isBackendAvailable(name);
      if (!availability.available) {
        result.unavailable[name] = availability.reason;
        continue;
      }
      result.backends[name] = await benchmarkBackend(name, args);
    }
  } finally {
    if (previous && tf.engine().backendName !== previous) await tf.setBackend(previous);
  }
  const { wasm, cpu } = result.backends;
  if (wasm && cpu) {
    result.wasmOverCpuTrain = wasm.trainFramesPerSec / cpu.trainFramesPerSec;
    result.wasmOverCpuInfer = wasm.inferFramesPerSec / cpu.inferFramesPerSec;
  }
  return result;
}

/**
 * The benchmark as a text table. The header says how many timed repeats each median is of; with fewer than 3
 * (`bench --quick`) it says the numbers are a smoke test, not a measurement, as `bench --streaming` does: the
 * median of one or two timings on a shared machine is one noisy sample, and quick mode's 16×16 frames and
 * batches of 4 (cpu: 2) measure overheads more than arithmetic. The wasm / cpu ratio names both batch sizes
 * when they differ, since frames/s depends on the batch.
 */
export function formatBench(result: BenchResult): string {
  const measured = Object.values(result.backends).filter((r): r is BackendThroughput => r !== undefined);
  const repeats = measured.length > 0 ? Math.min(...measured.map((r) => r.repeats)) : 0;
  const lines = [
    `reference CNN (${result.model.description}), input ${result.model.inputSize}x${result.model.inputSize}x3; ` +
      `${(result.model.flops.trainPerFrame / 1e6).toFixed(1)} MFLOP/frame training, ` +
      `${(result.model.flops.forwardPerFrame / 1e6).toFixed(1)} MFLOP/frame inference; median of ${repeats} timed repeat${repeats === 1 ? '' : 's'}` +
      (repeats < 3 ? ' (fewer than 3 repeats: a smoke test, not a measurement)' : ''),
    'backend     batch  train frames/s  train GFLOP/s  infer frames/s  infer GFLOP/s',
  ];
  for (const [name, r] of Object.entries(result.backends)) {
    if (r === undefined) continue;
    lines.push(
      `${name.padEnd(10)} ${String(r.batchSize).padStart(6)} ${r.trainFramesPerSec.toFixed(1).padStart(15)} ` +
        `${r.trainGflopsPerSec.toFixed(2).padStart(14)} ${r.inferFramesPerSec.toFixed(1).padStart(15)} ` +
        `${r.inferGflopsPerSec.toFixed(2).padStart(14)}`,
    );
  }
  for (const [name, reason] of Object.entries(result.unavailable)) lines.push(`${name.padEnd(10)} unavailable: ${reason}`);
  if (result.wasmOverCpuTrain !== undefined && result.wasmOverCpuInfer !== undefined) {
    const wasm = result.backends.wasm?.batchSize;
    const cpu = result.backends.cpu?.batchSize;
    lines.push(
      `wasm / cpu frames/s: training ${result.wasmOverCpuTrain.toFixed(1)}x, inference ${result.wasmOverCpuInfer.toFixed(1)}x` +
        (wasm !== cpu ? ` (wasm batch ${wasm}, cpu batch ${cpu})` : ''),
    );
  }
  return lines.join('\n');
}
