/**
 * The interface every video dataset offers (UCF101 subsets, folders of labelled videos such as Weizmann, and the
 * embedded synthetic set), so that training, notebooks and commands never care where the clips come from.
 */

/** One batch of clips. Pixel values are RGB in [0, 1]. */
export interface ClipBatch {
  /** [B, T, H, W, 3] row-major. */
  clips: Float32Array;
  /** [B, T, H, W, 3]. */
  shape: [number, number, number, number, 3];
  /** [B] index into `dataset.classNames`. */
  labels: Int32Array;
  /** [B] e.g. "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01" or "synthetic/train/17". */
  videoIds: string[];
  /** [B] index of each clip's first frame among the video's sampled (already strided) frames. */
  offsets: Int32Array;
}

/** Options of `trainBatches`. */
export interface TrainBatchOptions {
  /** Clips per batch (the last batch of an epoch may be smaller). */
  batchSize: number;
  /** Epoch number (0, 1, ...): the order and the window offsets derive from the dataset seed and this. */
  epoch: number;
}

/** Options of `testBatches`. */
export interface TestBatchOptions {
  /** Clips per batch (the last batch may be smaller). */
  batchSize: number;
}

/** Counts per class, as returned by `describe()`. */
export interface DatasetDescription {
  name: string;
  classes: { name: string; train: number; test: number }[];
  [key: string]: unknown;
}

export interface VideoDataset {
  /** "synthetic" | "ucf101" | "folder" | "weizmann". */
  readonly name: string;
  readonly classNames: string[];
  /** Frames per clip (T). */
  readonly clipLength: number;
  readonly height: number;
  readonly width: number;
  /** Clips per training epoch (`clipsPerVideo` random windows per training video, default one). */
  readonly trainClipCount: number;
  /** Clips in one pass over the test set (testWindowsPerVideo windows per test video). */
  readonly testClipCount: number;
  /** Shuffled per epoch from the dataset seed + epoch; random window offsets; augmentation if enabled. */
  trainBatches(options: TrainBatchOptions): AsyncGenerator<ClipBatch>;
  /** Deterministic windows, in a fixed order, never augmented. */
  testBatches(options: TestBatchOptions): AsyncGenerator<ClipBatch>;
  describe(): DatasetDescription;
  /**
   * Videos listed for this dataset but left out (missing, corrupt, too short), each with the reason, in list
   * order. Empty or absent for generated sets. A live list: background decoding may add to it while training.
   */
  readonly skippedVideos?: readonly SkippedVideo[];
}

/** A video that could not be used, and why. */
export interface SkippedVideo {
  /** Video id, e.g. "ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01". */
  video: string;
  /** Its file (as found on disk, or as listed when missing). */
  file: string;
  /** One line: what is wrong, naming the file. */
  reason: string;
}

/** Optional augmentation applied to training clips only, on uint8 frames before conversion to float. */
export interface AugmentationOptions {
  /** Mirror the whole clip left-right with probability 0.5. Default false. */
  horizontalFlip?: boolean;
  /**
   * Random crop: a square-ish window covering `cropScale` in [minimum, 1] of each side, at a random place,
   * resized back to H x W (nearest neighbour). Default false.
   */
  randomCrop?: boolean;
  /** Smallest side fraction kept by the random crop. Default 0.8. */
  minCropScale?: number;
}
