/**
 * Every study option checked before any work starts: a misspelt hardware preset or a bad threshold used to
 * surface only after all the training (hours on UCF101).
 */
import { loadHardware } from '../hardware/presets';
import { resolveTrainConfig } from '../train/config';
import { checkOptionKeys, optionKeys, requireOneOf } from '../util/errors';
import { expectFolderOrNothing } from '../util/files';
import { studyData, studyPaths, studySeeds, studyThresholds, studyTrainConfig, type StudyOptions } from './settings';

const STUDY_OPTION_KEYS = optionKeys<StudyOptions>({
  out: true, fast: true, data: true, ucf101Root: true, ucf101Classes: true, ucf101VideosPerClass: true, folderRoot: true,
  subjectPattern: true, testSubjects: true, protocol: true, seeds: true, hardware: true, thresholds: true, progress: true,
});

/**
 * The options `owner` ('runStudy' or 'runLopoStudy') was given, checked to be an object of known options: a
 * misspelt one (`dat: 'synthetic'`) would otherwise be ignored and the default study run. `{}` for undefined.
 */
export function checkStudyOptionKeys(owner: string, options: StudyOptions | undefined): StudyOptions {
  return checkOptionKeys(owner, options, STUDY_OPTION_KEYS);
}

/**
 * Throws the DeltaSparsityError the study would throw later, now: the report folder (`out`, not a file),
 * hardware preset or file, thresholds, progress mode and the training configuration (classes, videos per
 * class). The UCF101 folder itself is checked when the dataset is built, before the first epoch.
 */
export function checkStudyOptions(options: StudyOptions): void {
  studyData(options);
  studySeeds(options);
  const paths = studyPaths(options);
  expectFolderOrNothing(paths.out, 'out');
  expectFolderOrNothing(paths.runs, 'out');
  loadHardware(options.hardware ?? 'eyeriss-v2-like');
  studyThresholds(options);
  if (options.progress !== undefined) requireOneOf('progress', options.progress, ['auto', 'bar', 'lines', 'silent'] as const);
  resolveTrainConfig(studyTrainConfig(options));
}
