/**
 * Clip sampling shared by every dataset: windows of T consecutive (already strided) frames, random offsets for
 * training and evenly spread deterministic offsets for testing, uint8 augmentation, and batch assembly into
 * float [B, T, H, W, 3] in [0, 1].
 */
import { invalidArgument, requireInteger } from '../util/errors';
import { SeededRandom } from '../util/random';
import { stableHash } from '../util/stableHash';
import type {
  AugmentationOptions,
  ClipBatch,
  DatasetDescription,
  TestBatchOptions,
  TrainBatchOptions,
  SkippedVideo,
  VideoDataset,
} from './types';

/** A 32-bit seed derived from a base seed and any labels (epoch, split, index), stable across runs and platforms. */
export function deriveSeed(...parts: (string | number)[]): number {
  return Number.parseInt(stableHash(parts, 8), 16) | 0;
}

/**
 * `count` window offsets spread evenly over a video of `frameCount` sampled frames: one window is centred,
 * several run from the first possible offset to the last. Offsets may repeat when the video is barely longer
 * than the clip, so that every video contributes exactly `count` test clips.
 */
export function testWindowOffsets(frameCount: number, clipLength: number, count: number): number[] {
  requireInteger('testWindowsPerVideo', count, 1);
  const maxOffset = frameCount - clipLength;
  if (maxOffset < 0) {
    throw invalidArgument('frameCount', `at least clipLength=${clipLength} sampled frames`, frameCount);
  }
  if (count === 1) return [Math.floor(maxOffset / 2)];
  return Array.from({ length: count }, (_, i) => Math.round((i * maxOffset) / (count - 1)));
}

/** A uniformly random window offset in [0, frameCount - clipLength]. */
export function randomWindowOffset(frameCount: number, clipLength: number, random: SeededRandom): number {
  const maxOffset = frameCount - clipLength;
  if (maxOffset < 0) {
    throw invalidArgument('frameCount', `at least clipLength=${clipLength} sampled frames`, frameCount);
  }
  return random.int(maxOffset + 1);
}

/** Mirrors every frame of a uint8 clip [T, H, W, 3] left-right into a new array. */
export function flipClipHorizontal(clip: Uint8Array, frames: number, height: number, width: number): Uint8Array {
  const out = new Uint8Array(clip.length);
  const rowBytes = width * 3;
  for (let row = 0; row < frames * height; row++) {
    const base = row * rowBytes;
    for (let x = 0; x < width; x++) {
      const from = base + x * 3;
      const to = base + (width - 1 - x) * 3;
      out[to] = clip[from];
      out[to + 1] = clip[from + 1];
      out[to + 2] = clip[from + 2];
    }
  }
  return out;
}

/** A crop rectangle in pixels of the source frame. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/**
 * Cuts the same `box` out of every frame of a uint8 clip [T, H, W, 3] and resizes it to [T, outH, outW, 3]
 * by nearest neighbour (pixel centres mapped), so the output keeps the clip's size.
 */
export function cropAndResizeClip(
  clip: Uint8Array,
  frames: number,
  height: number,
  width: number,
  box: CropBox,
  outHeight = height,
  outWidth = width,
): Uint8Array {
  const out = new Uint8Array(frames * outHeight * outWidth * 3);
  const sourceX = new Int32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    sourceX[x] = box.left + Math.min(box.width - 1, Math.floor(((x + 0.5) * box.width) / outWidth));
  }
  for (let t = 0; t < frames; t++) {
    const frameBase = t * height * width * 3;
    for (let y = 0; y < outHeight; y++) {
      const sy = box.top + Math.min(box.height - 1, Math.floor(((y + 0.5) * box.height) / outHeight));
      const sourceRow = frameBase + sy * width * 3;
      let target = ((t * outHeight + y) * outWidth) * 3;
      for (let x = 0; x < outWidth; x++) {
        const source = sourceRow + sourceX[x] * 3;
        out[target++] = clip[source];
        out[target++] = clip[source + 1];
        out[target++] = clip[source + 2];
      }
    }
  }
  return out;
}

/** Checks augmentation options, filling defaults. */
export function resolveAugmentation(options: AugmentationOptions | undefined): Required<AugmentationOptions> {
  const resolved = {
    horizontalFlip: options?.horizontalFlip ?? false,
    randomCrop: options?.randomCrop ?? false,
    minCropScale: options?.minCropScale ?? 0.8,
  };
  if (!(resolved.minCropScale > 0 && resolved.minCropScale <= 1)) {
    throw invalidArgument('augmentation.minCropScale', 'a number in (0, 1]', resolved.minCropScale);
  }
  return resolved;
}

/**
 * Applies the enabled augmentations to a uint8 clip [T, H, W, 3] with draws from `random` (always the same
 * number of draws per enabled option, so a seed fixes the whole epoch). Returns whether the clip was mirrored,
 * because mirroring changes the label of direction classes in the synthetic set.
 */
