/**
 * Streaming benchmark: milliseconds per frame of the sparse delta engine (`createSparseEngine`) against dense
 * tfjs inference of the same model on the same backend, on clips of different temporal density.
 *
 * Dense runs two ways: frame by frame (`predict` on [1, 1, H, W, C], what a live stream needs) and the whole
 * clip at once ([1, T, H, W, C], the best case for batched kernels). Both run the model with its delta layers
 * in 'quantized' mode, so all three compute the same logits.
 *
 * Clips: a static clip (one frame repeated), real footage (the bundled UCF101 sample and, when present, a
 * Weizmann clip), and uniform noise (every pixel new every frame). Each is reported with its MAC density:
 * Σ executed MACs / Σ dense MACs over the linear layers and all streamed frames (the first, sent whole,
 * included), as the engine counts them (`SparseLayerStats.macs`, `denseMacs`).
 *
 * The engine runs its WebAssembly SIMD loops by default (`loops`: 'typescript' measures the fallback), on one
 * thread; on wasm, dense convolutions may run in the oneDNN addon on several threads (`denseConvolutions` says).
 *
 * Method: the three measurements are interleaved per repeat (engine, dense frame-by-frame, dense clip), each
 * after an untimed warm-up pass; the median over repeats is reported. The slope of the engine's time against
 * MAC density is an ordinary least-squares fit over the clips.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendName, initBackend } from '../backend/initBackend';
import { FfmpegDecoder } from '../data/ffmpeg';
import { bundledSampleRoot } from '../data/splits';
import { createSparseEngine, SparseEngine, SparseLoops } from '../inference/engine';
import { buildSmallCnn } from '../models/smallCnn';
import { checkpointFolder, loadCheckpointModel, readCheckpointState } from '../train/checkpoint';
import { studyRecipe } from '../study/settings';
import { DeltaSparsityError, requireInteger } from '../util/errors';
import { createProgress } from '../util/progress';
import { leastSquares } from '../util/leastSquares';
import { SeededRandom } from '../util/random';
import type { TimeDensityPoint } from '../viz/figures';

export interface StreamingBenchArgs {
  /**
   * A trained run folder (with `checkpoint/`) whose model to use. Default: the study's delta run
   * (`reports/study/runs/weizmann/full/split/seed-1/delta`, what `npm start` trains) when it has a checkpoint, else the study's delta architecture
   * (small CNN 16/32/64, 32 px) with untrained weights and q = 0.1.
   */
  run?: string;
  /** Frames per clip (T). Default 64. */
  frames?: number;
  /** Timed repeats (median reported). Default 5. */
  repeats?: number;
  /** Backend. Default: `initBackend`'s choice. */
  backend?: BackendName;
  /** Folder of the Weizmann set (`<action>/<person>_<action>.avi`). Default `data/weizmann` of this package. */
  weizmannRoot?: string;
  /** UCF101 sample video. Default: the first bundled sample (data/ucf101-samples). */
  ucf101Video?: string;
  /** The sparse engine's loops ('wasm' SIMD or 'typescript'; `SparseEngineOptions.loops`). Default 'wasm'. */
  loops?: SparseLoops;
  /** No progress display. Default false. */
  quiet?: boolean;
}

/** One clip's measurement (the JSON fields the issue fixes, plus what the table prints). */
export interface StreamingBenchClip {
  name: string;
  /** Executed / dense multiply-accumulates of the linear layers over the clip (0..1). */
  macDensity: number;
  /** Sparse engine, ms per frame (median over repeats). */
  sparseMsPerFrame: number;
  /** Dense tfjs, frame by frame (batch 1), ms per frame. */
  denseMsPerFrame: number;
  /** Dense tfjs, whole clip in one call, ms per frame. */
  denseClipMsPerFrame: number;
  /** Where the frames came from (a file, or how they were made). */
  source: string;
}

