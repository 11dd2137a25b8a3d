/**
 * The check `train` runs on its options before anything else: plain-JavaScript callers get no compile-time
 * check, and a missing `runDir` otherwise reached node:path as undefined (`TypeError: The "paths[0]" argument
 * must be of type string`).
 */
import { checkOptionKeys, optionKeys, requireNonEmptyString } from '../util/errors';
import type { TrainOptions } from './trainer';

const TRAIN_OPTION_KEYS = optionKeys<TrainOptions>({
  config: true, preset: true, runDir: true, dataset: true, testDataset: true, progress: true, onEpoch: true, stopAfterEpochs: true,
});

/** `options` checked: an object of known options with a run folder path; throws a DeltaSparsityError naming the option. */
export function checkTrainOptions(options: TrainOptions): TrainOptions {
  const checked = checkOptionKeys('train', options, TRAIN_OPTION_KEYS);
  requireNonEmptyString('runDir', checked.runDir, 'a run folder path (created, or resumed when it holds a checkpoint)');
  return checked;
}
