/**
 * UCF101 subsets as `VideoDataset`s: the official split lists choose the videos (`ucf101Source.ts`), ffmpeg
 * decodes each once into the clip cache (two processes at a time before the dataset is returned, or, with
 * `decode: 'background'`, the training videos one at a time while training runs: `backgroundDecoding.ts`), and
 * batches are read window by window from the cache files.
 */
import * as path from 'node:path';
import { DeltaSparsityError, checkOptionKeys, invalidArgument, optionKeys, requireInteger } from '../util/errors';
import { BackgroundDecoding, type BackgroundDecodeStatus, type DecodedVideo } from './backgroundDecoding';
import { readCachedFrames } from './cache';
import { WindowedDataset, resolveAugmentation, type FrameSource, type WindowedDatasetSettings } from './clips';
import { emptyClassError, ensureCached, lookupCached, sortInListOrder, tooShortReason, type EnsureResult } from './decodeSet';
import type { SubsetEntry } from './splits';
import type { AugmentationOptions, SkippedVideo } from './types';
import { decodeEntries, resolveSource, selectedVideos, type Ucf101SourceOptions } from './ucf101Source';

export type { SkippedVideo } from './types';
export type { BackgroundDecodeStatus } from './backgroundDecoding';
export { prepareUcf101, resolveUcf101Root, type PrepareReport, type Ucf101SourceOptions } from './ucf101Source';

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

const UCF101_OPTION_KEYS = optionKeys<Ucf101DatasetOptions>({
  root: true, split: true, splitDir: true, progress: true, parts: true, classes: true, firstClasses: true, videosPerClass: true,
  testVideosPerClass: true, size: true, height: true, width: true, frameStride: true, resize: true, fps: true, cacheDir: true,
  concurrency: true, decoder: true, clipLength: true, testWindowsPerVideo: true, augmentation: true, seed: true, clipsPerVideo: true,
  badVideos: true, decode: true, backgroundConcurrency: true,
});

/** A UCF101 video as the dataset holds it. */
export type Ucf101Video = DecodedVideo;

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
export async function createUcf101Dataset(rawOptions: Ucf101DatasetOptions): Promise<Ucf101Dataset> {
  const options = checkOptionKeys('createUcf101Dataset', rawOptions, UCF101_OPTION_KEYS);
  const clipLength = requireInteger('clipLength', options.clipLength ?? 8, 1);
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
