/**
 * The official UCF101 train/test splits (ucfTrainTestlist/: classInd.txt, trainlist0N.txt, testlist0N.txt) and
 * subset selection from them. Train and test lists come from the official split only, so the 25 groups (gGG:
 * clips cut from the same long video) never leak across train and test.
 *
 * File format notes (as distributed): CRLF line endings; trainlists carry a 1-based class index after the
 * path, testlists carry none; the folder `HandstandPushups` holds files named `v_HandStandPushups_*`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError, closestNames, invalidArgument, requireInteger } from '../util/errors';

/** One video of a split list. */
export interface SplitEntry {
  /** Path relative to the UCF-101 root, e.g. "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi". */
  path: string;
  /** Path without the extension, used as the video id: "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01". */
  id: string;
  /** Folder (= class) name, e.g. "HandstandPushups". */
  className: string;
  /** 0-based index into the split's `classNames` (classInd.txt order). */
  classIndex: number;
  /** Group gGG (1..25): clips of one group come from one long video. */
  group: number;
  /** Clip cCC within the group. */
  clip: number;
}

export type SplitNumber = 1 | 2 | 3;

/** A parsed official split. */
export interface Ucf101Split {
  split: SplitNumber;
  /** Folder holding the list files. */
  listDir: string;
  /** The class names in classInd.txt order (the 101 official classes, or a subset's). */
  classNames: string[];
  /** The number classInd.txt gives each class (the label trainlists use), in the same order. */
  classNumbers: number[];
  train: SplitEntry[];
  test: SplitEntry[];
}

/** The split files shipped with this package (data/ucfTrainTestlist, byte for byte as distributed). */
export function bundledSplitDir(): string {
  return path.resolve(__dirname, '..', '..', 'data', 'ucfTrainTestlist');
}

/** The real UCF101 sample clips shipped with this package, laid out as a tiny UCF-101 root. */
export function bundledSampleRoot(): string {
  return path.resolve(__dirname, '..', '..', 'data', 'ucf101-samples');
}

function lines(text: string): { text: string; number: number }[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => ({ text: line.trim(), number: index + 1 }))
    .filter((line) => line.text !== '');
}

function malformed(file: string, lineNumber: number, line: string, expected: string): DeltaSparsityError {
  return new DeltaSparsityError(
    `${file}:${lineNumber}: malformed split file line, expected ${expected}. Received: ${JSON.stringify(line)}`,
  );
}

/** One line of classInd.txt. */
export interface ClassIndexEntry {
  /** The number the file gives the class (the label trainlists use). */
  number: number;
  name: string;
}

/**
 * Parses classInd.txt ("1 ApplyEyeMakeup" per line) into its entries, in file order. The numbers may be any
 * distinct positive integers, so a subset's file that keeps the official numbers (1, 10, 37, ...) works; the
 * classes are then labelled 0..N-1 in file order.
 */
export function parseClassIndexEntries(text: string, file = 'classInd.txt'): ClassIndexEntry[] {
  const entries: ClassIndexEntry[] = [];
  const lineOf = new Map<number, number>();
  const names = new Set<string>();
  for (const line of lines(text)) {
    const match = /^(\d+)\s+([A-Za-z0-9_-]+)$/.exec(line.text);
    if (!match) throw malformed(file, line.number, line.text, '"<index> <ClassName>"');
    const number = Number(match[1]);
    if (number < 1) throw malformed(file, line.number, line.text, 'a positive class index');
    const earlier = lineOf.get(number);
    if (earlier !== undefined) throw malformed(file, line.number, line.text, `a class index not used before (line ${earlier} has ${number})`);
    if (names.has(match[2])) throw malformed(file, line.number, line.text, `each class name once (${match[2]} is listed twice)`);
    lineOf.set(number, line.number);
    names.add(match[2]);
    entries.push({ number, name: match[2] });
  }
  if (entries.length === 0) throw new DeltaSparsityError(`${file}: no classes found (the file is empty).`);
  return entries;
}

/** The class names of classInd.txt in file order (see `parseClassIndexEntries`). */
export function parseClassIndex(text: string, file = 'classInd.txt'): string[] {
  return parseClassIndexEntries(text, file).map((entry) => entry.name);
}

const VIDEO_PATH = /^([A-Za-z0-9_-]+)\/v_([A-Za-z0-9_-]+)_g(\d+)_c(\d+)\.avi$/;

/**
 * Parses a trainlist (`Class/v_Class_gGG_cCC.avi <label>`) or testlist (`Class/v_Class_gGG_cCC.avi`).
 * A trainlist label must agree with the folder's number in classInd.txt: `classNumbers[i]` for
 * `classNames[i]`, by default i + 1.
 */
