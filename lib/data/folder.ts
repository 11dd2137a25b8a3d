/**
 * Any folder of labelled videos as a `VideoDataset`: `<root>/<class>/<video>`, one folder per class (sorted by
 * name, labelled 0..N-1), videos in any container ffmpeg decodes (VIDEO_EXTENSIONS), and the subject (person,
 * group, sequence) of each video parsed from its file name by a regular expression with one capture group.
 * Train and test are split by subject, never by video, so no subject is in both: either a fixed set of test
 * subjects, or fold k of leave-one-subject-out (subject k of the sorted subject list is the test set).
 *
 * Weizmann (Gorelick et al., "Actions as Space-Time Shapes", TPAMI 2007; 90 clips bundled in data/weizmann)
 * is a preset: `<action>/<person>_<action>.avi`, subject pattern `^([a-z]+)_`.
 *
 * Frames are decoded once into the clip cache, as for UCF101 (same decoder, same `crop` resize: scale to cover
 * the square, cut the centre; Weizmann's 180x144 loses 18 px at the left and right).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError, checkOptionKeys, closestNames, invalidArgument, optionKeys, requireInteger } from '../util/errors';
import type { ProgressMode } from '../util/progress';
import { stableHash } from '../util/stableHash';
import { ClipCache, readCachedFrames, type CachedClip } from './cache';
import { WindowedDataset, resolveAugmentation, type FrameSource, type IndexedVideo, type WindowedDatasetSettings } from './clips';
import { emptyClassError, ensureCached, resolveDecodingContext, type DecodingOptions } from './decodeSet';
import type { AugmentationOptions, SkippedVideo } from './types';
import { VIDEO_EXTENSIONS, isVideoFileName } from './videoFiles';

/** One video found in a folder dataset. */
export interface FolderVideoEntry {
  /** `<class>/<file name without extension>`, e.g. "bend/daria_bend". */
  id: string;
  /** Absolute path. */
  file: string;
  /** Path under the root, e.g. "bend/daria_bend.avi". */
  relativePath: string;
  className: string;
  /** Index into `classNames`. */
  label: number;
  /** The pattern's capture, e.g. "daria". */
  subject: string;
  /** File size in bytes (part of the dataset identity). */
  bytes: number;
}

/** What `scanVideoFolder` found (no video decoded). */
export interface VideoFolderScan {
  root: string;
  /** The subject pattern's source, e.g. "^([a-z]+)_". */
  subjectPattern: string;
  /** Class folders in sorted order. */
  classNames: string[];
  /** Distinct subjects in sorted order (the LOPO fold order). */
  subjects: string[];
  /** Every video, by class then file name. */
  videos: FolderVideoEntry[];
}

function compileSubjectPattern(pattern: unknown): RegExp {
  let regex: RegExp;
  if (pattern instanceof RegExp) regex = pattern;
  else if (typeof pattern === 'string' && pattern !== '') {
    try {
      regex = new RegExp(pattern);
    } catch (error) {
      throw invalidArgument('subjectPattern', `a valid regular expression (${(error as Error).message})`, pattern);
    }
  } else {
    throw invalidArgument('subjectPattern', 'a regular expression with one capture group, e.g. "^([a-z]+)_"', pattern);
  }
  // An alternative that matches the empty string reveals the number of groups without any input.
  const groups = (new RegExp(`${regex.source}|`).exec('') ?? []).length - 1;
  if (groups !== 1) {
    throw invalidArgument('subjectPattern', `a regular expression with exactly one capture group (it has ${groups})`, regex.source);
  }
  return regex;
}

