/**
 * The one place that maps library option names to the command-line flags that set them. The library names its
 * arguments in its errors (`ucf101Root: expected ...`); a command-line user typed `--ucf101`, so `action`
 * (output.ts) rewrites the argument name of a DeltaSparsityError with the command's table below.
 */

/** Library option name → flag, for one command. */
export type FlagNames = Readonly<Record<string, string>>;

/** `study`: StudyOptions and the dataset options they become. */
export const STUDY_FLAGS: FlagNames = {
  out: '--out',
  data: '--data',
  ucf101Root: '--ucf101',
  ucf101Classes: '--classes',
  classes: '--classes',
  firstClasses: '--classes',
  ucf101VideosPerClass: '--videos-per-class',
  videosPerClass: '--videos-per-class',
  folderRoot: '--folder',
  subjectPattern: '--subject',
  testSubjects: '--test-subjects',
  protocol: '--protocol',
  seeds: '--seeds',
  hardware: '--hardware',
  thresholds: '--thresholds',
};

/** `ablate`: the sweeps' options. */
export const ABLATE_FLAGS: FlagNames = {
  sourceRunDir: '--source',
  baselineRunDir: '--baseline',
  runsRoot: '--runs-root',
  storeFile: '--store',
  thresholds: '--thresholds',
  sparsityWeights: '--lambdas',
  variants: '--variants',
};

/**
 * `train`: TrainOptions. Configuration keys keep their names (`epochs`, `model.variant`): `--set` and `--config`
 * set them too, so a flag would be the wrong name half the time; `--epochs` is checked by the command itself.
 */
export const TRAIN_FLAGS: FlagNames = {
  runDir: '--run',
  preset: '--preset',
};

/** `cost`: the hardware and the state placement. */
export const COST_FLAGS: FlagNames = {
  hardware: '--hardware',
  statePlacement: '--state',
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `message` with each argument name of `flags` replaced by its flag where an error names an argument: at the
 * start (`thresholds[0]: expected ...`) and after `Received: ` (`Received: thresholds[0]=-0.1`). A list
 * entry's index goes with it (the received value shows which entry is wrong).
 */
export function withFlagNames(message: string, flags: FlagNames): string {
  let text = message;
  for (const [name, flag] of Object.entries(flags)) {
    const pattern = new RegExp(`(^|Received: )${escapeRegExp(name)}(\\[\\d+\\])?(?=[:=])`, 'g');
    text = text.replace(pattern, `$1${flag}`);
  }
  return text;
}
