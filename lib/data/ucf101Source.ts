/**
 * Where a UCF101 subset's videos are: the root folder (or the folder above it), the official split lists, and
 * the subset's decode entries; `prepareUcf101` decodes them into the clip cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidArgument, requireInteger } from '../util/errors';
import type { ProgressMode } from '../util/progress';
import { ensureCached, resolveDecodingContext, type DecodeEntry, type DecodingContext, type DecodingOptions } from './decodeSet';
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
import type { SkippedVideo } from './types';

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

/** A UCF101 source ready to decode: the class root, the selected subset, and the cache and decoder. */
export interface ResolvedSource extends DecodingContext {
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

/** Resolves root, split lists, subset, cache and decoder; errors name the option at fault. */
export function resolveSource(options: Ucf101SourceOptions): ResolvedSource {
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
export function decodeEntries(source: ResolvedSource, videos: readonly SubsetEntry[]): DecodeEntry[] {
  return videos.map((video) => ({ id: video.id, file: path.join(source.root, video.path) }));
}

/** The subset videos of the wanted parts (default both), training videos first. */
export function selectedVideos(subset: Ucf101Subset, parts: ('train' | 'test')[] | undefined): SubsetEntry[] {
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