/** Lists `root`'s class folders and videos and parses each video's subject. Throws one-line errors for bad input. */
export function scanVideoFolder(root: string, subjectPattern: string | RegExp): VideoFolderScan {
  if (typeof root !== 'string' || root === '') throw invalidArgument('root', 'a folder of <class>/<video> files', root);
  const resolved = path.resolve(root);
  if (!fs.existsSync(resolved) || !fs.statSync(resolved).isDirectory()) {
    throw invalidArgument('root', 'an existing folder of <class>/<video> files', resolved);
  }
  const regex = compileSubjectPattern(subjectPattern);
  const classNames = fs
    .readdirSync(resolved, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  if (classNames.length < 2) {
    throw invalidArgument('root', `a folder holding at least 2 class folders (<root>/<class>/<video>); ${resolved} has ${classNames.length}`, resolved);
  }
  const videos: FolderVideoEntry[] = [];
  const unmatched: string[] = [];
  classNames.forEach((className, label) => {
    const dir = path.join(resolved, className);
    const names = fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && isVideoFileName(entry.name))
      .map((entry) => entry.name)
      .sort();
    if (names.length === 0) {
      throw new DeltaSparsityError(`Class folder ${dir} holds no video (expected files ending ${VIDEO_EXTENSIONS.join(', ')}).`);
    }
    const seen = new Map<string, string>();
    for (const name of names) {
      const stem = name.slice(0, name.length - path.extname(name).length);
      const earlier = seen.get(stem);
      if (earlier !== undefined) {
        throw new DeltaSparsityError(`Two videos of one name in ${dir}: ${earlier} and ${name}; keep one.`);
      }
      seen.set(stem, name);
      const match = regex.exec(name);
      if (!match || match[1] === undefined || match[1] === '') {
        unmatched.push(path.join(className, name));
        continue;
      }
      const file = path.join(dir, name);
      videos.push({ id: `${className}/${stem}`, file, relativePath: `${className}/${name}`, className, label, subject: match[1], bytes: fs.statSync(file).size });
    }
  });
  if (videos.length === 0) {
    throw invalidArgument('subjectPattern', `a pattern whose capture group matches the video file names under ${resolved} (e.g. ${unmatched[0]})`, regex.source);
  }
  if (unmatched.length > 0) {
    throw invalidArgument(
      'subjectPattern',
      `a pattern that gives every video a subject; it matches no subject in ${unmatched.length} of ${unmatched.length + videos.length} files under ${resolved}, e.g. ${unmatched[0]}`,
      regex.source,
    );
  }
  const subjects = [...new Set(videos.map((video) => video.subject))].sort();
  return { root: resolved, subjectPattern: regex.source, classNames, subjects, videos };
}

/** How train and test subjects were chosen. */
export interface SubjectSplit {
  /** `fixed`: named test subjects (or the default); `lopo`: fold `fold` of leave-one-subject-out. */
  kind: 'fixed' | 'lopo';
  /** Fold index (LOPO only): the fold-th subject in sorted order is the test subject. */
  fold?: number;
  testSubjects: string[];
  trainSubjects: string[];
}

/** Which subjects are for testing: at most one of the two. */
export interface SubjectSplitOptions {
  /** Named test subjects; every other subject trains. */
  testSubjects?: string[];
  /** Leave-one-subject-out fold index 0..S-1 (subjects in sorted order). */
  fold?: number;
}

/**
 * The default test subjects: the last ceil(S / 3) subjects in sorted order, so about a third of the subjects
 * test and the choice depends on nothing but the names. For Weizmann (9 people) that is lyova, moshe and
 * shahar; daria, denis, eli, ido, ira and lena train.
 */
export function defaultTestSubjects(subjects: readonly string[]): string[] {
  return subjects.slice(subjects.length - Math.ceil(subjects.length / 3));
}

/** Leave-one-subject-out folds: fold k tests subject k of the sorted list and trains on the others. */
export function leaveOneSubjectOutFolds(subjects: readonly string[]): SubjectSplit[] {
  const sorted = [...subjects].sort();
  return sorted.map((subject, fold) => ({ kind: 'lopo', fold, testSubjects: [subject], trainSubjects: sorted.filter((other) => other !== subject) }));
}

