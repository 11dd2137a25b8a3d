/**
 * The embedded synthetic action set: no files, generated deterministically from a seed, same interface as
 * UCF101. Each class is a kind of motion of one checker-textured object over a textured static background with
 * Gaussian sensor noise, so that, as in real footage, most pixels barely change between consecutive frames.
 *
 * The models of this project classify frames independently and average the scores over time, as in the
 * Delta Activation Layer work, where UCF101 actions are told apart mostly by what single frames show (scene,
 * objects). So by default (`appearanceCue`) each class also has a look: a background hue family, an object
 * shape (arrowheads pointing along the motion for the move-* classes) and a stripe direction, jittered per
 * video; a nearest-class-mean of colour histograms gets about 0.8 of single test frames right (chance 1/6), a
 * small per-frame CNN 0.68-0.78 after the default 6 epochs. With `appearanceCue: false` motion is the only cue
 * (the set as it first was) and per-frame models stay at chance.
 *
 * Temporal redundancy, measured with `meanAbsoluteFrameDifference` (mean |x[t+1]-x[t]| in [0,1] units) at
 * 32x32 (data/README.md has the table): the four real UCF101 sample clips at stride 2 give 0.0025-0.0186
 * (mean 0.0128) with 0.7-8.8% of values changing by more than 0.05; this set with the defaults gives 0.0153
 * (0.0136 of it from the object, the rest sensor noise) with 5.0% of values changing by more than 0.05
 * (motion only: 0.0159, 0.0143, 5.7%). As a delta layer on the input sees it (`inputTemporalDensity`, q = 0.05,
 * 64x64, every frame) the defaults give 0.041-0.145 per clip (mean 0.084), inside real footage's 0.03-0.17
 * (Weizmann 0.029-0.132, the UCF101 samples 0.033-0.172).
 */
import { checkOptionKeys, invalidArgument, optionKeys, requireInteger, requireNonNegative } from '../util/errors';
import { SeededRandom } from '../util/random';
import { WindowedDataset, deriveSeed, resolveAugmentation, type FrameSource, type IndexedVideo } from './clips';
import { SYNTHETIC_MOTIONS, makeNoiseTable, renderSyntheticVideo, type SyntheticMotion } from './syntheticRender';
import type { AugmentationOptions } from './types';

export { SYNTHETIC_MOTIONS, renderSyntheticVideo, type RenderSyntheticOptions, type SyntheticMotion } from './syntheticRender';

/** Default sensor noise (standard deviation in 0..255 units); see SyntheticDatasetOptions.noise. */
export const DEFAULT_SYNTHETIC_NOISE = 0.4;

/** The default classes: four directions, rotation (either sense) and scaling (growing or shrinking). */
export const DEFAULT_SYNTHETIC_CLASSES: readonly SyntheticMotion[] = ['move-right', 'move-left', 'move-up', 'move-down', 'rotate', 'scale'];

export interface SyntheticDatasetOptions {
  /** Motions to use as classes (names from SYNTHETIC_MOTIONS) or the first N of them. Default the 6 of DEFAULT_SYNTHETIC_CLASSES. */
  classes?: readonly SyntheticMotion[] | number;
  /** Frame height in pixels. Default 32. */
  height?: number;
  /** Frame width in pixels. Default 32. */
  width?: number;
  /** Frames per clip (T). Default 8. */
  clipLength?: number;
  /** Frames generated per video; training windows start at random offsets within. Default clipLength + 4. */
  videoLength?: number;
  /** Training videos per class. Default 40. */
  trainPerClass?: number;
  /** Test videos per class. Default 10. */
  testPerClass?: number;
  /** Deterministic test windows per test video. Default 1. */
  testWindowsPerVideo?: number;
  /** Random training windows per training video per epoch. Default 1. */
  clipsPerVideo?: number;
  /**
   * Standard deviation of the per-pixel Gaussian sensor noise, independent per frame, in 0..255 units.
   * Default 0.4: with 1.5 (the default until issue 10) noise crossing quantisation levels alone made the input
   * temporal density 0.13-0.27, above real footage's 0.03-0.17 (data/README.md).
   */
  noise?: number;
  /** Training augmentation. A horizontal flip swaps move-left and move-right. Default none. */
  augmentation?: AugmentationOptions;
  /** Seed of the videos, the epoch order, windows and augmentation. Default 0. */
  seed?: number;
  /** Keep generated videos in memory so later epochs reuse them (about T*H*W*3 bytes each). Default true. */
  memoize?: boolean;
  /**
   * Give each class a look that single frames show, as real action classes show their typical objects and
   * scenes: a background hue family, an object shape (move-* classes: an arrowhead pointing along the motion)
   * and a background stripe direction (mirrored between move-left and move-right, so a horizontal flip still
   * turns one class into the other), each jittered per video. The motion stays what makes frames change.
   * Per-frame models (frames classified independently, scores averaged over time) need it. `false` = motion
   * is the only class cue (object shape and colours random): only a model that compares frames can learn it.
   * Default true.
   */
  appearanceCue?: boolean;
}