export function parseSplitList(
  text: string,
  kind: 'train' | 'test',
  classNames: readonly string[],
  file = `${kind}list`,
  classNumbers: readonly number[] = classNames.map((_, index) => index + 1),
): SplitEntry[] {
  const indexOf = new Map(classNames.map((name, index) => [name, index]));
  const entries: SplitEntry[] = [];
  for (const line of lines(text)) {
    const parts = line.text.split(/\s+/);
    const expected = kind === 'train' ? '"<Class>/v_<Class>_gGG_cCC.avi <label 1..N>"' : '"<Class>/v_<Class>_gGG_cCC.avi"';
    if (parts.length !== (kind === 'train' ? 2 : 1)) throw malformed(file, line.number, line.text, expected);
    const match = VIDEO_PATH.exec(parts[0]);
    if (!match) throw malformed(file, line.number, line.text, expected);
    const [, folder, fileClass, group, clip] = match;
    const classIndex = indexOf.get(folder);
    if (classIndex === undefined) {
      throw malformed(file, line.number, line.text, `a class folder listed in classInd.txt (closest: ${closestNames(folder, classNames).join(', ')})`);
    }
    // HandstandPushups/v_HandStandPushups_*: the file name may differ from the folder in case only.
    if (fileClass.toLowerCase() !== folder.toLowerCase()) {
      throw malformed(file, line.number, line.text, `the file name to repeat the folder name ${folder}`);
    }
    if (kind === 'train' && Number(parts[1]) !== classNumbers[classIndex]) {
      throw malformed(file, line.number, line.text, `label ${classNumbers[classIndex]} for class ${folder} (from classInd.txt)`);
    }
    entries.push({
      path: parts[0],
      id: parts[0].slice(0, -'.avi'.length),
      className: folder,
      classIndex,
      group: Number(group),
      clip: Number(clip),
    });
  }
  if (entries.length === 0) throw new DeltaSparsityError(`${file}: no videos found (the file is empty).`);
  return entries;
}

function readListFile(file: string): string {
  if (!fs.existsSync(file)) {
    throw new DeltaSparsityError(
      `Split file not found: ${file}. The official lists (classInd.txt, trainlist01-03.txt, testlist01-03.txt) ` +
        `come with UCF101 in ucfTrainTestlist/; a copy ships in ${bundledSplitDir()}.`,
    );
  }
  return fs.readFileSync(file, 'utf8');
}

/** Checks a split number (1, 2 or 3). */
export function requireSplit(split: unknown): SplitNumber {
  if (split !== 1 && split !== 2 && split !== 3) throw invalidArgument('split', '1, 2 or 3 (the official UCF101 splits)', split);
  return split;
}

/** Reads and checks official split `split` from `listDir` (default: the bundled copy). */
export function loadUcf101Split(split: number = 1, listDir: string = bundledSplitDir()): Ucf101Split {
  const number = requireSplit(split);
  if (!fs.existsSync(listDir) || !fs.statSync(listDir).isDirectory()) {
    throw invalidArgument('splitDir', 'a folder holding classInd.txt, trainlist0N.txt and testlist0N.txt', listDir);
  }
  const classFile = path.join(listDir, 'classInd.txt');
  const classEntries = parseClassIndexEntries(readListFile(classFile), classFile);
  const classNames = classEntries.map((entry) => entry.name);
  const classNumbers = classEntries.map((entry) => entry.number);
  const trainFile = path.join(listDir, `trainlist0${number}.txt`);
  const testFile = path.join(listDir, `testlist0${number}.txt`);
  const train = parseSplitList(readListFile(trainFile), 'train', classNames, trainFile, classNumbers);
  const test = parseSplitList(readListFile(testFile), 'test', classNames, testFile, classNumbers);
  const trainPaths = new Set(train.map((entry) => entry.path));
  const both = test.find((entry) => trainPaths.has(entry.path));
  if (both) throw new DeltaSparsityError(`${testFile}: ${both.path} is also in ${trainFile}; a split must not share videos.`);
  return { split: number, listDir, classNames, classNumbers, train, test };
}

/**
 * Where the split lists are: an explicit folder, else `<root>/ucfTrainTestlist`, else a `ucfTrainTestlist`
 * next to the root (the layout of the official downloads), else the copy shipped with this package.
 */
export function resolveSplitDir(root: string, splitDir?: string): string {
  if (splitDir !== undefined) return splitDir;
  const candidates = [path.join(root, 'ucfTrainTestlist'), path.join(path.dirname(path.resolve(root)), 'ucfTrainTestlist')];
  for (const candidate of candidates) {
    if (fs.existsSync(path.join(candidate, 'classInd.txt'))) return candidate;
  }
  return bundledSplitDir();
}