/** Resolves split options against a folder's subjects. Throws naming an unknown subject or a fold out of range. */
export function resolveSubjectSplit(scan: Pick<VideoFolderScan, 'root' | 'subjects'>, options: SubjectSplitOptions = {}): SubjectSplit {
  const { subjects } = scan;
  if (subjects.length < 2) {
    throw invalidArgument('root', `videos of at least 2 subjects to split by subject; ${scan.root} has ${subjects.length} (${subjects.join(', ')})`, scan.root);
  }
  if (options.testSubjects !== undefined && options.fold !== undefined) {
    throw invalidArgument('testSubjects', 'either testSubjects or fold, not both', { testSubjects: options.testSubjects, fold: options.fold });
  }
  if (options.fold !== undefined) {
    if (!Number.isInteger(options.fold) || options.fold < 0 || options.fold >= subjects.length) {
      throw invalidArgument('fold', `a fold index from 0 to ${subjects.length - 1} (subjects in sorted order: ${subjects.join(', ')})`, options.fold);
    }
    return leaveOneSubjectOutFolds(subjects)[options.fold];
  }
  const requested = options.testSubjects ?? defaultTestSubjects(subjects);
  if (!Array.isArray(requested) || requested.length === 0) throw invalidArgument('testSubjects', 'at least one subject name', requested);
  for (const subject of requested) {
    if (!subjects.includes(subject)) {
      throw invalidArgument('testSubjects', `subjects found under ${scan.root} (closest: ${closestNames(String(subject), subjects).join(', ')})`, subject);
    }
  }
  const testSubjects = subjects.filter((subject) => requested.includes(subject));
  const trainSubjects = subjects.filter((subject) => !requested.includes(subject));
  if (trainSubjects.length === 0) throw invalidArgument('testSubjects', 'a subset of the subjects that leaves at least one for training', requested);
  return { kind: 'fixed', testSubjects, trainSubjects };
}

/** What identifies a folder dataset's data, for run-folder and results keys. */
export interface DatasetIdentity {
  /** "weizmann", "folder", ... */
  name: string;
  root: string;
  subjectPattern: string;
  split: SubjectSplit;
  /** 16 hex digits of the SHA-256 of the sorted (path, class, subject, bytes) list. */
  fileListHash: string;
  videos: number;
}

/** The identity of a scanned folder with a split (no decoding). */
export function folderDatasetIdentity(scan: VideoFolderScan, split: SubjectSplit, name = 'folder'): DatasetIdentity {
  const files = scan.videos.map((video) => [video.relativePath, video.className, video.subject, video.bytes]);
  return { name, root: scan.root, subjectPattern: scan.subjectPattern, split, fileListHash: stableHash(files), videos: scan.videos.length };
}

/** Subjects and LOPO folds of a folder (for `study --protocol lopo`): scans only, decodes nothing. */
export function folderSubjects(root: string, subjectPattern: string | RegExp): { subjects: string[]; folds: SubjectSplit[]; scan: VideoFolderScan } {
  const scan = scanVideoFolder(root, subjectPattern);
  return { subjects: scan.subjects, folds: leaveOneSubjectOutFolds(scan.subjects), scan };
}

/** Options of `createFolderDataset`. */
export interface FolderDatasetOptions extends DecodingOptions, SubjectSplitOptions {
  /** Folder holding `<class>/<video>`. Required. */
  root: string;
  /** Regular expression on the file name with one capture group: the subject. Required. */
  subjectPattern: string | RegExp;
  /** Dataset name in `describe()` and the identity. Default "folder". */
  name?: string;
  /** Frames per clip (T), consecutive among the strided frames. Default 8. */
  clipLength?: number;
  /** Deterministic test windows per test video, spread evenly. Default 1 (the centre window). */
  testWindowsPerVideo?: number;
  /** Random training windows per training video per epoch. Default 1. */
  clipsPerVideo?: number;
  /** Training augmentation (one crop and one flip per clip, the same on all its frames). Default none. */
  augmentation?: AugmentationOptions;
  /** Seed of shuffling, window offsets and augmentation. Default 0. */
  seed?: number;
  /**
   * `error` (default): a video that cannot be used (corrupt, too short for a clip) fails with an error naming
   * it. `skip`: such videos are left out and listed in `skippedVideos`; a class or split part left without any
   * video is still an error naming it.
   */
  badVideos?: 'error' | 'skip';
  /** Progress display on stderr. Default 'auto'. */
  progress?: ProgressMode;
}

