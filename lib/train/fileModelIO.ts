/**
 * Saving and loading tfjs Layers models in the standard format (model.json + weights.bin) on the local
 * filesystem, without tfjs-node (whose `file://` handler is only there when the native package is).
 * A save is atomic: files go to a temporary sibling folder that is renamed into place, so a crash
 * mid-save leaves the previous checkpoint intact and never a half-written one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DeltaSparsityError, invalidArgument } from '../util/errors';
import { writeFileDurable } from '../util/files';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

function joinWeightData(weightData: tf.io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const buffer of buffers) {
    joined.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return joined;
}

function replaceFolder(temporary: string, folder: string): void {
  if (fs.existsSync(folder)) {
    const old = `${folder}.old-${process.pid}-${Date.now()}`;
    fs.renameSync(folder, old);
    fs.renameSync(temporary, folder);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(temporary, folder);
  }
}

/** An IO handler that saves a model into `folder` (model.json + weights.bin), replacing it atomically. */
function fileSaveHandler(folder: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      const weights = joinWeightData(artifacts.weightData);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        trainingConfig: artifacts.trainingConfig,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.mkdirSync(path.dirname(path.resolve(folder)), { recursive: true });
      const temporary = `${path.resolve(folder)}.tmp-${process.pid}-${Date.now()}`;
      fs.mkdirSync(temporary, { recursive: true });
      writeFileDurable(path.join(temporary, MODEL_FILE), JSON.stringify(modelJson));
      writeFileDurable(path.join(temporary, WEIGHTS_FILE), weights);
      replaceFolder(temporary, path.resolve(folder));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology ?? {}).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

interface ModelJson {
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  userDefinedMetadata?: tf.io.ModelArtifacts['userDefinedMetadata'];
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

/**
 * The number of bytes the weights of `specs` take in a weights file, or undefined when it cannot be told
 * from the specs alone (string tensors).
 */
export function expectedWeightBytes(specs: readonly tf.io.WeightsManifestEntry[]): number | undefined {
  let total = 0;
  for (const spec of specs) {
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined) return undefined;
    total += size * spec.shape.reduce((product, length) => product * length, 1);
  }
  return total;
}

/**
 * The error for a damaged file of a saved model or checkpoint (truncated by a full disk, edited by hand):
 * one line naming the file, the problem, and what to do, instead of a tfjs-core message about tensor sizes.
 */
export function damagedFileError(file: string, problem: string): DeltaSparsityError {
  return new DeltaSparsityError(
    `${file}: ${problem}: the file is damaged. If it belongs to a run folder, delete that folder to start the run over (or pick another folder).`,
  );
}

function readJsonFile<T>(file: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw damagedFileError(file, `not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The error for a folder without model.json. A run folder (config.json, checkpoint/) keeps its model in
 * `<run>/checkpoint/model`, which `loadCheckpointModel(runDir)` loads: the message says so, since a run
 * folder is what users most often pass here.
 */
function missingModelError(folder: string, modelJsonPath: string): DeltaSparsityError {
  const base = invalidArgument('folder', `a folder holding ${MODEL_FILE} (or the path of a ${MODEL_FILE}); there is no ${modelJsonPath}`, folder);
  // 'config.json' and 'checkpoint' are the run folder's files (runFolder.ts, checkpoint.ts).
  const isRunFolder = fs.existsSync(path.join(folder, 'config.json')) || fs.existsSync(path.join(folder, 'checkpoint'));
  if (!isRunFolder) return base;
  return new DeltaSparsityError(
    `${base.message}. This is a run folder: its model is in ${path.join(folder, 'checkpoint', 'model')}; load it with loadCheckpointModel(runDir).`,
  );
}

/** An IO handler that loads a model saved by `fileSaveHandler` (or any tfjs Layers model folder). */
function fileLoadHandler(folderOrModelJson: string): tf.io.IOHandler {
  const modelJsonPath = folderOrModelJson.endsWith('.json')
    ? folderOrModelJson
    : path.join(folderOrModelJson, MODEL_FILE);
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      if (!fs.existsSync(modelJsonPath)) throw missingModelError(folderOrModelJson, modelJsonPath);
      const modelJson = readJsonFile<ModelJson>(modelJsonPath);
      const folder = path.dirname(modelJsonPath);
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const shards: Uint8Array[] = [];
      const shardFiles: string[] = [];
      for (const group of modelJson.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const shardPath of group.paths) {
          const shardFile = path.join(folder, shardPath);
          if (!fs.existsSync(shardFile)) throw damagedFileError(shardFile, `missing (${MODEL_FILE} names it)`);
          shardFiles.push(shardFile);
          shards.push(fs.readFileSync(shardFile));
        }
      }
      const expected = expectedWeightBytes(weightSpecs);
      const actual = shards.reduce((sum, shard) => sum + shard.byteLength, 0);
      if (expected !== undefined && expected !== actual) {
        throw damagedFileError(shardFiles.join(', ') || modelJsonPath, `holds ${actual} bytes of weights where ${MODEL_FILE} needs ${expected}`);
      }
      const weightData = joinWeightData(shards.map((shard) => shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength) as ArrayBuffer));
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy ?? undefined,
        trainingConfig: modelJson.trainingConfig,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        weightSpecs,
        weightData: weightData.buffer as ArrayBuffer,
      };
    },
  };
}

/** Saves `model` into `folder` (model.json + weights.bin), replacing what was there atomically. */
export async function saveModelToFolder(model: tf.LayersModel, folder: string): Promise<void> {
  await model.save(fileSaveHandler(folder));
}

/**
 * Loads a tfjs Layers model from a folder holding model.json, or from the path of a model.json (custom layers
 * must be registered first, which importing the library does). Throws a DeltaSparsityError naming the file
 * when model.json or a weights file is missing or damaged.
 */
export async function loadModelFromFolder(folder: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(folder));
}
