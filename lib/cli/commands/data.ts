/**
 * `delta-sparsity data`: prepare (decode into the clip cache), describe and benchmark video data.
 *
 *   delta-sparsity data prepare --root ~/UCF-101 --first-classes 10 --videos-per-class 20 --size 64 --stride 2
 *   delta-sparsity data describe --root ~/UCF-101 --classes ApplyEyeMakeup,Archery --json
 *   delta-sparsity data describe                 # the embedded synthetic set
 *   delta-sparsity data describe --weizmann      # the bundled Weizmann clips: classes, subjects, split
 *   delta-sparsity data describe --folder ~/kth --subject '^(person\d+)_' --fold 0
 *   delta-sparsity data bench --json             # decode-and-cache vs ffmpeg alone, cached reads
 *   delta-sparsity data density --weizmann       # input temporal density (what a delta layer on pixels sends)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { JsonOption, action, printJson, say, withJsonOption } from '../output';
import { CLI_FLAG_RENAMES, expectFolderOrNothing, invalidArgument, upgradeLegacyFlags, type ProgressMode } from '../../util';
import {
  VIDEO_EXTENSIONS,
  WEIZMANN_SUBJECT_PATTERN,
  isVideoFileName,
  bundledSampleRoot,
  bundledWeizmannRoot,
  describeSplit,
  folderDatasetIdentity,
  resolveSubjectSplit,
  resolveUcf101Root,
  scanVideoFolder,
  createFolderDataset,
  createSyntheticDataset,
  createUcf101Dataset,
  createWeizmannDataset,
  measureInputTemporalDensity,
  DEFAULT_INPUT_THRESHOLD,
  type VideoDataset,
  loadUcf101Split,
  prepareUcf101,
  resolveSplitDir,
  selectUcf101Subset,
  type Ucf101SourceOptions,
} from '../../data';
import { benchmarkDecoding, formatDecodeBenchmark } from '../../bench';

interface SubsetCliOptions extends JsonOption {
  /** UCF-101 folder. Required for prepare; describe falls back to the synthetic set without it. */
  root?: string;
  /** Official split 1-3. Default 1. */
  split?: string;
  /** Comma-separated class names. */
  classes?: string;
  /** The first N classes. */
  firstClasses?: string;
  /** Training videos per class. Default all. */
  videosPerClass?: string;
  /** Test videos per class. Default: --videos-per-class. */
  testVideosPerClass?: string;
  /** Split list folder. Default: found next to the root, else the bundled copy. */
  splitDir?: string;
}

interface PrepareCliOptions extends SubsetCliOptions {
  size?: string;
  stride?: string;
  cache?: string;
  concurrency?: string;
  clipLength?: string;
  resize?: string;
}

function parseInteger(argument: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < min) throw invalidArgument(argument, `an integer >= ${min}`, text);
  return value;
}

function subsetOptions(options: SubsetCliOptions): Omit<Ucf101SourceOptions, 'root'> {
  return {
    split: parseInteger('--split', options.split, 1),
    splitDir: options.splitDir,
    classes: options.classes?.split(',').map((name) => name.trim()).filter((name) => name !== ''),
    firstClasses: parseInteger('--first-classes', options.firstClasses, 1),
    videosPerClass: parseInteger('--videos-per-class', options.videosPerClass, 1),
    testVideosPerClass: parseInteger('--test-videos-per-class', options.testVideosPerClass, 0),
  };
}

function addSubsetOptions(command: Command): Command {
  return command
    .option('--root <dir>', 'UCF-101 folder holding <Class>/v_<Class>_gGG_cCC.avi')
    .option('--split <n>', 'official split 1, 2 or 3 (default 1)')
    .option('--classes <names>', 'comma-separated class names, e.g. ApplyEyeMakeup,Archery')
    .option('--first-classes <n>', 'the first N classes of classInd.txt')
    .option('--videos-per-class <n>', 'at most N training videos per class, spread over groups (default all)')
    .option('--test-videos-per-class <n>', 'at most N test videos per class (default: --videos-per-class)')
    .option('--split-dir <dir>', 'folder of classInd.txt / trainlist0N.txt / testlist0N.txt (default: found or bundled)');
}

