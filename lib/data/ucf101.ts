/**
 * UCF101 subsets as `VideoDataset`s: the official split lists choose the videos, ffmpeg decodes each once into
 * the clip cache (two processes at a time before the dataset is returned, or, with `decode: 'background'`, the
 * training videos one at a time while training runs), and batches are read window by window from the cache files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError, invalidArgument, requireInteger } from '../util/errors';
import type { ProgressMode } from '../util/progress';
import { decodeToCache, readCachedFrames, type CachedClip } from './cache';
import { WindowedDataset, resolveAugmentation, type FrameSource, type IndexedVideo, type WindowedDatasetSettings } from './clips';
import {
  emptyClassError,
  ensureCached,
  lookupCached,
  resolveDecodingContext,
  sortInListOrder,
  tooShortReason,
  type DecodeEntry,
  type DecodingContext,
  type DecodingOptions,
  type EnsureResult,
} from './decodeSet';
import { resolveDecodeSettings } from './ffmpeg';
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
import type { AugmentationOptions, SkippedVideo } from './types';

export type { SkippedVideo } from './types';

/** Which UCF101 videos to decode and how (shared by `prepareUcf101` and `createUcf101Dataset`). */
export interface Ucf101SourceOptions extends SubsetOptions, DecodingOptions {
  /**
   * The UCF-101 folder holding `<Class>/v_<Class>_gGG_cCC.avi`, or the folder above it that holds `UCF-101/`
   * (and usually `ucfTrainTestlist/`). Videos may be in any container ffmpeg decodes (a clip listed as `.avi`
   * is found as `.mp4` etc. by its stem) and file names may differ from the lists in case. Required.
   */
  root: string;
  /** Official split 1, 2 or 3. Default 1. */
  split?: number;
  /** Folder of the split lists. Default: `<root>/ucfTrainTestlist`, a sibling `ucfTrainTestlist`, or the bundled copy. */
  splitDir?: string;
  /** Progress display on stderr. Default 'auto'. */
  progress?: ProgressMode;
  /** Which of train/test to decode. Default both. */
  parts?: ('train' | 'test')[];
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

interface ResolvedSource extends DecodingContext {
  root: string;
  subset: Ucf101Subset;
}

const ROOT_EXPECTED = 'an existing UCF-101 folder holding <Class>/v_<Class>_gGG_cCC.avi, or the folder above it holding UCF-101/ (see data/README.md)';

/**
 * Checks that a UCF101 root exists and is a folder, with the one error every command gives for a missing root;
 * returns it absolute. (The class folders are then looked for in it, or in `<root>/UCF-101` when it is the
 * folder above, as the archive unpacks.)
 */
export function resolveUcf101Root(root: unknown): string {
  if (typeof root !== 'string' || root === '') throw invalidArgument('root', ROOT_EXPECTED, root);
  const resolved = path.resolve(root);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isDirectory()) throw invalidArgument('root', ROOT_EXPECTED, resolved);
  return resolved;
}

function resolveSource(options: Ucf101SourceOptions): ResolvedSource {
  const given = resolveUcf101Root(options?.root);
  const split = loadUcf101Split(requireSplit(options.split ?? 1), resolveSplitDir(given, options.splitDir));
  const subset = selectUcf101Subset(split, options);
  const holdsClasses = (dir: string): boolean => subset.classNames.some((name) => fs.existsSync(path.join(dir, name)));
  const nested = path.join(given, 'UCF-101');
  const root = !holdsClasses(given) && holdsClasses(nested) ? nested : given;
  if (!holdsClasses(root)) {
    // Most likely an unpacked archive's outer folder: say so instead of 13320 "not found".
    throw invalidArgument(
      'root',
      `a UCF-101 folder holding class folders such as ${path.join(given, subset.classNames[0])}/ (none of the ${subset.classNames.length} selected classes is there, nor under ${nested})`,
      given,
    );
  }
  return { root, subset, ...resolveDecodingContext(options) };
}

