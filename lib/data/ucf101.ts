/**
 * UCF101 subsets as `VideoDataset`s: the official split lists choose the videos, ffmpeg decodes each once into
 * the clip cache (two processes at a time before the dataset is returned, or, with `decode: 'background'`, the
 * training videos one at a time while training runs), and batches are read window by window from the cache files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaSparsityError, invalidArgument, requireInteger } from '../util/errors';
import { createProgress, type ProgressMode } from '../util/progress';
import { ClipCache, decodeToCache, readCachedFrames, sourceStamp, type CachedClip } from './cache';
import { WindowedDataset, resolveAugmentation, type FrameSource, type IndexedVideo, type WindowedDatasetSettings } from './clips';
import { FfmpegDecoder, resolveDecodeSettings, type DecodeSettings, type VideoDecoder } from './ffmpeg';
import {
  loadUcf101Split,
  requireSplit,
  resolveSplitDir,
  selectUcf101Subset,
  type SplitNumber,
  type SubsetEntry,
  type SubsetOptions,
  type Ucf101Subset,
} from './splits';
import type { AugmentationOptions } from './types';

/** Which UCF101 videos to decode and how (shared by `prepareUcf101` and `createUcf101Dataset`). */
export interface Ucf101SourceOptions extends SubsetOptions {
  /** The UCF-101 folder holding `<Class>/v_<Class>_gGG_cCC.avi`. Required. */
  root: string;
  /** Official split 1, 2 or 3. Default 1. */
  split?: number;
  /** Folder of the split lists. Default: `<root>/ucfTrainTestlist`, a sibling `ucfTrainTestlist`, or the bundled copy. */
  splitDir?: string;
  /** Keep every k-th frame. Default 2 (12.5 fps from 25 fps footage). */
  frameStride?: number;
  /** Square frame side in pixels, unless `height`/`width` are given. Default 64. */
  size?: number;
  /** Frame height in pixels. Default `size`. */
  height?: number;
  /** Frame width in pixels. Default `size`. */
  width?: number;
  /** `crop` (default, keeps aspect ratio) or `stretch`. */
  resize?: 'crop' | 'stretch';
  /** Resample every video to this frame rate before striding. Default: off (native rate). */
  fps?: number;
  /** Cache folder. Default: $DELTA_CACHE_DIR or `.cache/delta-sparsity` under the current folder. */
  cacheDir?: string;
  /** ffmpeg processes at a time. Default: 2 (at most the number of cores). */
  concurrency?: number;
  /** Progress display on stderr. Default 'auto'. */
  progress?: ProgressMode;
  /** Decoder; default a new `FfmpegDecoder`. Tests inject a counting or failing one. */
  decoder?: VideoDecoder;
  /** Which of train/test to decode. Default both. */
  parts?: ('train' | 'test')[];
}

/** A video that could not be used, and why. */
export interface SkippedVideo {
  video: string;
  file: string;
  reason: string;
}

/** What `prepareUcf101` did. */
export interface PrepareReport {
  root: string;
  split: SplitNumber;
  cacheDir: string;
  classNames: string[];
  settings: ReturnType<typeof resolveDecodeSettings>;
  videos: number;
  /** Videos decoded now. */
  decoded: number;
  /** Videos found in the cache. */
  cached: number;
  skipped: SkippedVideo[];
  /** Sampled frames now in the cache for this subset. */
  frames: number;
  seconds: number;
}

interface ResolvedSource {
  root: string;
  subset: Ucf101Subset;
  settings: ReturnType<typeof resolveDecodeSettings>;
  cache: ClipCache;
  concurrency: number;
  decoder: VideoDecoder;
}

