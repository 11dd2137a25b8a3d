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
import * as z from 'zod';
import { invalidArgument, requireNonEmptyString } from '../util/errors';
import { writeFileDurable } from '../util/files';
import { damagedFileError, expectedWeightBytes, loadModelFromFolder, saveModelToFolder } from './fileModelIO';

export interface CheckpointState {
  /** Epochs finished when the checkpoint was written. */
  epochsDone: number;
  /** ISO time of writing. */
  savedAt: string;
}

const CHECKPOINT = 'checkpoint';

const stateSchema = z.object({ epochsDone: z.number().int().min(0), savedAt: z.string() });

/** Prefix of the optimizer variables that tfjs's getWeights leaves out (see `hiddenOptimizerState`). */
const HIDDEN_STATE = 'state/';

/**
 * Optimizer variables that `getWeights()` does not return, by field name. tfjs 4.22's Adam keeps β1^t and
 * β2^t as variables (accBeta1, accBeta2) updated by one multiplication per step; its setWeights recomputes
 * them as pow(β, t + 1), which differs in the last bits from the product of t multiplications, so a resumed
 * run drifted from an uninterrupted one. Saving them as they are makes resuming bit-identical.
 */
function hiddenOptimizerState(optimizer: tf.Optimizer): Map<string, tf.Variable> {
  const hidden = new Map<string, tf.Variable>();
  for (const [field, value] of Object.entries(optimizer as unknown as Record<string, unknown>)) {
    if (value instanceof tf.Variable) hidden.set(field, value);
  }
  return hidden;
}

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
  const hidden = [...hiddenOptimizerState(optimizer)].map(([field, variable]) => ({ name: `${HIDDEN_STATE}${field}`, tensor: variable as tf.Tensor }));
  const encoded = await tf.io.encodeWeights([...optimizerWeights, ...hidden]);
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

/**
 * The state of the run's checkpoint, or undefined when there is none. Throws a DeltaSparsityError naming
 * the file when state.json is damaged.
 */
export function readCheckpointState(runDir: string): CheckpointState | undefined {
  recoverCheckpoint(runDir);
  const file = path.join(checkpointFolder(runDir), 'state.json');
  if (!fs.existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw damagedFileError(file, `not valid JSON (${(error as Error).message})`);
  }
  const checked = stateSchema.safeParse(parsed);
  if (!checked.success) throw damagedFileError(file, `not a checkpoint state (${checked.error.issues[0].path.join('.') || 'root'}: ${checked.error.issues[0].message})`);
  return checked.data;
}

/**
 * Loads the model of a run folder, its last checkpoint (`<runDir>/checkpoint/model`; custom layers must be
 * registered, which importing the library does). Throws a DeltaSparsityError naming `runDir` when the folder
 * holds no checkpointed model, and naming the file when one is damaged.
 */
export async function loadCheckpointModel(runDir: string): Promise<tf.LayersModel> {
  requireNonEmptyString('runDir', runDir, 'a run folder path');
  const modelFolder = path.join(checkpointFolder(runDir), 'model');
  if (!fs.existsSync(path.join(modelFolder, 'model.json'))) {
    throw invalidArgument('runDir', `a run folder with a checkpointed model (${path.join(modelFolder, 'model.json')} is missing; has the run finished an epoch?)`, runDir);
  }
  return loadModelFromFolder(modelFolder);
}

/**
 * Restores the optimizer's state. Call after the optimizer has been created for the loaded model's
 * variables; tfjs optimizers match their slots to variables by position, which loading preserves.
 */
export async function restoreOptimizer(runDir: string, optimizer: tf.Optimizer): Promise<void> {
  const folder = checkpointFolder(runDir);
  const specsFile = path.join(folder, 'optimizer.json');
  const binFile = path.join(folder, 'optimizer.bin');
  for (const file of [specsFile, binFile]) if (!fs.existsSync(file)) throw damagedFileError(file, 'missing');
  let specs: tf.io.WeightsManifestEntry[];
  try {
    specs = JSON.parse(fs.readFileSync(specsFile, 'utf8')) as tf.io.WeightsManifestEntry[];
  } catch (error) {
    throw damagedFileError(specsFile, `not valid JSON (${(error as Error).message})`);
  }
  const bytes = fs.readFileSync(binFile);
  const expected = expectedWeightBytes(specs);
  if (expected !== undefined && expected !== bytes.byteLength) {
    throw damagedFileError(binFile, `holds ${bytes.byteLength} bytes where optimizer.json needs ${expected}`);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, specs);
  // decodeWeights returns an object, whose key order puts integer-like names first: keep the specs' order,
  // which is the order tfjs's setWeights matches slots to variables by.
  const entries = specs.map((spec) => ({ name: spec.name, tensor: named[spec.name] }));
  const weights = entries.filter(({ name }) => !name.startsWith(HIDDEN_STATE));
  await optimizer.setWeights(weights);
  const hidden = hiddenOptimizerState(optimizer);
  for (const { name, tensor } of entries) {
    if (!name.startsWith(HIDDEN_STATE)) continue;
    hidden.get(name.slice(HIDDEN_STATE.length))?.assign(tensor);
  }
  for (const { tensor } of entries) tensor.dispose();
}