const SYNTHETIC_OPTION_KEYS = optionKeys<SyntheticDatasetOptions>({
  classes: true, height: true, width: true, clipLength: true, videoLength: true, trainPerClass: true, testPerClass: true,
  testWindowsPerVideo: true, clipsPerVideo: true, noise: true, augmentation: true, seed: true, memoize: true, appearanceCue: true,
});

interface SyntheticVideo extends IndexedVideo {
  split: 'train' | 'test';
  index: number;
  motion: SyntheticMotion;
}

function resolveClasses(classes: SyntheticDatasetOptions['classes']): SyntheticMotion[] {
  if (classes === undefined) return [...DEFAULT_SYNTHETIC_CLASSES];
  if (typeof classes === 'number') {
    if (!Number.isInteger(classes) || classes < 2 || classes > SYNTHETIC_MOTIONS.length) {
      throw invalidArgument('classes', `an integer from 2 to ${SYNTHETIC_MOTIONS.length} or a list of motion names`, classes);
    }
    return SYNTHETIC_MOTIONS.slice(0, classes);
  }
  if (!Array.isArray(classes) || classes.length < 2) throw invalidArgument('classes', 'at least two motion names', classes);
  for (const name of classes) {
    if (!(SYNTHETIC_MOTIONS as readonly string[]).includes(name)) {
      throw invalidArgument('classes', `motion names from ${SYNTHETIC_MOTIONS.join(', ')}`, name);
    }
  }
  if (new Set(classes).size !== classes.length) throw invalidArgument('classes', 'each motion at most once', classes);
  return [...classes];
}

/** The embedded synthetic action set (see the module comment). Creating it is instant; videos render on first use. */
export function createSyntheticDataset(rawOptions?: SyntheticDatasetOptions): WindowedDataset<SyntheticVideo> {
  const options = checkOptionKeys('createSyntheticDataset', rawOptions, SYNTHETIC_OPTION_KEYS);
  const classNames = resolveClasses(options.classes);
  const height = requireInteger('height', options.height ?? 32, 8);
  const width = requireInteger('width', options.width ?? 32, 8);
  const clipLength = requireInteger('clipLength', options.clipLength ?? 8, 1);
  const videoLength = requireInteger('videoLength', options.videoLength ?? clipLength + 4, 1);
  if (videoLength < clipLength) throw invalidArgument('videoLength', `at least clipLength=${clipLength}`, videoLength);
  const trainPerClass = requireInteger('trainPerClass', options.trainPerClass ?? 40, 1);
  const testPerClass = requireInteger('testPerClass', options.testPerClass ?? 10, 0);
  const testWindowsPerVideo = requireInteger('testWindowsPerVideo', options.testWindowsPerVideo ?? 1, 1);
  const noise = requireNonNegative('noise', options.noise ?? DEFAULT_SYNTHETIC_NOISE);
  const seed = requireInteger('seed', options.seed ?? 0, 0);
  const augmentation = resolveAugmentation(options.augmentation);
  const memoize = options.memoize ?? true;
  const appearanceCue = options.appearanceCue ?? true;

  const makeVideos = (split: 'train' | 'test', perClass: number): SyntheticVideo[] =>
    Array.from({ length: perClass * classNames.length }, (_, index) => ({
      id: `synthetic/${split}/${index}`,
      label: index % classNames.length,
      frameCount: videoLength,
      split,
      index,
      motion: classNames[index % classNames.length],
    }));
  const train = makeVideos('train', trainPerClass);
  const test = makeVideos('test', testPerClass);

  let noiseTable: Float32Array | undefined;
  const rendered = new Map<string, Uint8Array>();
  const render = (video: SyntheticVideo): Uint8Array => {
    const known = rendered.get(video.id);
    if (known) return known;
    noiseTable ??= makeNoiseTable(new SeededRandom(deriveSeed(seed, 'synthetic-noise')));
    const random = new SeededRandom(deriveSeed(seed, 'synthetic', video.split, video.index));
    const frames = renderSyntheticVideo(video.motion, videoLength, height, width, noise, random, { noiseTable, appearanceCue });
    if (memoize) rendered.set(video.id, frames);
    return frames;
  };
  const frameBytes = height * width * 3;
  const source: FrameSource<SyntheticVideo> = {
    readWindow: async (video, offset, count) => render(video).slice(offset * frameBytes, (offset + count) * frameBytes),
  };
  const right = classNames.indexOf('move-right');
  const left = classNames.indexOf('move-left');
  if (augmentation.horizontalFlip && (right >= 0) !== (left >= 0)) {
    // A mirrored move-right clip is a move-left clip; without that class its label would be wrong.
    throw invalidArgument('augmentation.horizontalFlip', 'move-left and move-right both present or both absent', classNames);
  }
  return new WindowedDataset<SyntheticVideo>({
    name: 'synthetic',
    classNames,
    clipLength,
    height,
    width,
    train,
    test,
    testWindowsPerVideo,
    clipsPerVideo: options.clipsPerVideo,
    augmentation,
    seed,
    source,
    flipLabel: (label) => (label === right && left >= 0 ? left : label === left && right >= 0 ? right : label),
    details: { videoLength, noise, appearanceCue, generated: 'deterministic from seed, no files' },
  });
}