export function augmentClip(
  clip: Uint8Array,
  frames: number,
  height: number,
  width: number,
  options: Required<AugmentationOptions>,
  random: SeededRandom,
): { clip: Uint8Array; flipped: boolean } {
  let result = clip;
  let flipped = false;
  if (options.randomCrop) {
    const scale = random.uniform(options.minCropScale, 1);
    const cropHeight = Math.max(1, Math.round(height * scale));
    const cropWidth = Math.max(1, Math.round(width * scale));
    const top = random.int(height - cropHeight + 1);
    const left = random.int(width - cropWidth + 1);
    result = cropAndResizeClip(result, frames, height, width, { top, left, height: cropHeight, width: cropWidth });
  }
  if (options.horizontalFlip) {
    flipped = random.next() < 0.5;
    if (flipped) result = flipClipHorizontal(result, frames, height, width);
  }
  return { clip: result, flipped };
}

/** One clip ready to go into a batch. */
export interface BatchItem {
  /** [T, H, W, 3] uint8. */
  frames: Uint8Array;
  label: number;
  videoId: string;
  offset: number;
}

/** Converts uint8 clips into one float batch [B, T, H, W, 3] in [0, 1]. */
export function assembleBatch(items: BatchItem[], clipLength: number, height: number, width: number): ClipBatch {
  const clipSize = clipLength * height * width * 3;
  const clips = new Float32Array(items.length * clipSize);
  const labels = new Int32Array(items.length);
  const offsets = new Int32Array(items.length);
  const scale = 1 / 255;
  items.forEach((item, b) => {
    if (item.frames.length !== clipSize) {
      throw invalidArgument(`clip ${item.videoId}`, `${clipSize} bytes ([${clipLength}, ${height}, ${width}, 3])`, item.frames.length);
    }
    const base = b * clipSize;
    const frames = item.frames;
    for (let i = 0; i < clipSize; i++) clips[base + i] = frames[i] * scale;
    labels[b] = item.label;
    offsets[b] = item.offset;
  });
  return {
    clips,
    shape: [items.length, clipLength, height, width, 3],
    labels,
    videoIds: items.map((item) => item.videoId),
    offsets,
  };
}

/** A video as the window sampler sees it: how many sampled frames it has and how to read a window. */
export interface IndexedVideo {
  id: string;
  label: number;
  /** Sampled (already strided) frames available. */
  frameCount: number;
}

/** Where a `WindowedDataset` gets its frames from. */
export interface FrameSource<V extends IndexedVideo> {
  /** Reads frames [offset, offset + count) of `video` as uint8 [count, H, W, 3]. */
  readWindow(video: V, offset: number, count: number): Promise<Uint8Array>;
  /**
   * Optional, for sources still being filled in the background (UCF101 with `decode: 'background'`): resolves
   * to the training video once its frames can be read (its `frameCount` then final), or to null when it proved
   * unusable and is to be left out of the epoch; rejects to end the epoch with an error. Without it every
   * video is ready.
   */
  whenReady?(video: V): Promise<V | null>;
  /** Optional hint: a training epoch is about to read these videos in this order (fetch them in that order). */
  willRead?(videos: readonly V[]): void;
}

/** Settings of a `WindowedDataset`. */
export interface WindowedDatasetSettings<V extends IndexedVideo> {
  name: string;
  classNames: string[];
  clipLength: number;
  height: number;
  width: number;
  train: V[];
  test: V[];
  testWindowsPerVideo: number;
  /** Random training windows per training video per epoch. Default 1. */
  clipsPerVideo?: number;
  augmentation: Required<AugmentationOptions>;
  seed: number;
  source: FrameSource<V>;
  /** Label after a horizontal flip (direction classes swap); identity when absent. */
  flipLabel?: (label: number) => number;
  /** Extra fields for `describe()`; a function when they change over time (background decoding). */
  details?: Record<string, unknown> | (() => Record<string, unknown>);
  /** Listed videos left out, with reasons (kept by reference: background decoding appends to it). */
  skipped?: SkippedVideo[];
}

function requireBatchSize(batchSize: unknown): number {
  return requireInteger('batchSize', batchSize, 1);
}

/** The `VideoDataset` logic shared by the UCF101 and synthetic sets: shuffling, windows, augmentation, batches. */
export class WindowedDataset<V extends IndexedVideo> implements VideoDataset {
  readonly name: string;
  readonly classNames: string[];
  readonly clipLength: number;
  readonly height: number;
  readonly width: number;
  readonly trainClipCount: number;
  readonly testClipCount: number;
  /** Random training windows per training video per epoch. */
  readonly clipsPerVideo: number;
  readonly skippedVideos: readonly SkippedVideo[];

