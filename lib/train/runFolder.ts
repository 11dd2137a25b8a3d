/**
 * A run folder holds everything about one training run: `config.json` (the resolved configuration),
 * `metrics.jsonl` and `metrics.csv` (one row per epoch), `checkpoint/` and, once measured,
 * `workload.json` (per-layer statistics for the hardware cost model). This module and `runFolderFiles.ts`
 * are the only code that reads or writes these files by name; the checkpoint module does the tensor I/O
 * inside `checkpoint/`.
 *
 * `config.json` stores `initFrom` relative to the run folder, so that a tree of run folders copied to
 * another place still resumes; in memory (`readRunConfigFile`, `train`) it is a path as usual.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError } from '../util/errors';
import { expectFolderOrNothing, writeFileAtomic } from '../util/files';
import { TRAIN_CONFIG_RENAMES, upgradeLegacyKeys } from '../util/legacyNames';
import { acquireLock, type HeldLock } from '../util/lock';
import { stableStringify } from '../util/stableHash';
import { checkpointFolder, readCheckpointState } from './checkpoint';
import type { TrainConfig } from './config';
import { readEpochMetrics } from './runFolderFiles';

export { type EpochMetrics, logEpochMetrics, MEASUREMENT_VERSION, readEpochMetrics, readRunWorkload, runWorkloadFile, runWorkloadIsCurrent, truncateEpochMetrics, writeSkippedVideosFile, writeWorkload } from './runFolderFiles';

const CONFIG_FILE = 'config.json';

/** Options that may change between a run and its resumption: training longer is allowed. */
const RESUMABLE_CHANGES: readonly (keyof TrainConfig)[] = ['epochs'];

function differingFields(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const fields: string[] = [];
  for (const key of keys) {
    const left = a[key];
    const right = b[key];
    const name = prefix ? `${prefix}.${key}` : key;
    const bothObjects = left && right && typeof left === 'object' && typeof right === 'object' && !Array.isArray(left) && !Array.isArray(right);
    if (bothObjects) fields.push(...differingFields(left as Record<string, unknown>, right as Record<string, unknown>, name));
    else if (stableStringify(left) !== stableStringify(right)) fields.push(`${name} (${stableStringify(left)} in the folder, ${stableStringify(right)} now)`);
  }
  return fields;
}

function pathSegments(folder: string): string[] {
  return path.resolve(folder).split(path.sep).filter((segment) => segment !== '');
}

/**
 * Whether `stored`, an absolute `initFrom` written by a version that stored absolute paths, names the same
 * source as `current` once the tree of run folders has moved: it ends with the path from the deepest folder
 * shared by `runDir` and `current` down to `current` (e.g. `.../baseline` beside `.../delta`).
 */
function sameSourceAfterMove(runDir: string, stored: string, current: string): boolean {
  const run = pathSegments(runDir);
  const source = pathSegments(current);
  let shared = 0;
  while (shared < run.length && shared < source.length && run[shared] === source[shared]) shared++;
  const below = source.slice(shared);
  const old = pathSegments(stored);
  return below.length > 0 && old.length >= below.length && below.every((segment, i) => old[old.length - below.length + i] === segment);
}

/** The stored configuration as read, before `initFrom` is resolved (retired keys already renamed). */
function readStoredConfig(runDir: string): Record<string, unknown> {
  const configFile = path.join(runDir, CONFIG_FILE);
  if (!fs.existsSync(configFile)) {
    throw new DeltaSparsityError(`runDir: ${configFile} is missing. Expected a training run folder: pick another path.`);
  }
  let stored: unknown;
  try {
    stored = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  } catch (error) {
    stored = error;
  }
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored) || stored instanceof Error) {
    const problem = stored instanceof Error ? `not valid JSON (${stored.message})` : 'not a JSON object';
    throw new DeltaSparsityError(`${configFile}: ${problem}: the run folder is damaged. Delete ${runDir} to start the run over, or pick another folder.`);
  }
  return upgradeLegacyKeys(stored as Record<string, unknown>, TRAIN_CONFIG_RENAMES, 'training configuration');
}

