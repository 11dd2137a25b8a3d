/**
 * The on-disk cache of decoded clips: one file per video and decode settings, holding every sampled frame as
 * uint8, so the second epoch and the next notebook run decode nothing. A file is
 *   "DSCLIP01" | uint32 LE header length | header JSON | frames [frameCount, H, W, 3] uint8
 * written atomically. The header records the source file's size and mtime; a changed source is decoded again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError } from '../util/errors';
import { writeFileAtomic } from '../util/files';
import { stableHash } from '../util/stableHash';
import { resolveDecodeSettings, type DecodeSettings, type DecodedVideo, type VideoDecoder, type VideoInfo } from './ffmpeg';

const MAGIC = Buffer.from('DSCLIP01', 'latin1');
const PREFIX_BYTES = MAGIC.length + 4;
const CACHE_FORMAT = 1;

/** The cache folder: $DELTA_CACHE_DIR if set, else `.cache/delta-sparsity` under the current folder. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.DELTA_CACHE_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.resolve(process.cwd(), '.cache', 'delta-sparsity');
}

/** Identifies the version of a source file that a cache entry was decoded from. */
export interface SourceStamp {
  size: number;
  mtimeMs: number;
}

/** The size and modification time of `file` (throws a DeltaSparsityError naming it when missing). */
export function sourceStamp(file: string): SourceStamp {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new DeltaSparsityError(`Video not found: ${file}`);
  }
  return { size: stat.size, mtimeMs: Math.floor(stat.mtimeMs) };
}

/** What a cache file's header says. */
export interface CachedClipHeader {
  format: number;
  videoId: string;
  frameCount: number;
  height: number;
  width: number;
  settings: ReturnType<typeof resolveDecodeSettings>;
  source: SourceStamp;
  info: VideoInfo;
}

/** A cache entry on disk. */
export interface CachedClip {
  file: string;
  /** Byte offset of frame 0. */
  dataOffset: number;
  header: CachedClipHeader;
}

/** Decoded clips cached under one folder. */
export class ClipCache {
  readonly dir: string;

  constructor(dir: string = defaultCacheDir()) {
    this.dir = path.resolve(dir);
  }

  /** `<dir>/clips/<videoId>.<hash of settings>.u8clip`. */
  pathFor(videoId: string, settings: DecodeSettings): string {
    const key = stableHash({ format: CACHE_FORMAT, ...resolveDecodeSettings(settings) });
    return path.join(this.dir, 'clips', `${videoId}.${key}.u8clip`);
  }

  /** The entry for `videoId` and `settings` decoded from the source version `source`, or null (a miss). */
  lookup(videoId: string, settings: DecodeSettings, source: SourceStamp): CachedClip | null {
    const file = this.pathFor(videoId, settings);
    let entry: CachedClip;
    try {
      entry = readCachedClipHeader(file);
    } catch {
      return null; // absent, torn or from another format: decode again
    }
    const { header } = entry;
    if (header.videoId !== videoId || header.source.size !== source.size || header.source.mtimeMs !== source.mtimeMs) return null;
    return entry;
  }

  /** Writes a decoded video atomically and returns its entry. */
  store(videoId: string, settings: DecodeSettings, source: SourceStamp, decoded: DecodedVideo): CachedClip {
    const file = this.pathFor(videoId, settings);
    const header: CachedClipHeader = {
      format: CACHE_FORMAT,
      videoId,
      frameCount: decoded.frameCount,
      height: decoded.height,
      width: decoded.width,
      settings: resolveDecodeSettings(settings),
      source,
      info: decoded.info,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const data = Buffer.allocUnsafe(PREFIX_BYTES + headerBytes.length + decoded.frames.length);
    MAGIC.copy(data, 0);
    data.writeUInt32LE(headerBytes.length, MAGIC.length);
    headerBytes.copy(data, PREFIX_BYTES);
    data.set(decoded.frames, PREFIX_BYTES + headerBytes.length);
    writeFileAtomic(file, data);
    return { file, dataOffset: PREFIX_BYTES + headerBytes.length, header };
  }
}

/** Reads and checks a cache file's header (throws on a torn or foreign file). */
export function readCachedClipHeader(file: string): CachedClip {
  const handle = fs.openSync(file, 'r');
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    if (fs.readSync(handle, prefix, 0, PREFIX_BYTES, 0) !== PREFIX_BYTES || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new DeltaSparsityError(`Not a clip cache file: ${file}`);
    }
    const headerLength = prefix.readUInt32LE(MAGIC.length);
    const headerBytes = Buffer.alloc(headerLength);
    if (fs.readSync(handle, headerBytes, 0, headerLength, PREFIX_BYTES) !== headerLength) {
      throw new DeltaSparsityError(`Truncated clip cache file: ${file}`);
    }
    const header = JSON.parse(headerBytes.toString('utf8')) as CachedClipHeader;
    const dataOffset = PREFIX_BYTES + headerLength;
    const expected = dataOffset + header.frameCount * header.height * header.width * 3;
    if (header.format !== CACHE_FORMAT || fs.fstatSync(handle).size !== expected) {
      throw new DeltaSparsityError(`Truncated or outdated clip cache file: ${file}`);
    }
    return { file, dataOffset, header };
  } finally {
    fs.closeSync(handle);
  }
}

/** Reads sampled frames [offset, offset + count) of a cached clip: uint8 [count, H, W, 3]. */
export async function readCachedFrames(entry: CachedClip, offset: number, count: number): Promise<Uint8Array> {
  const { header } = entry;
  if (offset < 0 || count < 0 || offset + count > header.frameCount) {
    throw new DeltaSparsityError(
      `Frames [${offset}, ${offset + count}) are outside ${header.videoId}, which has ${header.frameCount} sampled frames.`,
    );
  }
  const frameBytes = header.height * header.width * 3;
  const out = new Uint8Array(count * frameBytes);
  const handle = await fs.promises.open(entry.file, 'r');
  try {
    const { bytesRead } = await handle.read(out, 0, out.length, entry.dataOffset + offset * frameBytes);
    if (bytesRead !== out.length) throw new DeltaSparsityError(`Truncated clip cache file: ${entry.file}`);
  } finally {
    await handle.close();
  }
  return out;
}

/** Decodes `file` with `decoder` and stores the result under `videoId` (the cache-miss path). */
export async function decodeToCache(
  cache: ClipCache,
  decoder: VideoDecoder,
  file: string,
  videoId: string,
  settings: DecodeSettings,
): Promise<CachedClip> {
  // Stamp before decoding: a file replaced meanwhile then mismatches and is decoded again next time.
  const stamp = sourceStamp(file);
  const decoded = await decoder.decode(file, settings);
  return cache.store(videoId, settings, stamp, decoded);
}
