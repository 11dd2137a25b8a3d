/**
 * The data a job trains on, as the coordinator and the worker each see it: each worker finds the dataset under
 * its own data root (`--data-root` or DELTA_DATA_ROOT), and refuses a job whose dataset identity (name, split,
 * fold, hash of the file list) differs from its copy's, so that no sweep mixes results of different data.
 */
import { dataIdentityFromConfig } from '../train/fromConfig';
import type { TrainConfig } from '../train/config';
import { DeltaSparsityError } from '../util/errors';
import type { DatasetIdentity } from './payload';

/** The environment variable a worker reads its data root from when `--data-root` is not given. */
export const DATA_ROOT_ENV = 'DELTA_DATA_ROOT';

/** The location-independent identity of the data `config` names (reads file lists only; decodes nothing). */
export function datasetIdentityOf(config: TrainConfig): DatasetIdentity {
  const { name, split, fold, fileListHash, videos } = dataIdentityFromConfig(config);
  return { name, split, fold, fileListHash, videos };
}

/**
 * `config` as this worker must run it: the data folder replaced by the worker's `dataRoot` (for folder,
 * Weizmann and UCF101 data; the synthetic set has no files), and the coordinator's cache and split-list
 * folders dropped (they are paths on another machine). Without a data root the configuration is unchanged.
 */
export function configForDataRoot(config: TrainConfig, dataRoot: string | undefined): TrainConfig {
  if (dataRoot === undefined || config.data.source === 'synthetic') return config;
  return { ...config, data: { ...config.data, root: dataRoot, cacheDir: undefined, splitDir: undefined } };
}

/**
 * Throws a DeltaSparsityError naming every field that differs when the worker's copy is not the data the
 * job was planned on.
 */
export function checkDatasetIdentity(expected: DatasetIdentity, local: DatasetIdentity, dataRoot: string | undefined): void {
  const fields = (Object.keys(expected) as (keyof DatasetIdentity)[]).filter((field) => expected[field] !== local[field]);
  if (fields.length === 0) return;
  const differences = fields.map((field) => `${field} ${JSON.stringify(local[field])} instead of ${JSON.stringify(expected[field])}`).join(', ');
  throw new DeltaSparsityError(
    `dataset: expected this worker's copy of ${expected.name} (${expected.split}) to be the coordinator's. Received: ${differences}` +
      ` (data root ${dataRoot === undefined ? 'not set: give --data-root or ' + DATA_ROOT_ENV : JSON.stringify(dataRoot)}); refusing the job`,
  );
}
