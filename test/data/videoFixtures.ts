/**
 * Tiny real video files for tests, encoded by the bundled ffmpeg from raw RGB frames: frame t of a video is one
 * flat colour whose red channel steps with t, so a decoded frame says which source frame it came from (within
 * codec error) and the green/blue channels say which video it is.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveFfmpegPath } from '../../lib/data/ffmpeg';

/** Red channel of frame t: 20 + 10 t (frames up to 23 stay below 255). */
export function redOfFrame(t: number): number {
  return 20 + 10 * t;
}

export interface FixtureVideo {
  /** Path of the file to write; the extension chooses the container (.avi, .mp4, .mkv, .webm, .mov). */
  file: string;
  frames: number;
  /** Green and blue of every frame, 0..255. */
  green?: number;
  blue?: number;
  width?: number;
  height?: number;
}

/** Encodes a flat-colour video with MPEG-4 Part 2 at the highest quality (near-lossless on flat frames). */
export function writeFixtureVideo(video: FixtureVideo): void {
  const width = video.width ?? 32;
  const height = video.height ?? 24;
  const frameBytes = width * height * 3;
  const raw = Buffer.alloc(video.frames * frameBytes);
  for (let t = 0; t < video.frames; t++) {
    for (let i = 0; i < frameBytes; i += 3) {
      raw[t * frameBytes + i] = redOfFrame(t);
      raw[t * frameBytes + i + 1] = video.green ?? 128;
      raw[t * frameBytes + i + 2] = video.blue ?? 64;
    }
  }
  fs.mkdirSync(path.dirname(video.file), { recursive: true });
  const codec = video.file.endsWith('.webm') ? ['-c:v', 'libvpx', '-b:v', '1M'] : ['-c:v', 'mpeg4', '-q:v', '1'];
  const result = spawnSync(
    resolveFfmpegPath(),
    ['-y', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', '25', '-i', 'pipe:0', ...codec, '-pix_fmt', 'yuv420p', video.file],
    { input: raw },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not write ${video.file}: ${result.stderr.toString()}`);
}

/** A file that has a video extension and is not a video (as a truncated download would be). */
export function writeCorruptVideo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'RIFF\0\0\0\0AVI not really a video');
}
