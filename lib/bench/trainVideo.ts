/**
 * Training throughput (clips/s) of the study's video model, baseline and delta, on the active TensorFlow.js
 * backend, and, when `/usr/bin/python3` has torch, of the same model in PyTorch (bench/pytorch_train_video.py)
 * timed in the same run: rounds alternate ours and PyTorch's (A B A B …) so that a change of machine load
 * hits both, and each side's clips/s comes from its median step.
 *
 * The model is the study's (lib/study/settings.ts): small CNN with filters 16/32/64, 3x3 stride-2 convs,
 * clips [8, 32, 32, 3], 5 classes, batch 16, Adam at 2e-3; delta variant with λ = 0.3 and q = 0.1. Both sides
 * run one thread: the wasm backend here is the single-threaded build (`wasmThreads` in the result says what
 * tfjs-backend-wasm reports) and the PyTorch script calls torch.set_num_threads(1).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../backend/initBackend';
import { DeltaActivation } from '../layers/deltaActivation';
import { buildSmallCnn } from '../models/smallCnn';
import { createSparsityForward } from '../train/sparsityForward';
import { requireInteger } from '../util/errors';
import { createProgress } from '../util/progress';

/** The Python interpreter the PyTorch comparison uses (Debian's, where python3-torch installs torch). */
export const PYTHON = '/usr/bin/python3';

/** The PyTorch twin of the model, in the repository's bench folder. */
export const PYTORCH_SCRIPT = path.resolve(__dirname, '..', '..', 'bench', 'pytorch_train_video.py');

export const TRAIN_VIDEO_VARIANTS = ['baseline', 'delta'] as const;
export type TrainVideoVariant = (typeof TRAIN_VIDEO_VARIANTS)[number];

export interface TrainVideoArgs {
  /** Backend for our side. Default 'wasm'. */
  backend?: BackendName;
  /** Alternating rounds (ours, then PyTorch's). Default 5. */
  rounds?: number;
  /** Timed training steps per side and round. Default 2. */
  stepsPerRound?: number;
  /** Untimed steps per side before the first round. Default 2. */
  warmup?: number;
  /** Clips per batch. Default 16 (the study's). */
  batchSize?: number;
  /** Skip PyTorch even when it is installed. Default false. */
  noPytorch?: boolean;
  /** No progress display on stderr. Default false. */
  quiet?: boolean;
}

export interface TrainVideoVariantResult {
  /** Clips per second of our training step (batch / median step). */
  clipsPerSec: number;
  /** The same for PyTorch; absent when PyTorch did not run. */
  pytorchClipsPerSec?: number;
  /** clipsPerSec / pytorchClipsPerSec. */
  ratio?: number;
  /** Every timed step, in milliseconds. */
  stepsMs: number[];
  pytorchStepsMs?: number[];
  /** Trainable parameters (weights and thresholds) of our model and of the PyTorch twin: equal when they match. */
  params: number;
  pytorchParams?: number;
}

export interface TrainVideoResult {
  trainVideo: Record<TrainVideoVariant, TrainVideoVariantResult>;
  model: { description: string; inputShape: number[]; batchSize: number; classes: number };
  backend: string;
  /** Threads of the wasm backend as tfjs-backend-wasm reports them (1: single-threaded build). */
  wasmThreads?: number;
  /** PyTorch version and threads, or why it did not run. */
  pytorch: { available: boolean; version?: string; threads?: number; reason?: string };
}

/** The study's model settings (see the module comment). */
const STUDY_MODEL = {
  inputShape: [8, 32, 32, 3] as [number, number, number, number],
  filters: [16, 32, 64],
  kernelSize: 3,
  classes: 5,
  learningRate: 2e-3,
  threshold: 0.1,
  sparsityWeight: 0.3,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Whether `/usr/bin/python3` imports torch; the reason when not. */
export function pytorchAvailability(): { available: boolean; reason?: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error != null) return { available: false, reason: `${PYTHON} not found (${probe.error.message})` };
  if (probe.status !== 0) {
    return { available: false, reason: `${PYTHON} has no torch (Debian: apt-get install python3-torch)` };
  }
  return { available: true };
}

/** The PyTorch script as a line-protocol child process (see bench/pytorch_train_video.py). */
class PytorchRunner {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private stderr = '';