/** Which part of a split to use. */
export interface SubsetOptions {
  /** Class names (as in classInd.txt; case-insensitive). Default: all, or the first `firstClasses`. */
  classes?: string[];
  /** The first N classes of classInd.txt. Not together with `classes`. Default: all 101. */
  firstClasses?: number;
  /**
   * At most this many training videos per class, taken round-robin over the groups (g01 c01, g02 c01, ...,
   * g01 c02, ...) so that a small subset still spans many actors and scenes. Default: all.
   */
  videosPerClass?: number;
  /** At most this many test videos per class, chosen the same way. Default: `videosPerClass`. */
  testVideosPerClass?: number;
}

/** A video of a subset: a split entry plus its label within the subset. */
export interface SubsetEntry extends SplitEntry {
  /** 0-based index into the subset's `classNames`. */
  label: number;
}

export interface Ucf101Subset {
  split: SplitNumber;
  /** Selected classes in official order. */
  classNames: string[];
  train: SubsetEntry[];
  test: SubsetEntry[];
}

/** Resolves user-given class names against the official ones (case-insensitive), suggesting close names. */
export function resolveClassNames(requested: readonly string[], classNames: readonly string[]): string[] {
  const byLower = new Map(classNames.map((name) => [name.toLowerCase(), name]));
  const resolved = requested.map((name) => {
    const found = byLower.get(name.trim().toLowerCase());
    if (!found) {
      throw invalidArgument('classes', `UCF101 class names (closest to ${JSON.stringify(name)}: ${closestNames(name, classNames).join(', ')})`, name);
    }
    return found;
  });
  const duplicate = resolved.find((name, index) => resolved.indexOf(name) !== index);
  if (duplicate) throw invalidArgument('classes', 'each class at most once', requested);
  return resolved;
}

/** Takes up to `limit` entries of one class, round-robin over groups, in group then clip order. */
function takeAcrossGroups(entries: SplitEntry[], limit: number | undefined): SplitEntry[] {
  if (limit === undefined || limit >= entries.length) return entries;
  const groups = new Map<number, SplitEntry[]>();
  for (const entry of [...entries].sort((a, b) => a.group - b.group || a.clip - b.clip)) {
    const list = groups.get(entry.group) ?? [];
    list.push(entry);
    groups.set(entry.group, list);
  }
  const queues = [...groups.values()];
  const taken: SplitEntry[] = [];
  for (let round = 0; taken.length < limit; round++) {
    for (const queue of queues) {
      if (round < queue.length && taken.length < limit) taken.push(queue[round]);
    }
  }
  return taken.sort((a, b) => a.group - b.group || a.clip - b.clip);
}

/** Selects classes and videos from a split; labels are renumbered 0..k-1 in official class order. */
export function selectUcf101Subset(split: Ucf101Split, options: SubsetOptions = {}): Ucf101Subset {
  if (options.classes !== undefined && options.firstClasses !== undefined) {
    throw invalidArgument('classes', 'either classes or firstClasses, not both', { classes: options.classes, firstClasses: options.firstClasses });
  }
  let selected: string[];
  if (options.classes !== undefined) {
    if (options.classes.length === 0) throw invalidArgument('classes', 'at least one class name', options.classes);
    const chosen = new Set(resolveClassNames(options.classes, split.classNames));
    selected = split.classNames.filter((name) => chosen.has(name));
  } else if (options.firstClasses !== undefined) {
    requireInteger('firstClasses', options.firstClasses, 1);
    if (options.firstClasses > split.classNames.length) {
      throw invalidArgument('firstClasses', `an integer from 1 to ${split.classNames.length}`, options.firstClasses);
    }
    selected = split.classNames.slice(0, options.firstClasses);
  } else {
    selected = [...split.classNames];
  }
  if (options.videosPerClass !== undefined) requireInteger('videosPerClass', options.videosPerClass, 1);
  if (options.testVideosPerClass !== undefined) requireInteger('testVideosPerClass', options.testVideosPerClass, 0);
  const testLimit = options.testVideosPerClass ?? options.videosPerClass;
  const labelOf = new Map(selected.map((name, index) => [name, index]));
  const pick = (entries: SplitEntry[], limit: number | undefined): SubsetEntry[] =>
    selected.flatMap((name) =>
      takeAcrossGroups(
        entries.filter((entry) => entry.className === name),
        limit,
      ).map((entry) => ({ ...entry, label: labelOf.get(name) as number })),
    );
  return {
    split: split.split,
    classNames: selected,
    train: pick(split.train, options.videosPerClass),
    test: pick(split.test, testLimit),
  };
}
