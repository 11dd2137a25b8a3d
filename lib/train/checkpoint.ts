/**
 * Training checkpoints: the model (tfjs Layers format), the optimizer's state (Adam moments, iteration
 * count) and the number of finished epochs, so that resuming continues exactly where training stopped.
 *
 * Layout of `<run>/checkpoint/`: `model/` (model.json + weights.bin), `optimizer.bin` + `optimizer.json`,
 * `state.json`. A new checkpoint is assembled in a temporary folder and swapped in with renames, and
 * `state.json` is written last, so a crash at any point leaves the previous checkpoint loadable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../util/files';
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

/** Saves model, optimizer state and progress into `<runDir>/checkpoint`, replacing the previous one atomically. */
export async function saveCheckpoint(
  runDir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: Omit<CheckpointState, 'savedAt'>,
): Promise<void> {
  const target = checkpointFolder(runDir);
  const staging = `${target}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  await saveModelToFolder(model, path.join(staging, 'model'));
  const optimizerWeights = await optimizer.getWeights();
  const encoded = await tf.io.encodeWeights(optimizerWeights);
  fs.writeFileSync(path.join(staging, 'optimizer.bin'), new Uint8Array(encoded.data as ArrayBuffer));
  fs.writeFileSync(path.join(staging, 'optimizer.json'), JSON.stringify(encoded.specs));
  // getWeights makes a new scalar for the iteration count; the other entries are the optimizer's own variables.
  for (const { name, tensor } of optimizerWeights) if (name === 'iter') tensor.dispose();
  writeFileAtomic(path.join(staging, 'state.json'), JSON.stringify({ ...state, savedAt: new Date().toISOString() }));
  const previous = `${target}.previous-${process.pid}`;
  fs.rmSync(previous, { recursive: true, force: true });
  if (fs.existsSync(target)) fs.renameSync(target, previous);
  fs.renameSync(staging, target);
  fs.rmSync(previous, { recursive: true, force: true });
}

/** The state of the run's checkpoint, or undefined when there is none (or it is incomplete). */
export function readCheckpointState(runDir: string): CheckpointState | undefined {
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
