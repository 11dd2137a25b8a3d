/**
 * Video data: UCF101 subsets from the official splits, any folder of labelled videos (Weizmann bundled), the
 * embedded synthetic set, clip sampling and caching.
 */
export type {
  AugmentationOptions,
  ClipBatch,
  DatasetDescription,
  SkippedVideo,
  TestBatchOptions,
  TrainBatchOptions,
  VideoDataset,
} from './types';
// Clip sampling (the base class of every dataset); batch assembly and augmentation stay internal.
export { WindowedDataset } from './clips';
export type { BatchItem, CropBox, FrameSource, IndexedVideo, WindowedDatasetSettings } from './clips';
// UCF101's official splits and subsets (the list parsers stay internal).
export { bundledSampleRoot, loadUcf101Split, resolveSplitDir, selectUcf101Subset } from './splits';
export type { ClassIndexEntry, SplitEntry, SplitNumber, SubsetEntry, SubsetOptions, Ucf101Split, Ucf101Subset } from './splits';
// Decoding with ffmpeg and the on-disk clip cache.
export { FfmpegDecoder, probeVideo } from './ffmpeg';
export type { DecodeSettings, DecodedVideo, FfmpegDecoderOptions, VideoDecoder, VideoInfo } from './ffmpeg';
export { ClipCache, decodeToCache, defaultCacheDir } from './cache';
export type { CachedClip, CachedClipHeader, SourceStamp } from './cache';
// Datasets: UCF101, any folder of labelled videos (Weizmann bundled), the embedded synthetic set.
export { Ucf101Dataset, createUcf101Dataset, prepareUcf101 } from './ucf101';
export type { BackgroundDecodeStatus, PrepareReport, Ucf101DatasetOptions, Ucf101SourceOptions, Ucf101Video } from './ucf101';
export { resolveUcf101Root } from './ucf101';
export {
  FolderDataset,
  WEIZMANN_SUBJECT_PATTERN,
  bundledWeizmannRoot,
  createFolderDataset,
  createWeizmannDataset,
  defaultTestSubjects,
  describeSplit,
  folderDatasetIdentity,
  folderSubjects,
  leaveOneSubjectOutFolds,
  resolveSubjectSplit,
  scanVideoFolder,
} from './folder';
export type {
  DatasetIdentity,
  FolderDatasetOptions,
  FolderVideo,
  FolderVideoEntry,
  SubjectSplit,
  SubjectSplitOptions,
  VideoFolderScan,
  WeizmannDatasetOptions,
} from './folder';
export { VIDEO_EXTENSIONS, isVideoFileName } from './videoFiles';
export { DEFAULT_SYNTHETIC_CLASSES, DEFAULT_SYNTHETIC_NOISE, SYNTHETIC_MOTIONS, createSyntheticDataset, renderSyntheticVideo } from './synthetic';
export type { RenderSyntheticOptions, SyntheticDatasetOptions, SyntheticMotion } from './synthetic';
export { DEFAULT_INPUT_THRESHOLD, inputTemporalDensity, meanAbsoluteFrameDifference, pixelChangeDensity } from './stats';
export { measureInputTemporalDensity } from './density';
export type { InputDensityOptions, InputDensityResult } from './density';
export type { FrameArray } from './stats';
export { loadVideoClip } from './loadClip';
export type { LoadVideoClipOptions, LoadedVideoClip } from './loadClip';
export { classExamples } from './examples';
export type { ClassExample } from './examples';