/** The decode entries of subset videos (the listed file, resolved on disk later). */
function decodeEntries(source: ResolvedSource, videos: readonly SubsetEntry[]): DecodeEntry[] {
  return videos.map((video) => ({ id: video.id, file: path.join(source.root, video.path) }));
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
  const result = await ensureCached(source, decodeEntries(source, videos), options.progress ?? 'auto', minFrames);
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
  /** Random training windows per training video per epoch. Default 1. */
  clipsPerVideo?: number;
  /**
   * `error` (default): a missing, corrupt or too short video fails with an error naming it (after the others
   * are cached). `skip`: such videos are left out and listed in `skippedVideos` (and `describe().skipped`); a
   * class left without any usable training (or test) video is still an error naming it.
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
  /** The video file on disk (the listed path when it was never found). */
  file: string;
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
    private readonly listOrder: readonly { id: string }[],
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
          outcome = { ok: false, reason: tooShortReason(file, this.source.settings.frameStride, entry.header.frameCount, this.minFrames) };
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

  private fileOf(video: Ucf101Video): string {
    return video.file;
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
  const clipsPerVideo = requireInteger('clipsPerVideo', options.clipsPerVideo ?? 1, 1);
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
    result = await ensureCached(source, decodeEntries(source, selectedVideos(subset, options.parts)), progressMode, clipLength);
  } else {
    // Training videos: only look them up now (finds missing files and cache hits); the misses decode later.
    const lookup = lookupCached(source, decodeEntries(source, subset.train));
    const tested = await ensureCached(source, decodeEntries(source, selectedVideos(subset, wanted.filter((part) => part === 'test'))), progressMode, clipLength);
    for (const [id, file] of lookup.files) tested.files.set(id, file);
    for (const [id, entry] of lookup.entries) tested.entries.set(id, entry);
    // A cached but too short training video stays listed like a not yet decoded one would (so that the epochs
    // do not depend on what the cache held); it is reported now and left out wherever an epoch reaches it.
    const trainSkipped = [...lookup.skipped];
    for (const video of subset.train) {
      const entry = lookup.entries.get(video.id);
      if (entry && entry.header.frameCount < clipLength) {
        const file = lookup.files.get(video.id) ?? path.join(source.root, video.path);
        trainSkipped.push({ video: video.id, file, reason: tooShortReason(file, source.settings.frameStride, entry.header.frameCount, clipLength) });
      }
    }
    for (const item of trainSkipped.slice(lookup.skipped.length)) knownBad.set(item.video, item.reason);
    const skipped = [...trainSkipped, ...tested.skipped];
    sortInListOrder(skipped, [...subset.train, ...subset.test]);
    result = { entries: tested.entries, files: tested.files, skipped, decoded: tested.decoded, cached: tested.cached + lookup.entries.size };
    const labelOf = new Map(subset.train.map((video) => [video.id, video.label]));
    pending = lookup.misses.map(({ video, file }) => ({ id: video.id, label: labelOf.get(video.id) as number, frameCount: 0, entry: null, file }));
  }
  if (result.skipped.length > 0 && badVideos === 'error') throw badVideosError(result.skipped);

  const pendingById = new Map(pending.map((video) => [video.id, video]));
  const toVideo = (video: SubsetEntry): Ucf101Video[] => {
    const waiting = pendingById.get(video.id);
    if (waiting) return [waiting];
    const entry = result.entries.get(video.id);
    if (!entry) return [];
    const file = result.files.get(video.id) ?? path.join(source.root, video.path);
    // With background decoding a cached too-short training video stays listed (see above); it is never read.
    if (entry.header.frameCount < clipLength) return background ? [{ id: video.id, label: video.label, frameCount: 0, entry: null, file }] : [];
    return [{ id: video.id, label: video.label, frameCount: entry.header.frameCount, entry, file }];
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
  // badVideos 'skip' leaves out videos, never a whole class: a class that silently vanished would make the
  // accuracy of the others look like the accuracy of the subset.
  const countPerClass = (videos: readonly { label: number }[]): number[] => {
    const counts = subset.classNames.map(() => 0);
    for (const video of videos) counts[video.label] += 1;
    return counts;
  };
  const labelOfVideo = new Map([...subset.train, ...subset.test].map((video) => [video.id, video.label]));
  const emptyClass = emptyClassError(
    `UCF101 under ${source.root}`,
    subset.classNames,
    [
      ...(wanted.includes('train') ? [{ name: 'training', listed: countPerClass(subset.train), usable: countPerClass(train) }] : []),
      ...(wanted.includes('test') ? [{ name: 'test', listed: countPerClass(subset.test), usable: countPerClass(test) }] : []),
    ],
    result.skipped,
    (id) => labelOfVideo.get(id) ?? -1,
  );
  if (emptyClass) throw emptyClass;

  const decoding = background
    ? new BackgroundDecoding(source, pending, backgroundConcurrency, clipLength, badVideos, result.skipped, [...subset.train, ...subset.test], knownBad)
    : null;
  const frameSource: FrameSource<Ucf101Video> = {
    readWindow: (video, offset, count) => {
      if (video.entry === null) throw new DeltaSparsityError(`Not decoded yet: ${video.file}`);
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
      clipsPerVideo,
      augmentation,
      seed,
      source: frameSource,
      details,
      skipped: result.skipped,
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