/** `config` with `initFrom` (when set) as an absolute path, resolved against `base`. */
function withResolvedInitFrom<T extends { initFrom?: unknown }>(config: T, base: string): T {
  return typeof config.initFrom === 'string' ? { ...config, initFrom: path.resolve(base, config.initFrom) } : config;
}

/**
 * Refuses (DeltaSparsityError) when `runDir` already holds a run of a different configuration, naming the
 * fields that differ. `initFrom` is compared as a resolved path; an absolute one stored by an older version
 * also matches a source at the same place relative to the moved tree (see `sameSourceAfterMove`). Writes nothing.
 */
export function checkRunFolder(runDir: string, config: TrainConfig): void {
  expectFolderOrNothing(runDir, 'runDir');
  if (!fs.existsSync(path.join(runDir, CONFIG_FILE))) return;
  const raw = readStoredConfig(runDir);
  const stored = withResolvedInitFrom(raw, runDir);
  const current = withResolvedInitFrom(config as unknown as Record<string, unknown>, process.cwd());
  if (
    typeof raw.initFrom === 'string' &&
    path.isAbsolute(raw.initFrom) &&
    typeof current.initFrom === 'string' &&
    sameSourceAfterMove(runDir, raw.initFrom, current.initFrom)
  ) {
    stored.initFrom = current.initFrom;
  }
  const comparable = (value: Record<string, unknown>) => {
    const copy = { ...value };
    for (const key of RESUMABLE_CHANGES) delete copy[key];
    return copy;
  };
  const differences = differingFields(comparable(stored), comparable(current));
  if (differences.length > 0) {
    throw new DeltaSparsityError(
      `runDir: ${runDir} holds a run with a different configuration, so it cannot be resumed; ` +
        `differs in ${differences.join(', ')}. Use another folder, or delete this one to start over.`,
    );
  }
}

/**
 * The configuration stored in `<runDir>/config.json`, with retired keys renamed (`upgradeLegacyKeys`) and
 * `initFrom` resolved against the run folder. Throws a one-line DeltaSparsityError naming the file when it
 * is missing or not a JSON object.
 */
export function readRunConfigFile(runDir: string): TrainConfig {
  return withResolvedInitFrom(readStoredConfig(runDir), runDir) as unknown as TrainConfig;
}

/**
 * The configuration of a finished run folder (one with `config.json` and a checkpoint), e.g. the source of
 * a sweep, and the epochs its checkpoint holds. Throws a one-line DeltaSparsityError (argument `name`) otherwise.
 */
export function readFinishedRun(runDir: string, name = 'runDir'): { config: TrainConfig; epochsDone: number } {
  const isFolder = fs.existsSync(runDir) && fs.statSync(runDir).isDirectory();
  const state = isFolder && fs.existsSync(path.join(runDir, CONFIG_FILE)) ? readCheckpointState(runDir) : undefined;
  if (state === undefined) {
    throw new DeltaSparsityError(`${name}: expected a finished training run folder (${CONFIG_FILE} and checkpoint/). Received: ${name}=${JSON.stringify(runDir)}`);
  }
  return { config: readRunConfigFile(runDir), epochsDone: state.epochsDone };
}

/**
 * What a refinement needs of a finished run to start from it (`initFrom`): the paths, relative to `runDir`
 * and in sorted order, of its configuration, the checkpoint's state and the checkpointed model (not the
 * optimizer).
 */
function refinementSourceFiles(runDir: string): string[] {
  const checkpoint = path.relative(runDir, checkpointFolder(runDir));
  const model = path.join(checkpoint, 'model');
  const modelFiles = fs.existsSync(path.join(runDir, model)) ? fs.readdirSync(path.join(runDir, model)).sort().map((name) => path.join(model, name)) : [];
  return [CONFIG_FILE, path.join(checkpoint, 'state.json'), ...modelFiles];
}

/**
 * The files a refinement needs of the finished run `runDir` (see `refinementSourceFiles`), by '/'-separated
 * relative path in a fixed order, so that the same checkpoint always gives the same list. Throws a one-line
 * DeltaSparsityError (argument `name`) naming the first missing file.
 */