const FOLDER_OPTION_KEYS = optionKeys<FolderDatasetOptions>({
  root: true, subjectPattern: true, name: true, clipLength: true, testWindowsPerVideo: true, clipsPerVideo: true,
  augmentation: true, seed: true, badVideos: true, progress: true, testSubjects: true, fold: true,
  size: true, height: true, width: true, frameStride: true, resize: true, fps: true, cacheDir: true, concurrency: true, decoder: true,
});

/** A folder video as the dataset holds it. */
export interface FolderVideo extends IndexedVideo {
  entry: CachedClip;
  subject: string;
  file: string;
}

/** A folder dataset: a `WindowedDataset` plus its split and identity. */
export class FolderDataset extends WindowedDataset<FolderVideo> {
  constructor(
    settings: WindowedDatasetSettings<FolderVideo>,
    /** Subjects, split and file-list hash (see `DatasetIdentity`). */
    readonly identity: DatasetIdentity,
  ) {
    super(settings);
  }

  /** The split: which subjects train and which test. */
  get split(): SubjectSplit {
    return this.identity.split;
  }
}

/**
 * Loads a folder dataset, decoding into the clip cache whatever is not there yet (a cache folder of its own per
 * root, so two folders with equal class and file names never share entries).
 */
export async function createFolderDataset(rawOptions: FolderDatasetOptions): Promise<FolderDataset> {
  const options = checkOptionKeys('createFolderDataset', rawOptions, FOLDER_OPTION_KEYS);
  const clipLength = requireInteger('clipLength', options.clipLength ?? 8, 1);
  const testWindowsPerVideo = requireInteger('testWindowsPerVideo', options.testWindowsPerVideo ?? 1, 1);
  const clipsPerVideo = requireInteger('clipsPerVideo', options.clipsPerVideo ?? 1, 1);
  const augmentation = resolveAugmentation(options.augmentation);
  const seed = requireInteger('seed', options.seed ?? 0, 0);
  const badVideos = options.badVideos ?? 'error';
  if (badVideos !== 'error' && badVideos !== 'skip') throw invalidArgument('badVideos', '"error" or "skip"', badVideos);
  const name = options.name ?? 'folder';
  const scan = scanVideoFolder(options.root, options.subjectPattern);
  const split = resolveSubjectSplit(scan, options);
  const identity = folderDatasetIdentity(scan, split, name);
  const context = resolveDecodingContext(options);
  context.cache = new ClipCache(path.join(context.cache.dir, 'folders', stableHash(scan.root, 12)));

  const result = await ensureCached(context, scan.videos, options.progress ?? 'auto', clipLength);
  if (result.skipped.length > 0 && badVideos === 'error') {
    const more = result.skipped.length - 1;
    throw new DeltaSparsityError(
      `${result.skipped[0].reason}${more > 0 ? ` (and ${more} more bad videos)` : ''}. Set badVideos to 'skip' to leave bad videos out (they are then listed).`,
    );
  }
  const testSet = new Set(split.testSubjects);
  const usable = scan.videos.flatMap((video): FolderVideo[] => {
    const entry = result.entries.get(video.id);
    return entry ? [{ id: video.id, label: video.label, frameCount: entry.header.frameCount, entry, subject: video.subject, file: video.file }] : [];
  });
  const train = usable.filter((video) => !testSet.has(video.subject));
  const test = usable.filter((video) => testSet.has(video.subject));
  const perClass = (videos: readonly { label: number }[]): number[] => {
    const counts = scan.classNames.map(() => 0);
    for (const video of videos) counts[video.label] += 1;
    return counts;
  };
  const listedTrain = scan.videos.filter((video) => !testSet.has(video.subject));
  const listedTest = scan.videos.filter((video) => testSet.has(video.subject));
  const labelOf = new Map(scan.videos.map((video) => [video.id, video.label]));
  const emptyClass = emptyClassError(
    `${name} under ${scan.root}`,
    scan.classNames,
    [
      { name: 'training', listed: perClass(listedTrain), usable: perClass(train) },
      { name: 'test', listed: perClass(listedTest), usable: perClass(test) },
    ],
    result.skipped,
    (id) => labelOf.get(id) ?? -1,
  );
  if (emptyClass) throw emptyClass;
  if (train.length === 0 || test.length === 0) {
    throw new DeltaSparsityError(`${name} under ${scan.root}: no usable ${train.length === 0 ? 'training' : 'test'} video (split ${describeSplit(split)}).`);
  }
  const source: FrameSource<FolderVideo> = { readWindow: (video, offset, count) => readCachedFrames(video.entry, offset, count) };
  const skipped: SkippedVideo[] = result.skipped;
  return new FolderDataset(
    {
      name,
      classNames: scan.classNames,
      clipLength,
      height: context.settings.height,
      width: context.settings.width,
      train,
      test,
      testWindowsPerVideo,
      clipsPerVideo,
      augmentation,
      seed,
      source,
      skipped,
      details: {
        root: scan.root,
        subjectPattern: scan.subjectPattern,
        split: describeSplit(split),
        testSubjects: split.testSubjects,
        trainSubjects: split.trainSubjects,
        ...(split.fold !== undefined ? { fold: split.fold } : {}),
        fileListHash: identity.fileListHash,
        frameStride: context.settings.frameStride,
        resize: context.settings.resize,
        fps: context.settings.fps,
        cacheDir: context.cache.dir,
        decoded: result.decoded,
        cached: result.cached,
        skipped,
      },
    },
    identity,
  );
}