  constructor(config: object) {
    this.child = spawn(PYTHON, [PYTORCH_SCRIPT, JSON.stringify(config)], { stdio: 'pipe' });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    this.lines = readline.createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async next(): Promise<Record<string, unknown>> {
    const line = await this.lines.next();
    if (line.done) throw new Error(`the PyTorch benchmark script stopped: ${this.stderr.trim()}`);
    return JSON.parse(line.value) as Record<string, unknown>;
  }

  async run(variant: TrainVideoVariant, steps: number): Promise<number[]> {
    this.child.stdin.write(`${variant} ${steps}\n`);
    const answer = await this.next();
    return answer.stepsMs as number[];
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}

interface OurSide {
  params: number;
  step: () => void;
  dispose: () => void;
  fanOuts: number[];
}

/** Builds one variant of the study model with its Adam optimizer and a fixed batch; `step` trains once. */
function buildOurSide(variant: TrainVideoVariant, batchSize: number): OurSide {
  const model = buildSmallCnn({
    inputShape: STUDY_MODEL.inputShape,
    classes: STUDY_MODEL.classes,
    filters: STUDY_MODEL.filters,
    kernelSize: STUDY_MODEL.kernelSize,
    variant,
    threshold: STUDY_MODEL.threshold,
    sparsityWeight: STUDY_MODEL.sparsityWeight,
  });
  const forward = createSparsityForward(model);
  const optimizer = tf.train.adam(STUDY_MODEL.learningRate);
  const clips = tf.randomUniform([batchSize, ...STUDY_MODEL.inputShape], 0, 1, 'float32', 7); // [B, T, H, W, C]
  const labels = tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Array.from({ length: batchSize }, (_, i) => i % STUDY_MODEL.classes), 'int32'), STUDY_MODEL.classes),
  );
  return {
    params: model.trainableWeights.reduce((sum, w) => sum + tf.util.sizeFromShape(w.shape as number[]), 0),
    fanOuts: model.layers.filter((layer): layer is DeltaActivation => layer instanceof DeltaActivation).map((layer) => layer.fanOut),
    step: () => {
      const loss = optimizer.minimize(() => {
        const { output, penalty } = forward.apply(clips, { training: true }); // output: logits [B, classes]
        return tf.add(tf.losses.softmaxCrossEntropy(labels, output), penalty) as tf.Scalar;
      }, true);
      // Reading the loss waits for the step's work (as PyTorch's float(loss) does).
      loss?.dataSync();
      loss?.dispose();
    },
    dispose: () => {
      tf.dispose([clips, labels]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

function timeMs(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Runs the benchmark (see the module comment). Restores the previously active backend. */
export async function benchTrainVideo(args: TrainVideoArgs = {}): Promise<TrainVideoResult> {
  const rounds = requireInteger('rounds', args.rounds ?? 5, 1);
  const stepsPerRound = requireInteger('stepsPerRound', args.stepsPerRound ?? 2, 1);
  const warmup = requireInteger('warmup', args.warmup ?? 2, 0);
  const batchSize = requireInteger('batchSize', args.batchSize ?? 16, 1);
  const previous = tf.engine().backendName;
  const choice = await initBackend({ backend: args.backend ?? 'wasm', quiet: true });
  let wasmThreads: number | undefined;
  if (choice.backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasmThreads = wasm.getThreadsCount();
  }
  const availability = args.noPytorch ? { available: false, reason: 'skipped (--no-pytorch)' } : pytorchAvailability();
  const ours = Object.fromEntries(TRAIN_VIDEO_VARIANTS.map((v) => [v, buildOurSide(v, batchSize)])) as Record<TrainVideoVariant, OurSide>;
  let runner: PytorchRunner | null = null;
  let pytorchParams: Record<string, number> = {};
  const result: TrainVideoResult = {
    trainVideo: {} as Record<TrainVideoVariant, TrainVideoVariantResult>,
    model: {
      description: `small CNN ${STUDY_MODEL.filters.join('/')} (3x3 stride 2, ReLU), global average pool, dense, temporal average; Adam`,
      inputShape: [...STUDY_MODEL.inputShape],
      batchSize,
      classes: STUDY_MODEL.classes,
    },
    backend: choice.backend,
    wasmThreads,
    pytorch: { available: availability.available, reason: availability.reason },
  };
  const sides = availability.available ? 2 : 1;
  const progress = createProgress({
    label: 'bench train-video',
    total: TRAIN_VIDEO_VARIANTS.length * sides * (warmup + rounds * stepsPerRound),
    unit: 'steps',
    mode: args.quiet ? 'silent' : 'auto',
  });
  let done = 0;
  try {
    if (availability.available) {
      runner = new PytorchRunner({
        ...STUDY_MODEL,
        batchSize,
        fanOuts: ours.delta.fanOuts,
        variants: [...TRAIN_VIDEO_VARIANTS],
      });
      const ready = await runner.next();
      pytorchParams = ready.params as Record<string, number>;
      result.pytorch.version = String(ready.torch);
      result.pytorch.threads = Number(ready.threads);
    }
    for (const variant of TRAIN_VIDEO_VARIANTS) {
      for (let i = 0; i < warmup; i++) {
        ours[variant].step();
        progress.update(++done, `${variant} warm-up`);
      }
      if (runner != null && warmup > 0) {
        await runner.run(variant, warmup);
        progress.update((done += warmup), `${variant} warm-up (PyTorch)`);
      }
      const stepsMs: number[] = [];
      const pytorchStepsMs: number[] = [];
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < stepsPerRound; i++) {
          stepsMs.push(timeMs(ours[variant].step));
          progress.update(++done, variant);
        }
        if (runner != null) {
          pytorchStepsMs.push(...(await runner.run(variant, stepsPerRound)));
          progress.update((done += stepsPerRound), `${variant} (PyTorch)`);
        }
      }
      const clipsPerSec = (batchSize * 1000) / median(stepsMs);
      const entry: TrainVideoVariantResult = { clipsPerSec, stepsMs, params: ours[variant].params };
      if (runner != null) {
        entry.pytorchClipsPerSec = (batchSize * 1000) / median(pytorchStepsMs);
        entry.ratio = clipsPerSec / entry.pytorchClipsPerSec;
        entry.pytorchStepsMs = pytorchStepsMs;
        entry.pytorchParams = pytorchParams[variant];
      }
      result.trainVideo[variant] = entry;
    }
  } finally {
    progress.stop();
    runner?.close();
    TRAIN_VIDEO_VARIANTS.forEach((v) => ours[v].dispose());
    if (previous && tf.engine().backendName !== previous) await tf.setBackend(previous);
  }
  return result;
}
