/**
 * Training checkpoints: the model (tfjs Layers format), the optimizer's state (Adam moments, iteration
 * count) and the number of finished epochs, so that resuming continues exactly where training stopped.
 *
 * Layout of `<run>/checkpoint/`: `model/` (model.json + weights.bin), `optimizer.bin` + `optimizer.json`,
 * `state.json`. A new checkpoint is written (and flushed) in `checkpoint.staging/`, `state.json` last, then swapped
 * in with renames. If a crash leaves no complete `checkpoint/`, reading puts back the newest complete one
 * (`checkpoint.staging/` or `checkpoint.previous/`), so a crash at any point loses at most the epoch in progress.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileDurable } from '../util/files';
import { loadModelFromFolder, saveModelToFolder } from './fileModelIO';

export interface CheckpointState {
  /** Epochs finished when the checkpoint was written. */
  epochsDone: number;
  /** ISO time of writing. */
  savedAt: string;
}

const CHECKPOINT = 'checkpoint';

export function checkpointFolder(runDir: string): string {
  return path.join(runDir, CHECKPOINT);
}

function siblings(runDir: string): { current: string; staging: string; previous: string } {
  const current = checkpointFolder(runDir);
  return { current, staging: `${current}.staging`, previous: `${current}.previous` };
}

const isComplete = (folder: string) => fs.existsSync(path.join(folder, 'state.json'));

/** Saves model, optimizer state and progress into `<runDir>/checkpoint`, replacing the previous one atomically. */
export async function saveCheckpoint(
  runDir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<CheckpointState, 'savedAt'>,
): Promise<void> {
  const { current, staging, previous } = siblings(runDir);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  await saveModelToFolder(model, path.join(staging, 'model'));
  const optimizerWeights = await optimizer.getWeights();
  const encoded = await tf.io.encodeWeights(optimizerWeights);
  // getWeights makes a new scalar for the iteration count; the other entries are the optimizer's own variables.
  for (const { name, tensor } of optimizerWeights) if (name === 'iter') tensor.dispose();
  writeFileDurable(path.join(staging, 'optimizer.bin'), new Uint8Array(encoded.data as ArrayBuffer));
  writeFileDurable(path.join(staging, 'optimizer.json'), JSON.stringify(encoded.specs));
  // Written last: a folder with state.json is complete.
  writeFileDurable(path.join(staging, 'state.json'), JSON.stringify({ ...state, savedAt: new Date().toISOString() }));
  fs.rmSync(previous, { recursive: true, force: true });
  if (fs.existsSync(current)) fs.renameSync(current, previous);
  fs.renameSync(staging, current);
  fs.rmSync(previous, { recursive: true, force: true });
}

/**
 * Puts back the newest complete checkpoint after a crash in the middle of `saveCheckpoint`: a complete
 * staging folder (the save had finished writing) or else the previous checkpoint (it had been moved aside).
 */
function recoverCheckpoint(runDir: string): void {
  const { current, staging, previous } = siblings(runDir);
  if (isComplete(current)) return;
  const replacement = isComplete(staging) ? staging : isComplete(previous) ? previous : undefined;
  if (replacement === undefined) return;
  fs.rmSync(current, { recursive: true, force: true });
  fs.renameSync(replacement, current);
}

/** The state of the run's checkpoint, or undefined when there is none. */
export function readCheckpointState(runDir: string): CheckpointState | undefined {
  recoverCheckpoint(runDir);
  const file = path.join(checkpointFolder(runDir), 'state.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointState;
}

/** Loads the checkpointed model (custom layers must be registered, which importing the library does). */
export async function loadCheckpointModel(runDir: string): Promise<tf.LayersModel> {
  return loadModelFromFolder(path.join(checkpointFolder(runDir), 'model'));
}

/**
 * Restores the optimizer's state. Call after the optimizer has been created for the loaded model's
 * variables; tfjs optimizers match their slots to variables by position, which loading preserves.
 */
export async function restoreOptimizer(runDir: string, optimizer: tf.Optimizer): Promise<void> {
  const folder = checkpointFolder(runDir);
  const specs = JSON.parse(fs.readFileSync(path.join(folder, 'optimizer.json'), 'utf8')) as tf.io.WeightsManifestEntry[];
  const bytes = fs.readFileSync(path.join(folder, 'optimizer.bin'));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, specs);
  const weights = Object.entries(named).map(([name, tensor]) => ({ name, tensor }));
  await optimizer.setWeights(weights);
  for (const { tensor } of weights) tensor.dispose();
}