export interface StreamingBenchResult {
  streaming: {
    backend: string;
    model: { description: string; trained: boolean; run: string | null; frameShape: number[] };
    /** The sparse engine's loops that ran. */
    loops: SparseLoops;
    /** On wasm: who computed the dense model's convolutions (the oneDNN addon, possibly multi-threaded, or wasm). */
    denseConvolutions: string | null;
    /** Logical CPUs and the 1-minute load average before and after the measurement (timings are wall-clock). */
    machine: { cpus: number; loadBefore: number; loadAfter: number };
    frames: number;
    repeats: number;
    clips: StreamingBenchClip[];
    /** Least-squares fit sparseMsPerFrame ≈ intercept + slope · macDensity over the clips (ms, ms per unit density). */
    fit: { slopeMs: number; interceptMs: number };
    /** Clips skipped and why. */
    notes: string[];
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Decodes up to `frames` frames of a video at size×size as floats in [0, 1]: [T, size, size, 3]. */
async function videoFrames(file: string, frames: number, size: number): Promise<Float32Array> {
  const video = await new FfmpegDecoder().decode(file, { height: size, width: size, frameStride: 1 });
  const count = Math.min(frames, video.frameCount);
  if (count < 2) throw new DeltaSparsityError(`${file}: expected a video of at least 2 frames. Received: ${video.frameCount} frames`);
  const out = new Float32Array(count * size * size * 3);
  for (let i = 0; i < out.length; i++) out[i] = video.frames[i] / 255;
  return out;
}

function firstVideo(root: string): string | null {
  if (!fs.existsSync(root)) return null;
  for (const dir of fs.readdirSync(root).sort()) {
    const folder = path.join(root, dir);
    if (!fs.statSync(folder).isDirectory()) continue;
    const video = fs.readdirSync(folder).sort().find((f) => f.endsWith('.avi'));
    if (video) return path.join(folder, video);
  }
  return null;
}

/** The Weizmann clip used: a walk (a person crossing a still background), else the first video found. */
function weizmannVideo(root: string): string | null {
  const walk = path.join(root, 'walk', 'daria_walk.avi');
  return fs.existsSync(walk) ? walk : firstVideo(root);
}

async function benchModel(args: StreamingBenchArgs): Promise<{ model: tf.LayersModel; trained: boolean; run: string | null; description: string }> {
  const defaultRun = path.join(studyRecipe({}).root, 'delta');
  const run = args.run ?? (readCheckpointState(defaultRun) !== undefined ? defaultRun : undefined);
  if (run !== undefined) {
    if (readCheckpointState(run) === undefined) {
      throw new DeltaSparsityError(`run: expected a run folder with a checkpoint (${checkpointFolder(run)}). Received: run=${JSON.stringify(run)}`);
    }
    const model = await loadCheckpointModel(run);
    return { model, trained: true, run, description: `trained model of ${run}` };
  }
  // The study's architecture (what `npm start` trains), untrained; batch norms fold away at identity statistics.
  const model = buildSmallCnn({ inputShape: [null, 32, 32, 3], classes: 10, filters: [32, 64, 128, 256], variant: 'delta', threshold: 0.1, batchNorm: true });
  return { model, trained: false, run: null, description: 'small CNN 32/64/128/256 with batch norm, 32x32, delta layers at q = 0.1, untrained weights' };
}

function timePerFrame(frames: number, run: () => void): number {
  const start = performance.now();
  run();
  return (performance.now() - start) / frames;
}

function streamClip(engine: SparseEngine, clip: Float32Array, frames: number, frameSize: number): void {
  engine.reset();
  for (let t = 0; t < frames; t++) engine.step(clip.subarray(t * frameSize, (t + 1) * frameSize));
}

/** Runs the streaming benchmark (see the module comment). Restores the previously active backend. */
export async function runStreamingBench(args: StreamingBenchArgs = {}): Promise<StreamingBenchResult> {
  const frames = requireInteger('frames', args.frames ?? 64, 2);
  const repeats = requireInteger('repeats', args.repeats ?? 5, 1);
  const previous = tf.getBackend();
  const choice = await initBackend({ backend: args.backend, quiet: true });
  const { model, trained, run, description } = await benchModel(args);
  const notes: string[] = [];
  try {
    const frameShape = model.inputs[0].shape.slice(2) as number[];
    const [size] = frameShape;
    if (frameShape.length !== 3 || frameShape[0] !== frameShape[1] || frameShape[2] !== 3) {
      throw new DeltaSparsityError(`run: expected a model of square RGB frames. Received: frames [${frameShape.join(', ')}]`);
    }
    const frameSize = size * size * 3;

    const clips: { name: string; source: string; data: Float32Array }[] = [];
    const ucf = args.ucf101Video ?? firstVideo(bundledSampleRoot());
    const ucfFrames = ucf == null ? null : await videoFrames(ucf, frames, size);
    if (ucf == null || ucfFrames == null) notes.push('UCF101 sample: no video found in data/ucf101-samples; static clip and UCF101 clip skipped');
    else {
      const still = new Float32Array(frames * frameSize);
      for (let t = 0; t < frames; t++) still.set(ucfFrames.subarray(0, frameSize), t * frameSize);
      clips.push({ name: 'static', source: `first frame of ${path.basename(ucf)}, repeated`, data: still });
      clips.push({ name: 'ucf101', source: path.relative(process.cwd(), ucf), data: ucfFrames });
    }
    const weizmannRoot = args.weizmannRoot ?? path.resolve(__dirname, '..', '..', 'data', 'weizmann');
    const weizmann = weizmannVideo(weizmannRoot);
    if (weizmann == null) notes.push(`Weizmann clip skipped: no videos under ${weizmannRoot}`);
    else clips.push({ name: 'weizmann', source: path.relative(process.cwd(), weizmann), data: await videoFrames(weizmann, frames, size) });
    const random = new SeededRandom(17);
    clips.push({ name: 'noise', source: 'uniform noise in [0, 1], new every frame (seed 17)', data: Float32Array.from({ length: frames * frameSize }, () => random.next()) });

    const engine = createSparseEngine(model, { loops: args.loops });
    if (engine.deltaLayers === 0) {
      notes.push('the model has no delta layers, so nothing is skipped for being unchanged: every frame recomputes every layer (zeros skipped)');
    }
    const loadBefore = os.loadavg()[0];
    const progress = createProgress({ label: 'bench streaming', total: clips.length * repeats, unit: 'repeats', mode: args.quiet ? 'silent' : 'auto' });
    const results: StreamingBenchClip[] = [];
    try {
      for (const clip of clips) {
        const t = clip.data.length / frameSize;
        const frameTensors = Array.from({ length: t }, (_, k) => clip.data.subarray(k * frameSize, (k + 1) * frameSize));
        const denseFrames = (): void => {
          for (const frame of frameTensors) {
            const out = tf.tidy(() => model.predict(tf.tensor(frame, [1, 1, ...frameShape])) as tf.Tensor);
            out.dataSync();
            out.dispose();
          }
        };
        const denseClip = (): void => {
          const out = tf.tidy(() => model.predict(tf.tensor(clip.data, [1, t, ...frameShape])) as tf.Tensor);
          out.dataSync();
          out.dispose();
        };
        // Untimed warm-up (JIT of the engine's loops; tfjs kernels and weights on the backend).
        streamClip(engine, clip.data, t, frameSize);
        denseFrames();
        denseClip();
        const stats = engine.stats();
        const macDensity = stats.reduce((a, s) => a + s.macs, 0) / stats.reduce((a, s) => a + s.denseMacs, 0);
        const sparse: number[] = [];
        const dense: number[] = [];
        const denseWhole: number[] = [];
        for (let r = 0; r < repeats; r++) {
          sparse.push(timePerFrame(t, () => streamClip(engine, clip.data, t, frameSize)));
          dense.push(timePerFrame(t, denseFrames));
          denseWhole.push(timePerFrame(t, denseClip));
          progress.update(results.length * repeats + r + 1, clip.name);
        }
        results.push({
          name: clip.name,
          macDensity,
          sparseMsPerFrame: median(sparse),
          denseMsPerFrame: median(dense),
          denseClipMsPerFrame: median(denseWhole),
          source: clip.source,
        });
      }
    } finally {
      progress.stop();
      engine.dispose();
    }
    const fit = leastSquares(results.map((c) => c.macDensity), results.map((c) => c.sparseMsPerFrame));
    return {
      streaming: {
        backend: choice.backend,
        model: { description, trained, run, frameShape },
        loops: engine.loops,
        denseConvolutions: choice.convKernels == null ? null : `${choice.convKernels.provider} (${choice.convKernels.reason})`,
        machine: { cpus: os.cpus().length, loadBefore, loadAfter: os.loadavg()[0] },
        frames,
        repeats,
        clips: results,
        fit: { slopeMs: fit.slope, interceptMs: fit.intercept },
        notes,
      },
    };
  } finally {
    model.dispose();
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
  }
}

/** The measured points of a streaming benchmark, for `timeVersusDensityFigure`. */
export function timeDensityPoints(result: StreamingBenchResult): TimeDensityPoint[] {
  return result.streaming.clips.map(({ name, macDensity, sparseMsPerFrame, denseMsPerFrame, denseClipMsPerFrame }) => ({
    name,
    macDensity,
    sparseMsPerFrame,
    denseMsPerFrame,
    denseClipMsPerFrame,
  }));
}

/** The benchmark as a text table with speed-ups and the fitted slope. */
export function formatStreamingBench(result: StreamingBenchResult): string {
  const s = result.streaming;
  const lines = [
    `streaming inference, backend ${s.backend}, ${s.model.description}; ${s.frames} frames per clip, median of ${s.repeats}` +
      (s.repeats < 3 ? ' (fewer than 3 repeats: a smoke test, not a measurement)' : ''),
    `sparse engine: ${s.loops} loops, one thread; dense convolutions: ${s.denseConvolutions ?? s.backend}; ` +
      `${s.machine.cpus} CPUs, load average ${s.machine.loadBefore.toFixed(1)} before, ${s.machine.loadAfter.toFixed(1)} after`,
    'clip        MAC density  sparse ms/frame  dense ms/frame  dense-clip ms/frame  vs dense  vs dense-clip',
  ];
  for (const c of s.clips) {
    lines.push(
      `${c.name.padEnd(10)} ${(100 * c.macDensity).toFixed(1).padStart(10)}% ${c.sparseMsPerFrame.toFixed(3).padStart(16)} ` +
        `${c.denseMsPerFrame.toFixed(3).padStart(15)} ${c.denseClipMsPerFrame.toFixed(3).padStart(20)} ` +
        `${(c.denseMsPerFrame / c.sparseMsPerFrame).toFixed(1).padStart(8)}x ${(c.denseClipMsPerFrame / c.sparseMsPerFrame).toFixed(1).padStart(12)}x`,
    );
  }
  const still = s.clips.find((c) => c.name === 'static');
  const noise = s.clips.find((c) => c.name === 'noise');
  if (still && noise) lines.push(`noise / static engine time: ${(noise.sparseMsPerFrame / still.sparseMsPerFrame).toFixed(1)}x`);
  lines.push(`engine time ≈ ${s.fit.interceptMs.toFixed(3)} ms + ${s.fit.slopeMs.toFixed(3)} ms × MAC density (least squares over the clips)`);
  for (const note of s.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}
