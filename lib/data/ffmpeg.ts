/**
 * Video decoding with ffmpeg: one ffmpeg process per video samples every k-th frame, resizes it and pipes raw
 * RGB (rgb24 rawvideo) to stdout; nothing is written to temporary image files. The ffmpeg binary comes from
 * the npm package @ffmpeg-installer/ffmpeg (so `npm ci` brings it); DELTA_FFMPEG may point at another one.
 * ffprobe is not shipped, so fps and frame size are read from the stream description ffmpeg prints on stderr.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { DeltaSparsityError, invalidArgument, requireInteger, requirePositive } from '../util/errors';

/** How decoded frames are sampled and sized. Part of every cache key. */
export interface DecodeSettings {
  /** Output frame height in pixels. */
  height: number;
  /** Output frame width in pixels. */
  width: number;
  /** Keep source frames 0, k, 2k, ... (after the optional fps resampling). */
  frameStride: number;
  /**
   * `crop` (default): scale so the frame covers H x W, then cut the centre (keeps the aspect ratio; 320x240 to
   * 64x64 drops the left and right eighths). `stretch`: scale to H x W directly.
   */
  resize?: 'crop' | 'stretch';
  /** Resample to this frame rate before striding, so stride means the same time step at 25 and 29.97 fps. Default: off. */
  fps?: number;
}

/** What ffmpeg reports about the source video. */
export interface VideoInfo {
  /** Frames per second of the video stream (null if ffmpeg printed none). */
  fps: number | null;
  /** Source frame width and height in pixels. */
  width: number;
  height: number;
  /** Container duration in seconds (null if unknown). */
  durationSeconds: number | null;
  /** Codec name, e.g. "mpeg4". */
  codec: string;
}

/** A decoded video: all sampled frames as uint8 RGB. */
export interface DecodedVideo {
  /** [frameCount, height, width, 3] uint8. */
  frames: Uint8Array;
  frameCount: number;
  height: number;
  width: number;
  info: VideoInfo;
}

/** Anything that turns a video file into sampled frames (ffmpeg by default; tests inject counters or fakes). */
export interface VideoDecoder {
  decode(file: string, settings: DecodeSettings): Promise<DecodedVideo>;
}

let ffmpegRuns = 0;

/** How many ffmpeg processes this Node process has started (any purpose). Observable proof of cache hits. */
export function ffmpegRunCount(): number {
  return ffmpegRuns;
}

/** The ffmpeg binary: $DELTA_FFMPEG if set, else the one installed by @ffmpeg-installer/ffmpeg. */
export function resolveFfmpegPath(): string {
  const fromEnv = process.env.DELTA_FFMPEG;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!fs.existsSync(fromEnv)) throw invalidArgument('DELTA_FFMPEG', 'the path of an ffmpeg executable', fromEnv);
    return fromEnv;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
    return installer.path;
  } catch (error) {
    throw new DeltaSparsityError(
      `ffmpeg not found: the npm package @ffmpeg-installer/ffmpeg did not load (${(error as Error).message}). ` +
        'Run npm ci, or set DELTA_FFMPEG to the path of an ffmpeg executable.',
    );
  }
}

/** Checks decode settings, filling the default resize mode. */
export function resolveDecodeSettings(settings: DecodeSettings): Required<Omit<DecodeSettings, 'fps'>> & Pick<DecodeSettings, 'fps'> {
  requireInteger('height', settings.height, 1);
  requireInteger('width', settings.width, 1);
  requireInteger('frameStride', settings.frameStride, 1);
  const resize = settings.resize ?? 'crop';
  if (resize !== 'crop' && resize !== 'stretch') throw invalidArgument('resize', '"crop" or "stretch"', resize);
  if (settings.fps !== undefined) requirePositive('fps', settings.fps);
  return { height: settings.height, width: settings.width, frameStride: settings.frameStride, resize, fps: settings.fps };
}

