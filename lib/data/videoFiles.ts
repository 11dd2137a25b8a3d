/**
 * Finding video files on disk: any container ffmpeg decodes (.avi, .mp4, .mkv, .webm, .mov), a file listed as
 * `.avi` found by its stem when it was re-encoded to another container, and names that differ from the list in
 * case only (some UCF101 copies rename `v_HandStandPushups_*` to `v_HandstandPushups_*`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DeltaSparsityError, closestNames } from '../util/errors';

/** File extensions taken as videos (lower case, with the dot). ffmpeg decodes them all. */
export const VIDEO_EXTENSIONS: readonly string[] = ['.avi', '.mp4', '.mkv', '.webm', '.mov'];

/** Whether a file name has one of VIDEO_EXTENSIONS (case-insensitive) and is not hidden. */
export function isVideoFileName(name: string): boolean {
  return !name.startsWith('.') && VIDEO_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** The file name without its extension. */
function stemOf(name: string): string {
  return name.slice(0, name.length - path.extname(name).length);
}

/**
 * Resolves listed video paths to files on disk, reading each folder once. In order of preference: the exact
 * name; the same stem with another video extension (same case); the name ignoring case; the stem ignoring case
 * with any video extension.
 */
export class VideoFileResolver {
  private readonly listings = new Map<string, string[] | null>();

  private list(dir: string): string[] | null {
    let names = this.listings.get(dir);
    if (names === undefined) {
      try {
        names = fs.readdirSync(dir).sort();
      } catch {
        names = null;
      }
      this.listings.set(dir, names);
    }
    return names;
  }

  /**
   * The file on disk for `file` (an absolute path as listed). Throws a DeltaSparsityError `Video not found: <file>`
   * naming the nearest existing video of that folder when nothing matches.
   */
  resolve(file: string): string {
    if (fs.existsSync(file)) return file;
    const dir = path.dirname(file);
    const wanted = path.basename(file);
    const names = this.list(dir);
    if (names === null) throw new DeltaSparsityError(`Video not found: ${file} (the folder ${dir} does not exist)`);
    const stem = stemOf(wanted);
    const lowerName = wanted.toLowerCase();
    const lowerStem = stem.toLowerCase();
    const videos = names.filter(isVideoFileName);
    const found =
      videos.find((name) => stemOf(name) === stem) ??
      names.find((name) => name.toLowerCase() === lowerName) ??
      videos.find((name) => stemOf(name).toLowerCase() === lowerStem);
    if (found !== undefined) return path.join(dir, found);
    const nearest = closestNames(wanted, videos, 1)[0];
    throw new DeltaSparsityError(
      `Video not found: ${file}${nearest === undefined ? ` (${dir} holds no video)` : ` (nearest existing file: ${path.join(dir, nearest)})`}`,
    );
  }
}
