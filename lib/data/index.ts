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
export {
  WindowedDataset,
  assembleBatch,
  augmentClip,
  cropAndResizeClip,
  deriveSeed,
  flipClipHorizontal,
  randomWindowOffset,
  resolveAugmentation,
  testWindowOffsets,
} from './clips';
export type { BatchItem, CropBox, FrameSource, IndexedVideo, WindowedDatasetSettings } from './clips';
export {
  bundledSampleRoot,
  bundledSplitDir,
  loadUcf101Split,
  parseClassIndex,
  parseClassIndexEntries,
  parseSplitList,
  resolveClassNames,
  resolveSplitDir,
  selectUcf101Subset,
} from './splits';
export type { ClassIndexEntry, SplitEntry, SplitNumber, SubsetEntry, SubsetOptions, Ucf101Split, Ucf101Subset } from './splits';
export {
  FfmpegDecoder,
  countFramesWithFfmpeg,
  decodeFilter,
  ffmpegRunCount,
  parseVideoInfo,
  probeVideo,
  resolveDecodeSettings,
  resolveFfmpegPath,
} from './ffmpeg';
export type { DecodeSettings, DecodedVideo, FfmpegDecoderOptions, VideoDecoder, VideoInfo } from './ffmpeg';
export { ClipCache, decodeToCache, defaultCacheDir, readCachedClipHeader, readCachedFrames, sourceStamp } from './cache';
export type { CachedClip, CachedClipHeader, SourceStamp } from './cache';
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
export { VIDEO_EXTENSIONS, VideoFileResolver, isVideoFileName } from './videoFiles';
export { ensureCached, lookupCached, resolveDecodingContext } from './decodeSet';
export type { DecodeEntry, DecodingContext, DecodingOptions, EnsureResult } from './decodeSet';
export { DEFAULT_SYNTHETIC_CLASSES, DEFAULT_SYNTHETIC_NOISE, SYNTHETIC_MOTIONS, createSyntheticDataset, renderSyntheticVideo } from './synthetic';
export type { RenderSyntheticOptions, SyntheticDatasetOptions, SyntheticMotion } from './synthetic';
export { DEFAULT_INPUT_QUANTUM, inputTemporalDensity, meanAbsoluteFrameDifference, pixelChangeDensity } from './stats';
export { measureInputTemporalDensity } from './density';
export type { InputDensityOptions, InputDensityResult } from './density';
export type { FrameArray } from './stats';
export { loadVideoClip } from './loadClip';
export type { LoadVideoClipOptions, LoadedVideoClip } from './loadClip';
export { classExamples } from './examples';
export type { ClassExample } from './examples';