export function registerDataCommand(program: Command): void {
  const data = program.command('data').description('Video data: decode UCF101 subsets into the clip cache, describe datasets, benchmark decoding.');

  withJsonOption(
    addSubsetOptions(data.command('prepare').description('Decode a UCF101 subset into the clip cache (2 ffmpeg processes at a time).'))
      .option('--size <px>', 'square frame side in pixels (default 64)')
      .option('--stride <k>', 'keep every k-th frame (default 2)')
      .option('--resize <mode>', 'crop (keep aspect ratio, default) or stretch')
      .option('--clip-length <t>', 'also report videos with fewer than T sampled frames as skipped')
      .option('--cache <dir>', 'cache folder (default $DELTA_CACHE_DIR or .cache/delta-sparsity)')
      .option('--concurrency <n>', 'ffmpeg processes at a time (default 2)'),
  ).action(
    action(async (options: PrepareCliOptions) => {
      if (options.root === undefined) throw invalidArgument('--root', 'the UCF-101 folder to decode from', options.root);
      const resize = options.resize;
      if (resize !== undefined && resize !== 'crop' && resize !== 'stretch') throw invalidArgument('--resize', '"crop" or "stretch"', resize);
      if (options.cache !== undefined) expectFolderOrNothing(options.cache, '--cache');
      const progress: ProgressMode = options.json ? 'lines' : 'auto';
      const report = await prepareUcf101({
        root: options.root,
        ...subsetOptions(options),
        size: parseInteger('--size', options.size, 1),
        frameStride: parseInteger('--stride', options.stride, 1),
        resize,
        clipLength: parseInteger('--clip-length', options.clipLength, 1),
        cacheDir: options.cache,
        concurrency: parseInteger('--concurrency', options.concurrency, 1),
        progress,
      });
      say(
        options,
        `${report.videos} videos of ${report.classNames.length} classes (split ${report.split}): ${report.decoded} decoded, ` +
          `${report.cached} already cached, ${report.skipped.length} skipped; ${report.frames} frames of ` +
          `${report.settings.width}x${report.settings.height} (stride ${report.settings.frameStride}) in ${report.cacheDir} ` +
          `(${report.seconds.toFixed(1)} s)`,
      );
      const shown = 20;
      for (const skipped of report.skipped.slice(0, shown)) say(options, `  skipped ${skipped.video}: ${skipped.reason}`);
      if (report.skipped.length > shown) say(options, `  ... and ${report.skipped.length - shown} more skipped (all listed with --json)`);
      printJson(options, report);
    }),
  );

  withJsonOption(
    addSubsetOptions(data.command('describe').description('Classes and train/test counts of a UCF101 subset (split lists only, no decoding) or of the synthetic set.'))
      .option('--synthetic', 'describe the embedded synthetic set (the default without --root)')
      .option('--weizmann', 'describe the bundled Weizmann clips (a folder dataset)')
      .option('--folder <dir>', 'describe a folder of <class>/<video> files (needs --subject)')
      .option('--subject <regex>', 'regular expression with one capture group: the subject in each file name')
      .option('--test-subjects <names>', 'comma-separated test subjects (default: the last third in sorted order)')
      .option('--fold <k>', 'leave-one-subject-out fold k (the k-th subject in sorted order tests)'),
  ).action(
    action((options: SubsetCliOptions & FolderCliOptions & { synthetic?: boolean }) => {
      if (options.weizmann || options.folder !== undefined) {
        describeFolder(options);
        return;
      }
      if (options.root === undefined || options.synthetic) {
        const description = createSyntheticDataset().describe();
        say(options, `synthetic: ${description.classes.length} classes, ${description.trainClipCount} train / ${description.testClipCount} test clips, ` +
          `${description.clipLength} frames of ${description.width}x${description.height}`);
        for (const entry of description.classes) say(options, `  ${entry.name.padEnd(12)} train ${entry.train}  test ${entry.test}`);
        printJson(options, description);
        return;
      }
      const subsetArgs = subsetOptions(options);
      // The same error as prepare and train give for a missing root, before the lists are read.
      resolveUcf101Root(options.root);
      const splitDir = resolveSplitDir(options.root, subsetArgs.splitDir);
      const subset = selectUcf101Subset(loadUcf101Split(subsetArgs.split ?? 1, splitDir), subsetArgs);
      const classes = subset.classNames.map((name) => ({
        name,
        train: subset.train.filter((entry) => entry.className === name).length,
        test: subset.test.filter((entry) => entry.className === name).length,
      }));
      say(options, `ucf101 split ${subset.split} (lists from ${splitDir}): ${classes.length} classes, ${subset.train.length} train / ${subset.test.length} test videos`);
      for (const entry of classes) say(options, `  ${entry.name.padEnd(20)} train ${entry.train}  test ${entry.test}`);
      printJson(options, { name: 'ucf101', root: options.root, split: subset.split, splitDir, classes, train: subset.train.length, test: subset.test.length });
    }),
  );

  const density = withJsonOption(
    addSubsetOptions(
      data
        .command('density')
        .description(
          'Input temporal density: the share of pixel values y = q*round(x/q) (x in [0,1]) that change between consecutive frames, ' +
            'over every training (epoch 0) and test clip. Default: the synthetic set.',
        ),
    )
      .option('--synthetic', 'the embedded synthetic set (default)')
      .option('--weizmann', 'the bundled Weizmann clips')
      .option('--folder <dir>', 'a folder of <class>/<video> files (needs --subject)')
      .option('--subject <regex>', 'regular expression with one capture group: the subject in each file name')
      .option('--size <px>', 'square frame side (default 64)')
      .option('--stride <k>', 'keep every k-th frame (default 1: every frame)')
      .option('--clip-length <t>', 'frames per clip (default 16)')
      .option('--threshold <q>', `threshold q of the input quantisation y = q*round(x/q), in [0,1] intensity units (default ${DEFAULT_INPUT_THRESHOLD})`)
      .option('--cache <dir>', 'cache folder (default $DELTA_CACHE_DIR or .cache/delta-sparsity)'),
  );
  // Retired flags still parse (hidden from --help), read as their new names with one deprecation line.
  for (const retired of Object.keys(CLI_FLAG_RENAMES['data density'])) density.addOption(new Option(`${retired} <value>`).hideHelp());
  density.action(
    action(async (given: SubsetCliOptions & FolderCliOptions & { synthetic?: boolean; size?: string; stride?: string; clipLength?: string; threshold?: string; cache?: string }) => {
      const options = upgradeLegacyFlags(given, 'data density');
      const size = parseInteger('--size', options.size, 8) ?? 64;
      const frameStride = parseInteger('--stride', options.stride, 1) ?? 1;
      const clipLength = parseInteger('--clip-length', options.clipLength, 2) ?? 16;
      const threshold = options.threshold === undefined ? DEFAULT_INPUT_THRESHOLD : Number(options.threshold);
      if (!(threshold > 0 && threshold <= 1)) throw invalidArgument('--threshold', 'a number in (0, 1]', options.threshold);
      const progress: ProgressMode = options.json ? 'silent' : 'auto';
      const common = { size, frameStride, clipLength, cacheDir: options.cache, progress, badVideos: 'skip' as const };
      let dataset: VideoDataset;
      if (options.weizmann || options.folder !== undefined) {
        const pattern = options.subject ?? (options.weizmann ? WEIZMANN_SUBJECT_PATTERN : undefined);
        if (pattern === undefined) throw invalidArgument('--subject', 'a regular expression with one capture group, e.g. "^([a-z]+)_"', pattern);
        dataset = options.weizmann
          ? await createWeizmannDataset({ ...common, root: options.folder, subjectPattern: pattern })
          : await createFolderDataset({ ...common, root: options.folder as string, subjectPattern: pattern });
      } else if (options.root !== undefined) {
        dataset = await createUcf101Dataset({ ...common, root: options.root, ...subsetOptions(options) });
      } else {
        dataset = createSyntheticDataset({ height: size, width: size, clipLength });
      }
      const result = await measureInputTemporalDensity(dataset, { threshold });
      const f = (value: number): string => value.toFixed(3);
      say(
        options,
        `${result.dataset}: input temporal density ${f(result.mean)} (min ${f(result.min)}, median ${f(result.median)}, max ${f(result.max)}) ` +
          `over ${result.clips} clips of ${result.clipLength} frames at ${result.width}x${result.height}, stride ${frameStride}, q=${threshold}`,
      );
      for (const entry of result.perClass) say(options, `  ${entry.name.padEnd(20)} ${f(entry.mean)} (${entry.clips} clips)`);
      for (const skipped of dataset.skippedVideos ?? []) say(options, `  skipped ${skipped.video}: ${skipped.reason}`);
      printJson(options, { ...result, frameStride, skipped: dataset.skippedVideos ?? [] });
    }),
  );

  withJsonOption(
    data
      .command('bench')
      .description(`Decode-and-cache frames/s vs ffmpeg alone (-f null), and cached reads (default files: ${bundledSampleRoot()})`)
      .option('--root <dir>', 'decode every video under <dir>/<Class>/ instead of the bundled sample clips')
      .option('--size <px>', 'square frame side (default 64)')
      .option('--stride <k>', 'keep every k-th frame (default 2)')
      .option('--repeat <n>', 'passes over the files (default 3)'),
  ).action(
    action(async (options: JsonOption & { root?: string; size?: string; stride?: string; repeat?: string }) => {
      const size = parseInteger('--size', options.size, 1) ?? 64;
      const files = options.root === undefined ? undefined : listVideos(options.root);
      const result = await benchmarkDecoding({
        files,
        settings: { height: size, width: size, frameStride: parseInteger('--stride', options.stride, 1) ?? 2 },
        repeat: parseInteger('--repeat', options.repeat, 1),
      });
      say(options, formatDecodeBenchmark(result));
      printJson(options, result);
    }),
  );
}

