/**
 * Background decoding of a dataset's training videos after the dataset was returned, so that training starts
 * while ffmpeg still works (`decode: 'background'` of `createUcf101Dataset`).
 */
import { DeltaSparsityError } from '../util/errors';
import { decodeToCache, type CachedClip } from './cache';
import type { IndexedVideo } from './clips';
import { sortInListOrder, tooShortReason, type DecodingContext } from './decodeSet';
import type { SkippedVideo } from './types';

/** A video whose frames come from the clip cache once decoded. */
export interface DecodedVideo extends IndexedVideo {
  /**
   * Its cache entry; null (and `frameCount` 0) for a training video still waiting for its background decode,
   * filled in when that decode finishes.
   */
  entry: CachedClip | null;
  /** The video file on disk (the listed path when it was never found). */
  file: string;
}

/** How a background decode ended. */
export type DecodeOutcome = { ok: true } | { ok: false; reason: string };

/** Progress of background decoding, as shown in `describe().background`. */
export interface BackgroundDecodeStatus {
  /** Training videos the background had to decode. */
  total: number;
  /** Decoded (usable or found bad) so far. */
  done: number;
  /** Running now. */
  running: number;
  /** Waiting to start. */
  waiting: number;
  /** True after `dispose()`. */
  disposed: boolean;
  /** The error that stopped background decoding (badVideos 'error', or an unexpected failure), if any. */
  failure: string | null;
}

/**
 * Decodes training videos into the cache after `createUcf101Dataset` returned, a few ffmpeg processes at a
 * time, in an order that follows what training reads. Never rejects a promise nobody waits for: outcomes are
 * values, and a failure that must stop training is kept in `failure` for the next `whenReady` to throw.
 */
export class BackgroundDecoding {
  private waiting: DecodedVideo[];
  private readonly running = new Set<string>();
  private readonly outcomes = new Map<string, DecodeOutcome>();
  private readonly waiters = new Map<string, ((outcome: DecodeOutcome) => void)[]>();
  private finished: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly total: number;
  /** Decodes run (usable or not). */
  private done = 0;
  /** Successful decodes. */
  decoded = 0;
  failure: Error | null = null;

  constructor(
    private readonly source: DecodingContext,
    videos: DecodedVideo[],
    private readonly concurrency: number,
    private readonly minFrames: number,
    private readonly badVideos: 'error' | 'skip',
    /** Shared with `describe().skipped`, kept in list order. */
    private readonly skipped: SkippedVideo[],
    private readonly listOrder: readonly { id: string }[],
    /** Listed training videos already known to be unusable (cached but too short), with the reason. */
    knownBad: ReadonlyMap<string, string>,
  ) {
    this.waiting = [...videos];
    this.total = videos.length;
    for (const [id, reason] of knownBad) this.outcomes.set(id, { ok: false, reason });
  }

  /** Starts the workers (after `prioritize` has put the waiting videos in epoch-0 order). */
  start(): void {
    const workers = Array.from({ length: Math.min(this.concurrency, this.waiting.length) }, () => this.work());
    // work() catches everything itself; the catch only guards against a bug turning into an unhandled rejection.
    this.finished = Promise.all(workers).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Puts the waiting videos in the order of `videos` (those not listed keep their order, after them). */
  prioritize(videos: readonly DecodedVideo[]): void {
    const rank = new Map(videos.map((video, index) => [video.id, index]));
    const last = videos.length;
    const indexed = this.waiting.map((video, index) => ({ video, index }));
    indexed.sort((a, b) => (rank.get(a.video.id) ?? last) - (rank.get(b.video.id) ?? last) || a.index - b.index);
    this.waiting = indexed.map((item) => item.video);
  }

  /** How `video`'s decode ended; moves it to the front of the queue when it has not started yet. */
  outcome(video: DecodedVideo): Promise<DecodeOutcome> {
    const known = this.outcomes.get(video.id);
    if (known) return Promise.resolve(known);
    if (!this.running.has(video.id)) {
      const at = this.waiting.findIndex((item) => item.id === video.id);
      if (at < 0) return Promise.resolve({ ok: false, reason: this.notDecodedReason(video) });
      if (at > 0) this.waiting.unshift(...this.waiting.splice(at, 1));
    }
    return new Promise((resolve) => {
      const list = this.waiters.get(video.id) ?? [];
      list.push(resolve);
      this.waiters.set(video.id, list);
    });
  }

  status(): BackgroundDecodeStatus {
    return {
      total: this.total,
      done: this.done,
      running: this.running.size,
      waiting: this.waiting.length,
      disposed: this.disposed,
      failure: this.failure?.message ?? null,
    };
  }

  /** Resolves when no decode is running any more and none will start (all done, stopped or disposed). */
  whenFinished(): Promise<void> {
    return this.finished;
  }

  /** Starts no further decodes, answers waiting callers, and resolves when the running ones have ended. */
  dispose(): Promise<void> {
    this.disposed = true;
    this.stop();
    return this.finished;
  }

  private notDecodedReason(video: DecodedVideo): string {
    const file = this.fileOf(video);
    return this.disposed ? `Not decoded: ${file} (the dataset was disposed before its background decode ran)` : `Not decoded: ${file} (background decoding stopped)`;
  }

  /** Drops the waiting videos, answering whoever waits for them. */
  private stop(): void {
    const dropped = this.waiting;
    this.waiting = [];
    for (const video of dropped) this.settle(video, { ok: false, reason: this.notDecodedReason(video) }, false);
  }

  private settle(video: DecodedVideo, outcome: DecodeOutcome, record = true): void {
    if (record) this.outcomes.set(video.id, outcome);
    const list = this.waiters.get(video.id) ?? [];
    this.waiters.delete(video.id);
    for (const resolve of list) resolve(outcome);
  }

  private async work(): Promise<void> {
    for (let video = this.waiting.shift(); video !== undefined; video = this.waiting.shift()) {
      const file = this.fileOf(video);
      this.running.add(video.id);
      let outcome: DecodeOutcome;
      let unexpected: Error | null = null;
      try {
        const entry = await decodeToCache(this.source.cache, this.source.decoder, file, video.id, this.source.settings);
        this.decoded += 1;
        if (entry.header.frameCount < this.minFrames) {
          outcome = { ok: false, reason: tooShortReason(file, this.source.settings.frameStride, entry.header.frameCount, this.minFrames) };
        } else {
          video.entry = entry;
          video.frameCount = entry.header.frameCount;
          outcome = { ok: true };
        }
      } catch (error) {
        if (!(error instanceof DeltaSparsityError)) unexpected = error instanceof Error ? error : new Error(String(error));
        outcome = { ok: false, reason: unexpected ? `Could not decode video ${file}: ${unexpected.message}` : (error as Error).message };
      }
      this.running.delete(video.id);
      this.done += 1;
      if (!outcome.ok) {
        this.skipped.push({ video: video.id, file, reason: outcome.reason });
        sortInListOrder(this.skipped, this.listOrder);
        if (this.failure === null && (unexpected !== null || this.badVideos === 'error')) {
          this.failure = unexpected
            ? new DeltaSparsityError(`${outcome.reason} (background decoding stopped)`, { cause: unexpected })
            : new DeltaSparsityError(`${outcome.reason}. Pass badVideos: 'skip' to leave bad videos out; the videos decoded so far are cached.`);
          // Training cannot go on: decode nothing more, and wake whoever waits so that they see the failure.
          this.settle(video, outcome);
          this.stop();
          continue;
        }
      }
      this.settle(video, outcome);
    }
  }

  private fileOf(video: DecodedVideo): string {
    return video.file;
  }
}
