/**
 * One clip from one video file, ready for a model: for looking at real footage in notebooks and scripts
 * without building a dataset (no split files, no cache).
 */
import * as path from 'node:path';
import { DeltaSparsityError, requireInteger } from '../util/errors';
import { assembleBatch } from './clips';
import { FfmpegDecoder, type DecodedVideo, type VideoDecoder } from './ffmpeg';
import type { ClipBatch } from './types';

export interface LoadVideoClipOptions {
  /** Frames in the clip (T). Required. */
  frames: number;
  /** Square frame side in pixels. Default 64. */
  size?: number;
  /** Keep every k-th frame of the video. Default 1. */
  frameStride?: number;
  /** First kept frame of the clip. Default 0. */
  offset?: number;
  /** Decoder. Default ffmpeg. */
  decoder?: VideoDecoder;
}

/** A one-clip batch ([1, T, H, W, 3] floats in [0, 1]) plus the whole decoded video it came from. */
export interface LoadedVideoClip extends ClipBatch {
  video: DecodedVideo;
}

/** Decodes `file` and returns frames `offset .. offset + frames − 1` (after striding) as a one-clip batch. */
export async function loadVideoClip(file: string, options: LoadVideoClipOptions): Promise<LoadedVideoClip> {
  const frames = requireInteger('frames', options.frames, 1);
  const size = requireInteger('size', options.size ?? 64, 1);
  const frameStride = requireInteger('frameStride', options.frameStride ?? 1, 1);
  const offset = requireInteger('offset', options.offset ?? 0, 0);
  const video = await (options.decoder ?? new FfmpegDecoder()).decode(file, { height: size, width: size, frameStride });
  if (offset + frames > video.frameCount) {
    throw new DeltaSparsityError(
      `${file}: has ${video.frameCount} frames at frameStride=${frameStride}; a clip of frames=${frames} from offset=${offset} needs ${offset + frames}`,
    );
  }
  const frameBytes = size * size * 3;
  const videoId = path.join(path.basename(path.dirname(file)), path.basename(file, path.extname(file)));
  const batch = assembleBatch(
    [{ frames: video.frames.subarray(offset * frameBytes, (offset + frames) * frameBytes), label: 0, videoId, offset }],
    frames,
    size,
    size,
  );
  return { ...batch, video };
}