/** "fold 3 of 9 (test: ido)" or "fixed (test: lyova, moshe, shahar)". */
export function describeSplit(split: SubjectSplit): string {
  const test = `test: ${split.testSubjects.join(', ')}; train: ${split.trainSubjects.join(', ')}`;
  return split.kind === 'lopo' ? `leave-one-subject-out fold ${split.fold} of ${split.trainSubjects.length + 1} (${test})` : `fixed subjects (${test})`;
}

/** Weizmann's subject pattern: the person is the file name up to the first underscore (`daria_bend.avi`). */
export const WEIZMANN_SUBJECT_PATTERN = '^([a-z]+)_';

/** The Weizmann clips shipped with this package (data/weizmann: 10 actions x 9 people, see its README). */
export function bundledWeizmannRoot(): string {
  return path.resolve(__dirname, '..', '..', 'data', 'weizmann');
}

/** Options of `createWeizmannDataset`: a folder dataset whose root and pattern default to the bundled Weizmann set. */
export type WeizmannDatasetOptions = Omit<FolderDatasetOptions, 'root' | 'subjectPattern' | 'name'> & { root?: string; subjectPattern?: string };

/**
 * The Weizmann set (default: the bundled copy). Default split: the fixed one of `defaultTestSubjects`, i.e.
 * daria, denis, eli, ido, ira, lena train (60 clips) and lyova, moshe, shahar test (30 clips); `fold` k in
 * 0..8 tests the k-th person of daria, denis, eli, ido, ira, lena, lyova, moshe, shahar instead.
 */
export async function createWeizmannDataset(rawOptions?: WeizmannDatasetOptions): Promise<FolderDataset> {
  const options = checkOptionKeys('createWeizmannDataset', rawOptions, FOLDER_OPTION_KEYS.filter((key) => key !== 'name'));
  return createFolderDataset({
    ...options,
    root: options.root ?? bundledWeizmannRoot(),
    subjectPattern: options.subjectPattern ?? WEIZMANN_SUBJECT_PATTERN,
    name: 'weizmann',
  });
}
