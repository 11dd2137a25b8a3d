/**
 * UCF101 subsets as `VideoDataset`s: the official split lists choose the videos, ffmpeg decodes each once into
 * the clip cache (two processes at a time), and batches are read window by window from the cache files.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaSparsityError, invalidArgument, requireInteger } from '../util/errors';
import { createProgress, type ProgressMode } from '../util/progress';
import { ClipCache, decodeToCache, readCachedFrames, sourceStamp, type CachedClip } from './cache';
import { WindowedDataset, resolveAugmentation, type FrameSource, type IndexedVideo } from './clips';
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
  const entries = new Map<string, CachedClip>();
  const skipped: SkippedVideo[] = [];
  let decoded = 0;
  let cached = 0;
  const misses: { video: SubsetEntry; file: string }[] = [];
  for (const video of videos) {
    const file = path.join(source.root, video.path);
    try {
      const hit = source.cache.lookup(video.id, source.settings, sourceStamp(file));
      if (hit) {
        cached += 1;
        entries.set(video.id, hit);
      } else misses.push({ video, file });
    } catch (error) {
      skipped.push({ video: video.id, file, reason: (error as Error).message });
    }
  }
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
      const { frameStride } = source.settings;
      skipped.push({
        video: id,
        file: path.join(source.root, `${id}.avi`),
        reason:
          `Video too short: ${path.join(source.root, `${id}.avi`)} has ${entry.header.frameCount} frames at frameStride=${frameStride}, ` +
          `a clip needs clipLength=${minFrames}. Use a smaller clipLength or frameStride, or skip bad videos.`,
      });
    }
  }
  // Report in list order, whatever order the workers finished in.
  const order = new Map(videos.map((video, index) => [video.id, index]));
  skipped.sort((a, b) => (order.get(a.video) ?? 0) - (order.get(b.video) ?? 0));
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
   */
  badVideos?: 'error' | 'skip';
}

interface Ucf101Video extends IndexedVideo {
  entry: CachedClip;
}

/** Loads a UCF101 subset, decoding into the cache whatever is not there yet. */
export async function createUcf101Dataset(options: Ucf101DatasetOptions): Promise<WindowedDataset<Ucf101Video>> {
  const clipLength = requireInteger('clipLength', options?.clipLength ?? 8, 1);
  const testWindowsPerVideo = requireInteger('testWindowsPerVideo', options.testWindowsPerVideo ?? 1, 1);
  const augmentation = resolveAugmentation(options.augmentation);
  const seed = requireInteger('seed', options.seed ?? 0, 0);
  const badVideos = options.badVideos ?? 'error';
  if (badVideos !== 'error' && badVideos !== 'skip') throw invalidArgument('badVideos', '"error" or "skip"', badVideos);
  const source = resolveSource(options);
  const { subset } = source;
  const result = await ensureCached(source, selectedVideos(subset, options.parts), options.progress ?? 'auto', clipLength);
  if (result.skipped.length > 0 && badVideos === 'error') {
    const more = result.skipped.length - 1;
    throw new DeltaSparsityError(
      `${result.skipped[0].reason}${more > 0 ? ` (and ${more} more bad videos)` : ''}. ` +
        `Pass badVideos: 'skip' to leave bad videos out; the others are cached.`,
    );
  }
  const toVideo = (video: SubsetEntry): Ucf101Video[] => {
    const entry = result.entries.get(video.id);
    return entry ? [{ id: video.id, label: video.label, frameCount: entry.header.frameCount, entry }] : [];
  };
  const train = subset.train.flatMap(toVideo);
  const test = subset.test.flatMap(toVideo);
  if (train.length === 0 && test.length === 0) {
    // Problems with videos that exist (corrupt, too short) say more than the many missing ones of a partial copy.
    const missing = (skipped: SkippedVideo) => /not found/i.test(skipped.reason);
    const ordered = [...result.skipped.filter((skipped) => !missing(skipped)), ...result.skipped.filter(missing)];
    const reasons = ordered.slice(0, 5).map((skipped) => skipped.reason);
    const more = result.skipped.length > reasons.length ? `; and ${result.skipped.length - reasons.length} more` : '';
    throw new DeltaSparsityError(`No usable videos of the selected UCF101 subset under ${source.root}. Skipped: ${reasons.join('; ')}${more}`);
  }
  // Not all UCF101 clips are 25 fps or 320x240: summarise what the sources were.
  const sourceFormats: Record<string, number> = {};
  for (const video of [...train, ...test]) {
    const { fps, width, height } = video.entry.header.info;
    const key = `${width}x${height}@${fps ?? '?'}fps`;
    sourceFormats[key] = (sourceFormats[key] ?? 0) + 1;
  }
  const frameSource: FrameSource<Ucf101Video> = {
    readWindow: (video, offset, count) => readCachedFrames(video.entry, offset, count),
  };
  return new WindowedDataset<Ucf101Video>({
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
    details: {
      root: source.root,
      split: subset.split,
      frameStride: source.settings.frameStride,
      resize: source.settings.resize,
      fps: source.settings.fps,
      cacheDir: source.cache.dir,
      decoded: result.decoded,
      cached: result.cached,
      skipped: result.skipped,
      sourceFormats,
    },
  });
}
