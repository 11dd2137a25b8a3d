/**
 * Decoding a list of videos into the clip cache, shared by every file-based dataset (UCF101 subsets, folders of
 * labelled videos): cache lookups, ffmpeg processes a few at a time with progress, and the list of videos that
 * could not be used (missing, corrupt, too short), each with its reason. Nothing here decides what to do about a
 * bad video; the datasets do (fail or skip, and say so).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaSparsityError, requireInteger } from '../util/errors';
import { createProgress, type ProgressMode } from '../util/progress';
import { ClipCache, decodeToCache, sourceStamp, type CachedClip } from './cache';
import { FfmpegDecoder, resolveDecodeSettings, type DecodeSettings, type VideoDecoder } from './ffmpeg';
import type { SkippedVideo } from './types';
import { VideoFileResolver } from './videoFiles';

/** A video to decode: its id (the cache key, e.g. "bend/daria_bend") and its file as listed (absolute path). */
export interface DecodeEntry {
  id: string;
  file: string;
}

/** Decode settings, cache, decoder and file lookup of one dataset. */
export interface DecodingContext {
  settings: ReturnType<typeof resolveDecodeSettings>;
  cache: ClipCache;
  /** ffmpeg processes at a time. */
  concurrency: number;
  decoder: VideoDecoder;
  /** Finds listed files on disk (other container, other case); reads each folder once. */
  resolver: VideoFileResolver;
}

/** Options every file-based dataset takes for decoding. */
export interface DecodingOptions {
  /** Square frame side in pixels, unless `height`/`width` are given. Default 64. */
  size?: number;
  /** Frame height in pixels. Default `size`. */
  height?: number;
  /** Frame width in pixels. Default `size`. */
  width?: number;
  /** Keep every k-th frame. Default 2 (12.5 fps from 25 fps footage). */
  frameStride?: number;
  /** `crop` (default: scale to cover, cut the centre, keeps the aspect ratio) or `stretch`. */
  resize?: 'crop' | 'stretch';
  /** Resample every video to this frame rate before striding. Default: off (native rate). */
  fps?: number;
  /** Cache folder. Default: $DELTA_CACHE_DIR or `.cache/delta-sparsity` under the current folder. */
  cacheDir?: string;
  /** ffmpeg processes at a time. Default: 2 (at most the number of cores). */
  concurrency?: number;
  /** Decoder; default a new `FfmpegDecoder`. Tests inject a counting or failing one. */
  decoder?: VideoDecoder;
}

/** Checks decoding options and fills their defaults. */
export function resolveDecodingContext(options: DecodingOptions): DecodingContext {
  const size = options.size ?? 64;
  const settings = resolveDecodeSettings({
    height: options.height ?? size,
    width: options.width ?? size,
    frameStride: options.frameStride ?? 2,
    resize: options.resize,
    fps: options.fps,
  } satisfies DecodeSettings);
  const concurrency = requireInteger('concurrency', options.concurrency ?? Math.max(1, Math.min(2, os.cpus().length)), 1);
  return {
    settings,
    cache: new ClipCache(options.cacheDir),
    concurrency,
    decoder: options.decoder ?? new FfmpegDecoder(),
    resolver: new VideoFileResolver(),
  };
}

/** What `ensureCached` found. */
export interface EnsureResult {
  entries: Map<string, CachedClip>;
  /** The file on disk of each video found (id -> path), also for those found bad later. */
  files: Map<string, string>;
  skipped: SkippedVideo[];
  decoded: number;
  cached: number;
}

/** What `lookupCached` found. */
export interface LookupResult {
  entries: Map<string, CachedClip>;
  files: Map<string, string>;
  misses: { video: DecodeEntry; file: string }[];
  /** Videos whose source file is missing. */
  skipped: SkippedVideo[];
}

