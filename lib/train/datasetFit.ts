/**
 * Whether a dataset's clips fit a model's input and output, checked before any batch is built: otherwise a
 * 16-pixel dataset given to a model built for 24 x 32 frames fails deep inside tfjs (a ValueError about
 * `expected input_1 to have shape`), naming neither the dataset nor the model.
 */
import type * as tf from '@tensorflow/tfjs';
import type { VideoDataset } from '../data/types';
import { invalidArgument } from '../util/errors';

/** The clips' RGB channels (every dataset decodes to RGB). */
const CLIP_CHANNELS = 3;

const shapeText = (shape: readonly (number | null)[]): string => `[${shape.map((d) => d ?? '?').join(', ')}]`;

/**
 * Throws a DeltaSparsityError naming `argument` (default 'dataset') and both shapes unless the dataset's clips
 * [batch, T, H, W, 3] match the model's input shape [batch, T, H, W, C] (axes the model leaves open match any
 * size), and its class count matches the model's output [batch, classes].
 */
export function checkDatasetFitsModel(model: tf.LayersModel, dataset: VideoDataset, argument = 'dataset'): void {
  const input = model.inputs[0]?.shape;
  const clips = [null, dataset.clipLength, dataset.height, dataset.width, CLIP_CHANNELS];
  if (input != null && (input.length !== clips.length || input.some((size, axis) => axis >= 1 && size != null && size !== clips[axis]))) {
    throw invalidArgument(
      argument,
      `clips of the model's input shape ${shapeText(input)} ([batch, T, H, W, C])`,
      `${dataset.name} clips ${shapeText(clips)}`,
    );
  }
  const output = model.outputs[0]?.shape;
  const classes = output?.[output.length - 1];
  if (classes != null && classes !== dataset.classNames.length) {
    throw invalidArgument(argument, `${classes} classes (the model's output shape ${shapeText(output)})`, `${dataset.name} with ${dataset.classNames.length} classes`);
  }
}