interface FolderCliOptions extends JsonOption {
  weizmann?: boolean;
  folder?: string;
  subject?: string;
  testSubjects?: string;
  fold?: string;
}

/** `data describe --weizmann | --folder`: classes, subjects and the split, from the file names only (no decoding). */
function describeFolder(options: FolderCliOptions): void {
  if (options.weizmann && options.folder !== undefined) throw invalidArgument('--folder', 'either --folder or --weizmann, not both', options.folder);
  const root = options.folder ?? bundledWeizmannRoot();
  const pattern = options.subject ?? (options.weizmann ? WEIZMANN_SUBJECT_PATTERN : undefined);
  if (pattern === undefined) throw invalidArgument('--subject', 'a regular expression with one capture group, e.g. "^([a-z]+)_"', pattern);
  const scan = scanVideoFolder(root, pattern);
  const split = resolveSubjectSplit(scan, {
    testSubjects: options.testSubjects?.split(',').map((name) => name.trim()).filter((name) => name !== ''),
    fold: parseInteger('--fold', options.fold, 0),
  });
  const name = options.weizmann ? 'weizmann' : 'folder';
  const identity = folderDatasetIdentity(scan, split, name);
  const test = new Set(split.testSubjects);
  const classes = scan.classNames.map((className) => {
    const videos = scan.videos.filter((video) => video.className === className);
    return { name: className, train: videos.filter((video) => !test.has(video.subject)).length, test: videos.filter((video) => test.has(video.subject)).length };
  });
  say(options, `${name} (${scan.root}): ${classes.length} classes, ${scan.subjects.length} subjects, ${scan.videos.length} videos; ${describeSplit(split)}`);
  for (const entry of classes) say(options, `  ${entry.name.padEnd(20)} train ${entry.train}  test ${entry.test}`);
  say(options, `subjects: ${scan.subjects.join(', ')} (fold k tests the k-th); file list hash ${identity.fileListHash}`);
  printJson(options, { ...identity, classes, subjects: scan.subjects });
}

function listVideos(root: string): string[] {
  if (!fs.existsSync(root)) throw invalidArgument('--root', 'an existing folder of <Class>/<video> files', root);
  const files = fs
    .readdirSync(root)
    .sort()
    .flatMap((folder) => {
      const dir = path.join(root, folder);
      return fs.statSync(dir).isDirectory() ? fs.readdirSync(dir).filter(isVideoFileName).sort().map((name) => path.join(dir, name)) : [];
    });
  if (files.length === 0) throw invalidArgument('--root', `a folder with <Class>/<video> files (${VIDEO_EXTENSIONS.join(', ')})`, root);
  return files;
}