  constructor(private readonly settings: WindowedDatasetSettings<V>) {
    this.name = settings.name;
    this.classNames = [...settings.classNames];
    this.clipLength = settings.clipLength;
    this.height = settings.height;
    this.width = settings.width;
    this.clipsPerVideo = requireInteger('clipsPerVideo', settings.clipsPerVideo ?? 1, 1);
    this.skippedVideos = settings.skipped ?? [];
    this.trainClipCount = settings.train.length * this.clipsPerVideo;
    this.testClipCount = settings.test.length * settings.testWindowsPerVideo;
  }

  /** The training videos (`clipsPerVideo` clips each per epoch). */
  get trainVideos(): readonly V[] {
    return this.settings.train;
  }

  /** The test videos (testWindowsPerVideo clips each). */
  get testVideos(): readonly V[] {
    return this.settings.test;
  }

  /**
   * The epoch's shuffled order of training clips (each video `clipsPerVideo` times, shuffled together so that
   * a batch mixes videos) and the generator that then draws each clip's randomness. With one clip per video
   * the order is the same as before the option existed.
   */
  private epochPlan(epoch: number): { order: V[]; random: SeededRandom } {
    const random = new SeededRandom(deriveSeed(this.settings.seed, 'train-epoch', epoch));
    const videos = this.settings.train;
    const slots = Array.from({ length: videos.length * this.clipsPerVideo }, (_, index) => index);
    const order = random.shuffle(slots).map((slot) => videos[slot % videos.length]);
    return { order, random };
  }

  /**
   * The training videos in the order `trainBatches({ epoch })` reads them (fixed by the seed and the epoch);
   * each appears `clipsPerVideo` times.
   */
  trainOrder(epoch: number): V[] {
    return this.epochPlan(requireInteger('epoch', epoch, 0)).order;
  }

  async *trainBatches(options: TrainBatchOptions): AsyncGenerator<ClipBatch> {
    const batchSize = requireBatchSize(options?.batchSize);
    const epoch = requireInteger('epoch', options?.epoch, 0);
    const { clipLength: T, height: H, width: W } = this;
    const { augmentation, source, flipLabel } = this.settings;
    const { order, random } = this.epochPlan(epoch);
    source.willRead?.([...new Set(order)]);
    let items: BatchItem[] = [];
    for (const listed of order) {
      // One generator per clip, forked whether or not the video turns out usable, so a clip's window and
      // augmentation depend neither on the batch size nor on when a background decode finished.
      const clipRandom = random.fork();
      const video = source.whenReady ? await source.whenReady(listed) : listed;
      if (video === null) continue; // found unusable in the background (badVideos 'skip'): the epoch is one clip shorter
      const offset = randomWindowOffset(video.frameCount, T, clipRandom);
      const raw = await source.readWindow(video, offset, T);
      const { clip, flipped } = augmentClip(raw, T, H, W, augmentation, clipRandom);
      const label = flipped && flipLabel ? flipLabel(video.label) : video.label;
      items.push({ frames: clip, label, videoId: video.id, offset });
      if (items.length === batchSize) {
        yield assembleBatch(items, T, H, W);
        items = [];
      }
    }
    if (items.length > 0) yield assembleBatch(items, T, H, W);
  }

  async *testBatches(options: TestBatchOptions): AsyncGenerator<ClipBatch> {
    const batchSize = requireBatchSize(options?.batchSize);
    const { clipLength: T, height: H, width: W } = this;
    let items: BatchItem[] = [];
    for (const video of this.settings.test) {
      for (const offset of testWindowOffsets(video.frameCount, T, this.settings.testWindowsPerVideo)) {
        const frames = await this.settings.source.readWindow(video, offset, T);
        items.push({ frames, label: video.label, videoId: video.id, offset });
        if (items.length === batchSize) {
          yield assembleBatch(items, T, H, W);
          items = [];
        }
      }
    }
    if (items.length > 0) yield assembleBatch(items, T, H, W);
  }

  describe(): DatasetDescription {
    const classes = this.classNames.map((name) => ({ name, train: 0, test: 0 }));
    for (const video of this.settings.train) classes[video.label].train += 1;
    for (const video of this.settings.test) classes[video.label].test += 1;
    return {
      name: this.name,
      classes,
      clipLength: this.clipLength,
      height: this.height,
      width: this.width,
      trainClipCount: this.trainClipCount,
      testClipCount: this.testClipCount,
      testWindowsPerVideo: this.settings.testWindowsPerVideo,
      clipsPerVideo: this.clipsPerVideo,
      augmentation: this.settings.augmentation,
      seed: this.settings.seed,
      ...(typeof this.settings.details === 'function' ? this.settings.details() : this.settings.details),
    };
  }
}