function resolveSource(options: Ucf101SourceOptions): ResolvedSource {
  if (typeof options?.root !== 'string' || options.root === '') {
    throw invalidArgument('root', 'the path of a UCF-101 folder holding <Class>/v_<Class>_gGG_cCC.avi', options?.root);
  }
  const root = path.resolve(options.root);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw invalidArgument('root', 'an existing UCF-101 folder holding <Class>/v_<Class>_gGG_cCC.avi (see data/README.md)', root);
  }
  const split = loadUcf101Split(requireSplit(options.split ?? 1), resolveSplitDir(root, options.splitDir));
  const subset = selectUcf101Subset(split, options);
  if (!subset.classNames.some((name) => fs.existsSync(path.join(root, name)))) {
    // Most likely the parent of UCF-101 or an unpacked archive's outer folder: say so instead of 13320 "not found".
    throw invalidArgument(
      'root',
      `a UCF-101 folder holding class folders such as ${path.join(root, subset.classNames[0])}/ (none of the ${subset.classNames.length} selected classes is there)`,
      root,
    );
  }
  const size = options.size ?? 64;
  const settings = resolveDecodeSettings({
    height: options.height ?? size,
    width: options.width ?? size,
    frameStride: options.frameStride ?? 2,
    resize: options.resize,
    fps: options.fps,
  } satisfies DecodeSettings);
  const concurrency = requireInteger('concurrency', options.concurrency ?? Math.max(1, Math.min(2, os.cpus().length)), 1);
  return { root, subset, settings, cache: new ClipCache(options.cacheDir), concurrency, decoder: options.decoder ?? new FfmpegDecoder() };
}

interface EnsureResult {
  entries: Map<string, CachedClip>;
  skipped: SkippedVideo[];
  decoded: number;
  cached: number;
}

interface LookupResult {
  entries: Map<string, CachedClip>;
  misses: { video: SubsetEntry; file: string }[];
  /** Videos whose source file is missing. */
  skipped: SkippedVideo[];
}

/** Sorts the cache hits from the misses (cheap: a stat and a header read per video; decodes nothing). */
function lookupCached(source: ResolvedSource, videos: SubsetEntry[]): LookupResult {
  const entries = new Map<string, CachedClip>();
  const skipped: SkippedVideo[] = [];
  const misses: { video: SubsetEntry; file: string }[] = [];
  for (const video of videos) {
    const file = path.join(source.root, video.path);
    try {
      const hit = source.cache.lookup(video.id, source.settings, sourceStamp(file));
      if (hit) entries.set(video.id, hit);
      else misses.push({ video, file });
    } catch (error) {
      skipped.push({ video: video.id, file, reason: (error as Error).message });
    }
  }
  return { entries, misses, skipped };
}

/** Why a video with `frameCount` sampled frames cannot give a clip of `minFrames`. */
function tooShortReason(source: ResolvedSource, id: string, frameCount: number, minFrames: number): string {
  const file = path.join(source.root, `${id}.avi`);
  return (
    `Video too short: ${file} has ${frameCount} frames at frameStride=${source.settings.frameStride}, ` +
    `a clip needs clipLength=${minFrames}. Use a smaller clipLength or frameStride, or skip bad videos.`
  );
}

/** Sorts `skipped` into the order of `videos`, whatever order they were found in. */
function sortInListOrder(skipped: SkippedVideo[], videos: readonly SubsetEntry[]): void {
  const order = new Map(videos.map((video, index) => [video.id, index]));
  skipped.sort((a, b) => (order.get(a.video) ?? 0) - (order.get(b.video) ?? 0));
}

/**
 * Makes sure every video is in the cache, decoding misses `concurrency` at a time with a progress display.
 * Failures (missing, corrupt, too short) are collected, never thrown, so one bad file does not stop the rest.
 */
async function ensureCached(
  source: ResolvedSource,
  videos: SubsetEntry[],
  progressMode: ProgressMode,
  minFrames: number,
): Promise<EnsureResult> {
  const { entries, skipped, misses } = lookupCached(source, videos);
  let decoded = 0;
  const cached = entries.size;
  const progress = createProgress({ label: 'decode', total: misses.length, unit: 'videos', mode: progressMode });
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < misses.length) {
      const { video, file } = misses[next++];
      try {
        entries.set(video.id, await decodeToCache(source.cache, source.decoder, file, video.id, source.settings));
        decoded += 1;
      } catch (error) {
        if (!(error instanceof DeltaSparsityError)) {
          progress.stop();
          throw error;
        }
        skipped.push({ video: video.id, file, reason: error.message });
      }
      done += 1;
      progress.update(done, path.basename(file));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(source.concurrency, Math.max(1, misses.length)) }, worker));
  } finally {
    progress.stop();
  }
  for (const [id, entry] of entries) {
    if (entry.header.frameCount < minFrames) {
      entries.delete(id);
      skipped.push({ video: id, file: path.join(source.root, `${id}.avi`), reason: tooShortReason(source, id, entry.header.frameCount, minFrames) });
    }
  }
  // Report in list order, whatever order the workers finished in.
  sortInListOrder(skipped, videos);
  return { entries, skipped, decoded, cached };
}

