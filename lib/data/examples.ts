/**
 * One example clip per class, to look at the data before training.
 */
import type { VideoDataset } from './types';
import type { FrameImage } from '../viz/framesGrid';

export interface ClassExample {
  className: string;
  /** E.g. "walk/daria_walk". */
  videoId: string;
  /** The clip's frames, each [H, W, 3] with values in [0, 1]. */
  frames: FrameImage[];
}

/**
 * The first test clip of every class (test clips: fixed windows, never augmented), in class order; classes
 * without a test clip are left out. Reads test batches only until every class has one.
 */
export async function classExamples(dataset: VideoDataset): Promise<ClassExample[]> {
  const found = new Map<number, ClassExample>();
  for await (const batch of dataset.testBatches({ batchSize: 16 })) {
    const [batchSize, frames, height, width] = batch.shape;
    const frameValues = height * width * 3;
    for (let b = 0; b < batchSize; b++) {
      const label = batch.labels[b];
      if (found.has(label)) continue;
      const clipStart = b * frames * frameValues;
      found.set(label, {
        className: dataset.classNames[label],
        videoId: batch.videoIds[b],
        frames: Array.from({ length: frames }, (_, t) => ({
          pixels: batch.clips.slice(clipStart + t * frameValues, clipStart + (t + 1) * frameValues),
          height,
          width,
        })),
      });
    }
    if (found.size === dataset.classNames.length) break;
  }
  return [...found.keys()].sort((a, b) => a - b).map((label) => found.get(label) as ClassExample);
}