/** The -vf filter chain: optional fps resampling, stride selection, then resizing (only kept frames are scaled). */
export function decodeFilter(settings: DecodeSettings): string {
  const resolved = resolveDecodeSettings(settings);
  const { width: W, height: H } = resolved;
  const filters: string[] = [];
  if (resolved.fps !== undefined) filters.push(`fps=${resolved.fps}`);
  if (resolved.frameStride > 1) filters.push(`select=not(mod(n\\,${resolved.frameStride}))`);
  if (resolved.resize === 'crop') {
    filters.push(`scale=${W}:${H}:force_original_aspect_ratio=increase:flags=area`, `crop=${W}:${H}`);
  } else {
    filters.push(`scale=${W}:${H}:flags=area`);
  }
  filters.push('setsar=1');
  return filters.join(',');
}

/** Parses the input section of ffmpeg's stderr (`Input #0 ... Stream #0:0: Video: mpeg4 ..., 320x240 ..., 25 fps`). */
export function parseVideoInfo(stderr: string, file: string): VideoInfo {
  const inputStart = stderr.indexOf('Input #0');
  const inputEnd = (() => {
    const candidates = ['Stream mapping:', 'Output #0', 'At least one output file'].map((marker) => stderr.indexOf(marker, inputStart));
    const found = candidates.filter((index) => index >= 0);
    return found.length > 0 ? Math.min(...found) : stderr.length;
  })();
  const input = inputStart >= 0 ? stderr.slice(inputStart, inputEnd) : '';
  const streamLine = input.split('\n').find((line) => /Stream #\d+:\d+.*: Video: /.test(line));
  if (!streamLine) {
    throw new DeltaSparsityError(`Not a readable video: ${file} (ffmpeg found no video stream). ${lastLines(stderr)}`);
  }
  const codec = /Video: ([A-Za-z0-9_]+)/.exec(streamLine)?.[1] ?? 'unknown';
  const size = /, (\d{1,5})x(\d{1,5})[, [\n]/.exec(`${streamLine}\n`);
  if (!size) throw new DeltaSparsityError(`Not a readable video: ${file} (ffmpeg printed no frame size). ${lastLines(stderr)}`);
  const fpsMatch = /([\d.]+)(k?) fps/.exec(streamLine) ?? /([\d.]+)(k?) tbr/.exec(streamLine);
  const fps = fpsMatch ? Number(fpsMatch[1]) * (fpsMatch[2] === 'k' ? 1000 : 1) : null;
  const duration = /Duration: (\d+):(\d+):([\d.]+)/.exec(input);
  return {
    fps,
    width: Number(size[1]),
    height: Number(size[2]),
    durationSeconds: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : null,
    codec,
  };
}

/** The last few non-progress lines of ffmpeg's stderr, for error messages. */
function lastLines(stderr: string, count = 3): string {
  const useful = stderr
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('frame=') && !line.startsWith('video:'));
  return useful.length > 0 ? `ffmpeg said: ${useful.slice(-count).join(' | ')}` : '';
}

interface FfmpegResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs ffmpeg with `args`, collecting stdout (raw frames) and stderr (stream info, errors). */
export function runFfmpeg(args: string[], ffmpegPath = resolveFfmpegPath()): Promise<FfmpegResult> {
  ffmpegRuns += 1;
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const errorChunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errorChunks.push(chunk));
    child.on('error', (error) => {
      reject(new DeltaSparsityError(`Could not start ffmpeg at ${ffmpegPath}: ${error.message}. Set DELTA_FFMPEG to an ffmpeg executable.`));
    });
    child.on('close', (code) => {
      resolve({ code, stdout: Buffer.concat(chunks), stderr: Buffer.concat(errorChunks).toString('utf8') });
    });
  });
}

/** Checks that `file` exists and is a file, with an error naming it. */
export function requireVideoFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new DeltaSparsityError(`Video not found: ${file}`);
  }
  if (!stat.isFile()) throw new DeltaSparsityError(`Not a video file: ${file}`);
  if (stat.size === 0) throw new DeltaSparsityError(`Empty video file: ${file}`);
}