function selectedVideos(subset: Ucf101Subset, parts: ('train' | 'test')[] | undefined): SubsetEntry[] {
  const wanted = parts ?? ['train', 'test'];
  return [...(wanted.includes('train') ? subset.train : []), ...(wanted.includes('test') ? subset.test : [])];
}

/**
 * Decodes a UCF101 subset into the clip cache (what `delta-sparsity data prepare` runs). Bad videos are
 * reported in `skipped` and the rest goes on. `clipLength`, if given, also flags videos too short for a clip.
 */
export async function prepareUcf101(options: Ucf101SourceOptions & { clipLength?: number }): Promise<PrepareReport> {
  const started = Date.now();
  const source = resolveSource(options);
  const minFrames = requireInteger('clipLength', options.clipLength ?? 1, 1);
  const videos = selectedVideos(source.subset, options.parts);
  const result = await ensureCached(source, videos, options.progress ?? 'auto', minFrames);
  let frames = 0;
  for (const entry of result.entries.values()) frames += entry.header.frameCount;
  return {
    root: source.root,
    split: source.subset.split,
    cacheDir: source.cache.dir,
    classNames: source.subset.classNames,
    settings: source.settings,
    videos: videos.length,
    decoded: result.decoded,
    cached: result.cached,
    skipped: result.skipped,
    frames,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Options of `createUcf101Dataset`. */
export interface Ucf101DatasetOptions extends Ucf101SourceOptions {
  /** Frames per clip (T), consecutive among the strided frames. Default 8. */
  clipLength?: number;
  /** Deterministic test windows per test video, spread evenly. Default 1 (the centre window). */
  testWindowsPerVideo?: number;
  /** Training augmentation. Default none. */
  augmentation?: AugmentationOptions;
  /** Seed of shuffling, window offsets and augmentation. Default 0. */
  seed?: number;
  /**
   * `error` (default): a missing, corrupt or too short video fails with an error naming it (after the others
   * are cached). `skip`: such videos are left out and listed in `describe().skipped`.
   * With `decode: 'background'`, see there for videos found bad only while training.
   */
  badVideos?: 'error' | 'skip';
  /**
   * When the videos not yet in the cache are decoded.
   * - `upfront` (default): all of them, `concurrency` at a time, before the dataset is returned.
   * - `background`: only the test videos before returning; the training videos are decoded afterwards,
   *   `backgroundConcurrency` at a time (default 1, so one core stays free for training), in the order epoch 0
   *   reads them, and `trainBatches` waits only for a video it reaches before its decode finished (that video
   *   is decoded next if it had not started). Batches are the same as with `upfront` for the same seed (the
   *   epoch order and every clip's randomness do not depend on when a decode finishes), as long as no training
   *   video turns out corrupt or too short. Such a video, found only when decoded, stays counted in
   *   `trainClipCount` (an upper bound then): with badVideos `skip` each epoch simply yields one clip fewer
   *   (later clips move up to fill the batches) and it is listed in `describe().skipped`; with `error` the next
   *   `trainBatches` step throws that video's error. Missing files are found before returning, as with `upfront`.
   *   Call `dispose()` to stop early; otherwise the background work ends by itself once every video is decoded.
   */
  decode?: 'upfront' | 'background';
  /** ffmpeg processes at a time for the background decoding of training videos. Default 1. */
  backgroundConcurrency?: number;
}

/** A UCF101 video as the dataset holds it. */
export interface Ucf101Video extends IndexedVideo {
  /**
   * Its cache entry; null (and `frameCount` 0) for a training video still waiting for its background decode,
   * filled in when that decode finishes.
   */
  entry: CachedClip | null;
}

/** How a background decode ended. */
type DecodeOutcome = { ok: true } | { ok: false; reason: string };

/** Progress of background decoding, as shown in `describe().background`. */
export interface BackgroundDecodeStatus {
  /** Training videos the background had to decode. */
  total: number;
  /** Decoded (usable or found bad) so far. */
  done: number;
  /** Running now. */
  running: number;
  /** Waiting to start. */
  waiting: number;
  /** True after `dispose()`. */
  disposed: boolean;
  /** The error that stopped background decoding (badVideos 'error', or an unexpected failure), if any. */
  failure: string | null;
}

/**
 * Decodes training videos into the cache after `createUcf101Dataset` returned, a few ffmpeg processes at a
 * time, in an order that follows what training reads. Never rejects a promise nobody waits for: outcomes are
 * values, and a failure that must stop training is kept in `failure` for the next `whenReady` to throw.
 */
class BackgroundDecoding {
  private waiting: Ucf101Video[];
  private readonly running = new Set<string>();
  private readonly outcomes = new Map<string, DecodeOutcome>();
  private readonly waiters = new Map<string, ((outcome: DecodeOutcome) => void)[]>();
  private finished: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly total: number;
  /** Decodes run (usable or not). */
  private done = 0;
  /** Successful decodes. */
  decoded = 0;
  failure: Error | null = null;

  constructor(
    private readonly source: ResolvedSource,
    videos: Ucf101Video[],
    private readonly concurrency: number,
    private readonly minFrames: number,
    private readonly badVideos: 'error' | 'skip',
    /** Shared with `describe().skipped`, kept in list order. */
    private readonly skipped: SkippedVideo[],
    private readonly listOrder: readonly SubsetEntry[],
    /** Listed training videos already known to be unusable (cached but too short), with the reason. */
    knownBad: ReadonlyMap<string, string>,
  ) {
    this.waiting = [...videos];
    this.total = videos.length;
    for (const [id, reason] of knownBad) this.outcomes.set(id, { ok: false, reason });
  }

  /** Starts the workers (after `prioritize` has put the waiting videos in epoch-0 order). */
  start(): void {
    const workers = Array.from({ length: Math.min(this.concurrency, this.waiting.length) }, () => this.work());
    // work() catches everything itself; the catch only guards against a bug turning into an unhandled rejection.
    this.finished = Promise.all(workers).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Puts the waiting videos in the order of `videos` (those not listed keep their order, after them). */
  prioritize(videos: readonly Ucf101Video[]): void {
    const rank = new Map(videos.map((video, index) => [video.id, index]));
    const last = videos.length;
    const indexed = this.waiting.map((video, index) => ({ video, index }));
    indexed.sort((a, b) => (rank.get(a.video.id) ?? last) - (rank.get(b.video.id) ?? last) || a.index - b.index);
    this.waiting = indexed.map((item) => item.video);
  }

  /** How `video`'s decode ended; moves it to the front of the queue when it has not started yet. */
  outcome(video: Ucf101Video): Promise<DecodeOutcome> {
    const known = this.outcomes.get(video.id);
    if (known) return Promise.resolve(known);
    if (!this.running.has(video.id)) {
      const at = this.waiting.findIndex((item) => item.id === video.id);
      if (at < 0) return Promise.resolve({ ok: false, reason: this.notDecodedReason(video) });
      if (at > 0) this.waiting.unshift(...this.waiting.splice(at, 1));
    }
    return new Promise((resolve) => {
      const list = this.waiters.get(video.id) ?? [];
      list.push(resolve);
      this.waiters.set(video.id, list);
    });
  }

  status(): BackgroundDecodeStatus {
    return {
      total: this.total,
      done: this.done,
      running: this.running.size,
      waiting: this.waiting.length,
      disposed: this.disposed,
      failure: this.failure?.message ?? null,
    };
  }

  /** Resolves when no decode is running any more and none will start (all done, stopped or disposed). */
  whenFinished(): Promise<void> {
    return this.finished;
  }

  /** Starts no further decodes, answers waiting callers, and resolves when the running ones have ended. */
  dispose(): Promise<void> {
    this.disposed = true;
    this.stop();
    return this.finished;
  }

  private notDecodedReason(video: Ucf101Video): string {
    const file = this.fileOf(video);
    return this.disposed ? `Not decoded: ${file} (the dataset was disposed before its background decode ran)` : `Not decoded: ${file} (background decoding stopped)`;
  }

  /** Drops the waiting videos, answering whoever waits for them. */
  private stop(): void {
    const dropped = this.waiting;
    this.waiting = [];
    for (const video of dropped) this.settle(video, { ok: false, reason: this.notDecodedReason(video) }, false);
  }

  private settle(video: Ucf101Video, outcome: DecodeOutcome, record = true): void {
    if (record) this.outcomes.set(video.id, outcome);
    const list = this.waiters.get(video.id) ?? [];
    this.waiters.delete(video.id);
    for (const resolve of list) resolve(outcome);
  }

  private async work(): Promise<void> {
    for (let video = this.waiting.shift(); video !== undefined; video = this.waiting.shift()) {
      const file = this.fileOf(video);
      this.running.add(video.id);
      let outcome: DecodeOutcome;
      let unexpected: Error | null = null;
      try {
        const entry = await decodeToCache(this.source.cache, this.source.decoder, file, video.id, this.source.settings);
        this.decoded += 1;
        if (entry.header.frameCount < this.minFrames) {
          outcome = { ok: false, reason: tooShortReason(this.source, video.id, entry.header.frameCount, this.minFrames) };
        } else {
          video.entry = entry;
          video.frameCount = entry.header.frameCount;
          outcome = { ok: true };
        }
      } catch (error) {
        if (!(error instanceof DeltaSparsityError)) unexpected = error instanceof Error ? error : new Error(String(error));
        outcome = { ok: false, reason: unexpected ? `Could not decode video ${file}: ${unexpected.message}` : (error as Error).message };
      }
      this.running.delete(video.id);
      this.done += 1;
      if (!outcome.ok) {
        this.skipped.push({ video: video.id, file, reason: outcome.reason });
        sortInListOrder(this.skipped, this.listOrder);
        if (this.failure === null && (unexpected !== null || this.badVideos === 'error')) {
          this.failure = unexpected
            ? new DeltaSparsityError(`${outcome.reason} (background decoding stopped)`, { cause: unexpected })
            : new DeltaSparsityError(`${outcome.reason}. Pass badVideos: 'skip' to leave bad videos out; the videos decoded so far are cached.`);
          // Training cannot go on: decode nothing more, and wake whoever waits so that they see the failure.
          this.settle(video, outcome);
          this.stop();
          continue;
        }
      }
      this.settle(video, outcome);
    }
  }

  /** The source file (a video's id is its path under the root without `.avi`). */
  private fileOf(video: Ucf101Video): string {
    return path.join(this.source.root, `${video.id}.avi`);
  }
}

/**
 * A UCF101 subset. With `decode: 'background'` the training videos may still be decoding: `whenDecoded()` waits
 * for that, `dispose()` stops it. Both are harmless no-ops for `decode: 'upfront'`.
 */
export class Ucf101Dataset extends WindowedDataset<Ucf101Video> {
  constructor(
    settings: WindowedDatasetSettings<Ucf101Video>,
    private readonly background: BackgroundDecoding | null,
  ) {
    super(settings);
  }

  /** Progress of background decoding (null for `decode: 'upfront'`). */
  backgroundStatus(): BackgroundDecodeStatus | null {
    return this.background?.status() ?? null;
  }

  /** Resolves once background decoding has ended (every training video decoded, or stopped); never rejects. */
  whenDecoded(): Promise<void> {
    return this.background?.whenFinished() ?? Promise.resolve();
  }

  /**
   * Stops background decoding: no new ffmpeg process starts, running ones are awaited (so none is left behind).
   * Training videos not decoded by then can no longer be read (`trainBatches` throws naming one).
   */
  dispose(): Promise<void> {
    return this.background?.dispose() ?? Promise.resolve();
  }
}

/** The first bad video's reason, as the error of `badVideos: 'error'`. */
function badVideosError(skipped: SkippedVideo[]): DeltaSparsityError {
  const more = skipped.length - 1;
  return new DeltaSparsityError(
    `${skipped[0].reason}${more > 0 ? ` (and ${more} more bad videos)` : ''}. ` + `Pass badVideos: 'skip' to leave bad videos out; the others are cached.`,
  );
}

/**
 * Loads a UCF101 subset, decoding into the cache whatever is not there yet: all of it before returning
 * (`decode: 'upfront'`, the default), or the test videos before and the training videos after returning
 * (`decode: 'background'`).
 */
export async function createUcf101Dataset(options: Ucf101DatasetOptions): Promise<Ucf101Dataset> {
  const clipLength = requireInteger('clipLength', options?.clipLength ?? 8, 1);
  const testWindowsPerVideo = requireInteger('testWindowsPerVideo', options.testWindowsPerVideo ?? 1, 1);
  const augmentation = resolveAugmentation(options.augmentation);
  const seed = requireInteger('seed', options.seed ?? 0, 0);
  const badVideos = options.badVideos ?? 'error';
  if (badVideos !== 'error' && badVideos !== 'skip') throw invalidArgument('badVideos', '"error" or "skip"', badVideos);
  const decodeMode = options.decode ?? 'upfront';
  if (decodeMode !== 'upfront' && decodeMode !== 'background') throw invalidArgument('decode', '"upfront" or "background"', decodeMode);
  const backgroundConcurrency = requireInteger('backgroundConcurrency', options.backgroundConcurrency ?? 1, 1);
  const source = resolveSource(options);
  const { subset } = source;
  const progressMode = options.progress ?? 'auto';
  const wanted = options.parts ?? ['train', 'test'];
  const background = decodeMode === 'background' && wanted.includes('train');

  let result: EnsureResult;
  /** Training videos left to the background, in list order. */
  let pending: Ucf101Video[] = [];
  const knownBad = new Map<string, string>();
  if (!background) {
    result = await ensureCached(source, selectedVideos(subset, options.parts), progressMode, clipLength);
  } else {
    // Training videos: only look them up now (finds missing files and cache hits); the misses decode later.
    const lookup = lookupCached(source, subset.train);
    const tested = await ensureCached(source, selectedVideos(subset, wanted.filter((part) => part === 'test')), progressMode, clipLength);
    for (const [id, entry] of lookup.entries) tested.entries.set(id, entry);
    // A cached but too short training video stays listed like a not yet decoded one would (so that the epochs
    // do not depend on what the cache held); it is reported now and left out wherever an epoch reaches it.
    const trainSkipped = [...lookup.skipped];
    for (const video of subset.train) {
      const entry = lookup.entries.get(video.id);
      if (entry && entry.header.frameCount < clipLength) {
        trainSkipped.push({ video: video.id, file: path.join(source.root, video.path), reason: tooShortReason(source, video.id, entry.header.frameCount, clipLength) });
      }
    }
    for (const item of trainSkipped.slice(lookup.skipped.length)) knownBad.set(item.video, item.reason);
    const skipped = [...trainSkipped, ...tested.skipped];
    sortInListOrder(skipped, [...subset.train, ...subset.test]);
    result = { entries: tested.entries, skipped, decoded: tested.decoded, cached: tested.cached + lookup.entries.size };
    pending = lookup.misses.map(({ video }) => ({ id: video.id, label: video.label, frameCount: 0, entry: null }));
  }
  if (result.skipped.length > 0 && badVideos === 'error') throw badVideosError(result.skipped);

  const pendingById = new Map(pending.map((video) => [video.id, video]));
  const toVideo = (video: SubsetEntry): Ucf101Video[] => {
    const waiting = pendingById.get(video.id);
    if (waiting) return [waiting];
    const entry = result.entries.get(video.id);
    if (!entry) return [];
    // With background decoding a cached too-short training video stays listed (see above); it is never read.
    if (entry.header.frameCount < clipLength) return background ? [{ id: video.id, label: video.label, frameCount: 0, entry: null }] : [];
    return [{ id: video.id, label: video.label, frameCount: entry.header.frameCount, entry }];
  };
  const train = wanted.includes('train') ? subset.train.flatMap(toVideo) : [];
  const test = wanted.includes('test') ? subset.test.flatMap(toVideo) : [];
  if (train.length === 0 && test.length === 0) {
    // Problems with videos that exist (corrupt, too short) say more than the many missing ones of a partial copy.
    const missing = (skipped: SkippedVideo) => /not found/i.test(skipped.reason);
    const ordered = [...result.skipped.filter((skipped) => !missing(skipped)), ...result.skipped.filter(missing)];
    const reasons = ordered.slice(0, 5).map((skipped) => skipped.reason);
    const more = result.skipped.length > reasons.length ? `; and ${result.skipped.length - reasons.length} more` : '';
    throw new DeltaSparsityError(`No usable videos of the selected UCF101 subset under ${source.root}. Skipped: ${reasons.join('; ')}${more}`);
  }

  const decoding = background
    ? new BackgroundDecoding(source, pending, backgroundConcurrency, clipLength, badVideos, result.skipped, [...subset.train, ...subset.test], knownBad)
    : null;
  const frameSource: FrameSource<Ucf101Video> = {
    readWindow: (video, offset, count) => {
      if (video.entry === null) throw new DeltaSparsityError(`Not decoded yet: ${path.join(source.root, `${video.id}.avi`)}`);
      return readCachedFrames(video.entry, offset, count);
    },
  };
  if (decoding) {
    frameSource.willRead = (videos) => decoding.prioritize(videos);
    frameSource.whenReady = async (video) => {
      if (decoding.failure) throw decoding.failure;
      if (video.entry !== null) return video;
      const outcome = await decoding.outcome(video);
      if (decoding.failure) throw decoding.failure;
      if (outcome.ok) return video;
      // Skipped in background, a too short cached video, or not decoded after dispose().
      if (decoding.status().disposed && /^Not decoded/.test(outcome.reason)) throw new DeltaSparsityError(outcome.reason);
      return null;
    };
  }
  // Not all UCF101 clips are 25 fps or 320x240: summarise what the sources were.
  const sourceFormats = (): Record<string, number> => {
    const formats: Record<string, number> = {};
    for (const video of [...train, ...test]) {
      if (video.entry === null) continue;
      const { fps, width, height } = video.entry.header.info;
      const key = `${width}x${height}@${fps ?? '?'}fps`;
      formats[key] = (formats[key] ?? 0) + 1;
    }
    return formats;
  };
  const fixedDetails = {
    root: source.root,
    split: subset.split,
    frameStride: source.settings.frameStride,
    resize: source.settings.resize,
    fps: source.settings.fps,
    cacheDir: source.cache.dir,
  };
  const details = decoding
    ? () => ({
        ...fixedDetails,
        decode: 'background',
        decoded: result.decoded + decoding.decoded,
        cached: result.cached,
        skipped: [...result.skipped],
        sourceFormats: sourceFormats(),
        background: decoding.status(),
      })
    : { ...fixedDetails, decode: 'upfront', decoded: result.decoded, cached: result.cached, skipped: result.skipped, sourceFormats: sourceFormats() };
  const dataset = new Ucf101Dataset(
    {
      name: 'ucf101',
      classNames: subset.classNames,
      clipLength,
      height: source.settings.height,
      width: source.settings.width,
      train,
      test,
      testWindowsPerVideo,
      augmentation,
      seed,
      source: frameSource,
      details,
    },
    decoding,
  );
  if (decoding) {
    // Decode in the order epoch 0 will read, so the first epoch rarely waits.
    decoding.prioritize(dataset.trainOrder(0));
    decoding.start();
  }
  return dataset;
}