export function readRefinementSource(runDir: string, name = 'runDir'): { file: string; bytes: Buffer }[] {
  return refinementSourceFiles(runDir).map((relative) => {
    const file = path.join(runDir, relative);
    if (!fs.existsSync(file)) throw new DeltaSparsityError(`${name}: expected a finished run folder (missing ${relative}). Received: ${name}=${JSON.stringify(runDir)}`);
    return { file: relative.split(path.sep).join('/'), bytes: fs.readFileSync(file) };
  });
}

/**
 * Writes files read by `readRefinementSource` (e.g. on another machine) into `runDir`, each atomically and
 * the checkpoint's `state.json` last, so that a half-written folder is never taken for a checkpoint. Throws
 * (plain Error) for a path that would leave `runDir`: the names come from elsewhere.
 */
export function writeRefinementSource(runDir: string, files: { file: string; bytes: Buffer }[]): void {
  const ordered = [...files].sort((a, b) => Number(a.file.endsWith('state.json')) - Number(b.file.endsWith('state.json')));
  for (const { file, bytes } of ordered) {
    const target = path.resolve(runDir, file);
    if (!target.startsWith(path.resolve(runDir) + path.sep)) throw new Error(`baseline: refusing file name ${JSON.stringify(file)}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    writeFileAtomic(target, bytes);
  }
}

/** Whether `runDir` holds a complete checkpoint (its `state.json`), without repairing or reading it. */
export function holdsCheckpoint(runDir: string): boolean {
  return fs.existsSync(path.join(checkpointFolder(runDir), 'state.json'));
}

/**
 * Throws a DeltaSparsityError when `runDir` has no checkpoint state but shows that epochs were done
 * (checkpoint/ without state.json, or metrics of more than the first epoch): restarting from epoch 0 would
 * silently drop those metrics.
 */
export function checkCheckpointPresent(runDir: string): void {
  const folder = checkpointFolder(runDir);
  const logged = readEpochMetrics(runDir).reduce((most, row) => Math.max(most, row.epoch), 0);
  // A crash in epoch 1 between logging its row and writing the first checkpoint leaves one row and no checkpoint.
  if (fs.existsSync(folder) || logged > 1) {
    throw new DeltaSparsityError(
      `runDir: ${path.join(folder, 'state.json')} is missing, though ${runDir} holds ${logged} logged epoch(s): the checkpoint is damaged. ` +
        `Delete ${runDir} to start the run over, or pick another folder.`,
    );
  }
}

/**
 * Takes `runDir`'s lock (`<runDir>/.lock`) for a trainer, creating the folder if needed. Throws a
 * DeltaSparsityError naming the other process when one is training in it. `release` removes the folder
 * again when this call created it and nothing else was written there, so that a run that fails to start
 * leaves no folder behind.
 */
export function lockRunFolder(runDir: string): HeldLock {
  expectFolderOrNothing(runDir, 'runDir');
  const created = !fs.existsSync(runDir);
  fs.mkdirSync(runDir, { recursive: true });
  let held: HeldLock;
  try {
    held = acquireLock(path.join(runDir, '.lock'), 'runDir', runDir);
  } catch (error) {
    if (created) fs.rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
  return {
    file: held.file,
    release() {
      held.release();
      if (created && fs.existsSync(runDir) && fs.readdirSync(runDir).length === 0) fs.rmdirSync(runDir);
    },
  };
}

/**
 * Creates `runDir` for `config`, or opens it to resume (see `checkRunFolder` for when it refuses), and
 * writes `config.json` with `initFrom` relative to `runDir`.
 */
export function openRunFolder(runDir: string, config: TrainConfig): void {
  checkRunFolder(runDir, config);
  fs.mkdirSync(runDir, { recursive: true });
  const stored = config.initFrom === undefined ? config : { ...config, initFrom: path.relative(path.resolve(runDir), path.resolve(config.initFrom)) || '.' };
  writeFileAtomic(path.join(runDir, CONFIG_FILE), `${JSON.stringify(stored, null, 2)}\n`);
}