/** Options of `FfmpegDecoder`. */
export interface FfmpegDecoderOptions {
  /** The ffmpeg executable. Default: `resolveFfmpegPath()`. */
  ffmpegPath?: string;
  /** Decoder threads per ffmpeg process. Default 1: `data prepare` runs two processes side by side instead. */
  threads?: number;
}

/** Decodes videos with ffmpeg; counts its decodes so tests can prove a cache hit decoded nothing. */
export class FfmpegDecoder implements VideoDecoder {
  /** Videos decoded by this decoder (successful or not). */
  decodeCount = 0;
  private readonly threads: number;
  private ffmpegPath: string | undefined;

  constructor(options: FfmpegDecoderOptions = {}) {
    this.ffmpegPath = options.ffmpegPath;
    this.threads = requireInteger('threads', options.threads ?? 1, 0);
  }

  async decode(file: string, settings: DecodeSettings): Promise<DecodedVideo> {
    const resolved = resolveDecodeSettings(settings);
    requireVideoFile(file);
    this.ffmpegPath ??= resolveFfmpegPath();
    this.decodeCount += 1;
    const args = [
      '-hide_banner', '-nostdin', '-nostats',
      '-threads', String(this.threads),
      '-i', file,
      '-map', '0:v:0', '-an', '-sn',
      '-vf', decodeFilter(resolved),
      '-vsync', '0',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24',
      'pipe:1',
    ];
    const result = await runFfmpeg(args, this.ffmpegPath);
    if (result.code !== 0) {
      throw new DeltaSparsityError(`Could not decode video ${file}: ffmpeg exited with code ${result.code}. ${lastLines(result.stderr)}`);
    }
    const info = parseVideoInfo(result.stderr, file);
    const frameBytes = resolved.height * resolved.width * 3;
    if (result.stdout.length === 0) throw new DeltaSparsityError(`Could not decode video ${file}: ffmpeg produced no frames. ${lastLines(result.stderr)}`);
    if (result.stdout.length % frameBytes !== 0) {
      throw new DeltaSparsityError(`Could not decode video ${file}: ${result.stdout.length} bytes is not a whole number of ${resolved.width}x${resolved.height} RGB frames.`);
    }
    const frames = new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.length);
    return { frames, frameCount: result.stdout.length / frameBytes, height: resolved.height, width: resolved.width, info };
  }
}

/** Reads fps, frame size, duration and codec of a video (one short ffmpeg run that decodes nothing). */
export async function probeVideo(file: string, ffmpegPath?: string): Promise<VideoInfo> {
  requireVideoFile(file);
  const result = await runFfmpeg(['-hide_banner', '-nostdin', '-i', file], ffmpegPath);
  // Without an output ffmpeg exits 1 after printing the input description; that is expected here.
  return parseVideoInfo(result.stderr, file);
}

/**
 * Decodes every frame of `file` to ffmpeg's null output and returns the frame count and the wall time: the
 * reference speed of "ffmpeg alone" in the decoding benchmark, and a frame counter where ffprobe is missing.
 */
export async function countFramesWithFfmpeg(file: string, options: { threads?: number; ffmpegPath?: string } = {}): Promise<{ frames: number; seconds: number }> {
  requireVideoFile(file);
  const started = process.hrtime.bigint();
  const result = await runFfmpeg(
    ['-hide_banner', '-nostdin', '-threads', String(options.threads ?? 1), '-i', file, '-map', '0:v:0', '-an', '-vsync', '0', '-f', 'null', '-'],
    options.ffmpegPath,
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.code !== 0) throw new DeltaSparsityError(`Could not decode video ${file}: ffmpeg exited with code ${result.code}. ${lastLines(result.stderr)}`);
  const counts = [...result.stderr.matchAll(/frame=\s*(\d+)/g)];
  if (counts.length === 0) throw new DeltaSparsityError(`Could not count frames of ${file}: ffmpeg printed no frame count.`);
  return { frames: Number(counts[counts.length - 1][1]), seconds };
}