/** Sorts the cache hits from the misses (cheap: a stat and a header read per video; decodes nothing). */
export function lookupCached(context: DecodingContext, videos: readonly DecodeEntry[]): LookupResult {
  const entries = new Map<string, CachedClip>();
  const files = new Map<string, string>();
  const skipped: SkippedVideo[] = [];
  const misses: { video: DecodeEntry; file: string }[] = [];
  for (const video of videos) {
    try {
      const file = context.resolver.resolve(video.file);
      files.set(video.id, file);
      const hit = context.cache.lookup(video.id, context.settings, sourceStamp(file));
      if (hit) entries.set(video.id, hit);
      else misses.push({ video, file });
    } catch (error) {
      if (!(error instanceof DeltaSparsityError)) throw error;
      skipped.push({ video: video.id, file: video.file, reason: error.message });
    }
  }
  return { entries, files, misses, skipped };
}

/** Why a video with `frameCount` sampled frames cannot give a clip of `minFrames`. */
export function tooShortReason(file: string, frameStride: number, frameCount: number, minFrames: number): string {
  return (
    `Video too short: ${file} has ${frameCount} frames at frameStride=${frameStride}, ` +
    `a clip needs clipLength=${minFrames}. Use a smaller clipLength or frameStride, or skip bad videos.`
  );
}

/** Sorts `skipped` into the order of `videos`, whatever order they were found in. */
export function sortInListOrder(skipped: SkippedVideo[], videos: readonly { id: string }[]): void {
  const order = new Map(videos.map((video, index) => [video.id, index]));
  skipped.sort((a, b) => (order.get(a.video) ?? 0) - (order.get(b.video) ?? 0));
}

/**
 * Makes sure every video is in the cache, decoding misses `concurrency` at a time with a progress display.
 * Failures (missing, corrupt, too short for `minFrames` sampled frames) are collected in list order, never
 * thrown, so one bad file does not stop the rest.
 */
export async function ensureCached(
  context: DecodingContext,
  videos: readonly DecodeEntry[],
  progressMode: ProgressMode,
  minFrames: number,
): Promise<EnsureResult> {
  const { entries, files, skipped, misses } = lookupCached(context, videos);
  let decoded = 0;
  const cached = entries.size;
  const progress = createProgress({ label: 'decode', total: misses.length, unit: 'videos', mode: progressMode });
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < misses.length) {
      const { video, file } = misses[next++];
      try {
        entries.set(video.id, await decodeToCache(context.cache, context.decoder, file, video.id, context.settings));
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
    await Promise.all(Array.from({ length: Math.min(context.concurrency, Math.max(1, misses.length)) }, worker));
  } finally {
    progress.stop();
  }
  for (const [id, entry] of entries) {
    if (entry.header.frameCount < minFrames) {
      entries.delete(id);
      const file = files.get(id) ?? id;
      skipped.push({ video: id, file, reason: tooShortReason(file, context.settings.frameStride, entry.header.frameCount, minFrames) });
    }
  }
  // Report in list order, whatever order the workers finished in.
  sortInListOrder(skipped, videos);
  return { entries, files, skipped, decoded, cached };
}

/**
 * The error for classes left without a usable video: `parts` maps a part name ("training", "test") to, per
 * class, how many videos were listed and how many are usable. A class with listed but no usable videos in a
 * part is an error naming it and the first reason; null when every class keeps at least one.
 */
export function emptyClassError(
  dataset: string,
  classNames: readonly string[],
  parts: { name: string; listed: number[]; usable: number[] }[],
  skipped: readonly SkippedVideo[],
  classOf: (videoId: string) => number,
): DeltaSparsityError | null {
  for (const part of parts) {
    const empty = classNames.flatMap((name, index) => (part.listed[index] > 0 && part.usable[index] === 0 ? [index] : []));
    if (empty.length === 0) continue;
    const first = skipped.find((item) => empty.includes(classOf(item.video)));
    const names = empty.map((index) => classNames[index]);
    return new DeltaSparsityError(
      `${dataset}: ${names.length === 1 ? `class ${names[0]} has` : `classes ${names.join(', ')} have`} no usable ${part.name} video ` +
        `(${names.length === 1 ? `${part.listed[empty[0]]} listed` : `${empty.map((index) => part.listed[index]).join(', ')} listed`})` +
        `${first ? `; first reason: ${first.reason}` : ''}. Fix or remove the videos, or leave the class out.`,
    );
  }
  return null;
}
