import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaSparsityError } from '../../lib/util/errors';
import { FfmpegDecoder, ffmpegRunCount, type DecodeSettings, type DecodedVideo, type VideoDecoder } from '../../lib/data/ffmpeg';
import { bundledSplitDir, loadUcf101Split, selectUcf101Subset } from '../../lib/data/splits';
import { createUcf101Dataset, type Ucf101DatasetOptions } from '../../lib/data/ucf101';
import type { ClipBatch } from '../../lib/data/types';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-ucf101-bg-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// A fake UCF-101 root: split 2, two classes, 5 training and 2 test videos per class, as files of a few bytes
// (the fake decoder never reads them; the dataset only stats them). 10 training and 4 test videos in all.
const classes = ['ApplyEyeMakeup', 'BaseballPitch'];
const subset = selectUcf101Subset(loadUcf101Split(2, bundledSplitDir()), { classes, videosPerClass: 5, testVideosPerClass: 2 });
const fakeRoot = path.join(scratch, 'root');
for (const entry of [...subset.train, ...subset.test]) {
  fs.mkdirSync(path.join(fakeRoot, path.dirname(entry.path)), { recursive: true });
  fs.writeFileSync(path.join(fakeRoot, entry.path), entry.id);
}
const trainFiles = new Set(subset.train.map((entry) => path.join(fakeRoot, entry.path)));

/** A deferred gate: decodes wait on `wait()` until `open()`. */
class Gate {
  private release: () => void = () => undefined;
  private readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
  wait(): Promise<void> {
    return this.opened;
  }
}

/**
 * A decoder that makes up frames from the file name, counts decodes per file, records the order they started
 * in, can hold training videos at a gate, and fails or shortens chosen files.
 * Video i of the fake root has 12 + (i mod 5) frames of 8x8; byte (t, j) of it is (31 i + 7 t + j) mod 256.
 */
class FakeDecoder implements VideoDecoder {
  readonly calls = new Map<string, number>();
  readonly started: string[] = [];
  constructor(
    private readonly options: { gate?: Gate; corrupt?: string[]; short?: string[] } = {},
  ) {}

  async decode(file: string, settings: DecodeSettings): Promise<DecodedVideo> {
    this.calls.set(file, (this.calls.get(file) ?? 0) + 1);
    this.started.push(file);
    if (this.options.gate && trainFiles.has(file)) await this.options.gate.wait();
    await new Promise((resolve) => setImmediate(resolve)); // a decode takes at least one turn of the event loop
    if (this.options.corrupt?.includes(file)) throw new DeltaSparsityError(`Could not decode video ${file}: fake corruption`);
    const index = [...subset.train, ...subset.test].findIndex((entry) => path.join(fakeRoot, entry.path) === file);
    const frameCount = this.options.short?.includes(file) ? 3 : 12 + (index % 5);
    const frameBytes = settings.height * settings.width * 3;
    const frames = new Uint8Array(frameCount * frameBytes);
    for (let t = 0; t < frameCount; t++) {
      for (let j = 0; j < frameBytes; j++) frames[t * frameBytes + j] = (31 * index + 7 * t + j) % 256;
    }
    return { frames, frameCount, height: settings.height, width: settings.width, info: { fps: 25, width: 320, height: 240, durationSeconds: 1, codec: 'fake' } };
  }

  total(): number {
    return [...this.calls.values()].reduce((sum, count) => sum + count, 0);
  }
}

async function collect(generator: AsyncGenerator<ClipBatch>): Promise<ClipBatch[]> {
  const batches: ClipBatch[] = [];
  for await (const batch of generator) batches.push(batch);
  return batches;
}

/** Every clip of some batches as (video, offset, label, pixels), in order, ignoring where batches end. */
function clipsOf(batches: ClipBatch[]): { videoId: string; offset: number; label: number; pixels: string }[] {
  return batches.flatMap((batch) => {
    const clipSize = batch.clips.length / batch.shape[0];
    return batch.videoIds.map((videoId, b) => ({
      videoId,
      offset: batch.offsets[b],
      label: batch.labels[b],
      pixels: Buffer.from(batch.clips.buffer, batch.clips.byteOffset + b * clipSize * 4, clipSize * 4).toString('base64'),
    }));
  });
}

let cacheCount = 0;
function options(decoder: VideoDecoder, extra: Partial<Ucf101DatasetOptions> = {}): Ucf101DatasetOptions {
  cacheCount += 1;
  return {
    root: fakeRoot,
    split: 2,
    classes,
    videosPerClass: 5,
    testVideosPerClass: 2,
    size: 8,
    frameStride: 1,
    clipLength: 4,
    seed: 5,
    augmentation: { horizontalFlip: true, randomCrop: true },
    cacheDir: path.join(scratch, `cache-${cacheCount}`),
    progress: 'silent',
    decoder,
    ...extra,
  };
}

describe('background decoding of training videos (fake decoder)', () => {
  it('returns before the training videos are decoded, decodes in epoch order, each once, with the batches of upfront', async () => {
    const upfrontDecoder = new FakeDecoder();
    const upfront = await createUcf101Dataset(options(upfrontDecoder));
    // Upfront: all 14 videos decoded before returning.
    expect(upfrontDecoder.total()).toBe(14);

    const gate = new Gate();
    const decoder = new FakeDecoder({ gate });
    const dataset = await createUcf101Dataset(options(decoder, { decode: 'background' }));
    // Returned while every training decode is held at the gate: the 4 test videos are decoded, and only one
    // training decode has started (backgroundConcurrency defaults to 1).
    expect(decoder.total()).toBe(4 + 1);
    expect(dataset.backgroundStatus()).toMatchObject({ total: 10, done: 0, running: 1, waiting: 9 });
    // Counts are known up front: one clip per training video.
    expect(dataset.trainClipCount).toBe(10);
    expect(dataset.testClipCount).toBe(4);
    // Test batches need no training video.
    const testClips = clipsOf(await collect(dataset.testBatches({ batchSize: 3 })));
    expect(testClips).toEqual(clipsOf(await collect(upfront.testBatches({ batchSize: 3 }))));

    // Training reads epoch 3 first: the background follows that order from the next decode on.
    const epoch3 = dataset.trainBatches({ batchSize: 4, epoch: 3 });
    const first = epoch3.next();
    gate.open();
    const batches3 = [(await first).value as ClipBatch, ...(await collect(epoch3))];
    const order3 = dataset.trainOrder(3).map((video) => path.join(fakeRoot, `${video.id}.avi`));
    const trainStarts = decoder.started.filter((file) => trainFiles.has(file));
    // The first decode started in epoch-0 order before epoch 3 was asked for; the other 9 follow epoch 3.
    expect(trainStarts[0]).toBe(path.join(fakeRoot, `${dataset.trainOrder(0)[0].id}.avi`));
    expect(trainStarts.slice(1)).toEqual(order3.filter((file) => file !== trainStarts[0]));

    // Same seed, same batches as upfront (epoch order and clip randomness do not depend on decode timing).
    const upfront3 = await collect(upfront.trainBatches({ batchSize: 4, epoch: 3 }));
    expect(batches3.map((batch) => batch.shape)).toEqual(upfront3.map((batch) => batch.shape)); // 4 + 4 + 2 clips
    expect(clipsOf(batches3)).toEqual(clipsOf(upfront3));
    for (const epoch of [0, 1]) {
      expect(clipsOf(await collect(dataset.trainBatches({ batchSize: 3, epoch })))).toEqual(
        clipsOf(await collect(upfront.trainBatches({ batchSize: 3, epoch }))),
      );
    }
    await dataset.whenDecoded();
    // Each of the 14 videos decoded exactly once, although three epochs read them.
    expect(decoder.calls.size).toBe(14);
    expect([...decoder.calls.values()].every((count) => count === 1)).toBe(true);
    expect(dataset.backgroundStatus()).toMatchObject({ total: 10, done: 10, running: 0, waiting: 0, failure: null });
    expect(dataset.describe()).toMatchObject({ decode: 'background', decoded: 14, cached: 0, skipped: [] });

    // A second background dataset over the same cache decodes nothing and starts no background work.
    const again = new FakeDecoder();
    const cached = await createUcf101Dataset({ ...options(again, { decode: 'background' }), cacheDir: dataset.describe().cacheDir as string });
    expect(again.total()).toBe(0);
    expect(cached.backgroundStatus()).toMatchObject({ total: 0 });
    expect(clipsOf(await collect(cached.trainBatches({ batchSize: 4, epoch: 3 })))).toEqual(clipsOf(upfront3));
  });

  it('badVideos skip: a corrupt and a too short training video found in the background are left out and reported', async () => {
    const [corrupt, short] = [subset.train[2], subset.train[7]].map((entry) => path.join(fakeRoot, entry.path));
    const good = await createUcf101Dataset(options(new FakeDecoder(), { decode: 'background' }));
    const decoder = new FakeDecoder({ corrupt: [corrupt], short: [short] });
    const dataset = await createUcf101Dataset(options(decoder, { decode: 'background', badVideos: 'skip' }));
    // Known up front: 10 clips. Neither bad video is known yet.
    expect(dataset.trainClipCount).toBe(10);
    const batches = await collect(dataset.trainBatches({ batchSize: 4, epoch: 2 }));
    // 8 usable clips: batches of 4 + 4 (the later clips move up to fill the batches).
    expect(batches.map((batch) => batch.shape[0])).toEqual([4, 4]);
    // The clips are those of the all-good dataset with the two bad videos' clips taken out: every clip keeps
    // its own random stream (forked per position in the epoch order).
    const badIds = [subset.train[2].id, subset.train[7].id];
    const expected = clipsOf(await collect(good.trainBatches({ batchSize: 4, epoch: 2 }))).filter((clip) => !badIds.includes(clip.videoId));
    expect(clipsOf(batches)).toEqual(expected);
    await dataset.whenDecoded();
    const skipped = dataset.describe().skipped as { video: string; file: string; reason: string }[];
    // Listed in split-list order: train[2] before train[7].
    expect(skipped.map((entry) => entry.video)).toEqual(badIds);
    expect(skipped[0].reason).toMatch(/Could not decode video .*v_ApplyEyeMakeup_g\d\d_c\d\d\.avi: fake corruption/);
    // 3 frames at frameStride 1 against clipLength 4.
    expect(skipped[1].reason).toMatch(/^Video too short: .* has 3 frames at frameStride=1, a clip needs clipLength=4/);
    expect(skipped[1].file).toBe(short);
    expect(decoder.calls.get(corrupt)).toBe(1);

    // Next time the too-short video is a cache hit: reported before training, still left out the same way, so
    // the epoch is the same whatever the cache held.
    const cacheDir = dataset.describe().cacheDir as string;
    const next = await createUcf101Dataset({ ...options(new FakeDecoder({ corrupt: [corrupt] }), { decode: 'background', badVideos: 'skip' }), cacheDir });
    expect((next.describe().skipped as { video: string }[]).map((entry) => entry.video)).toEqual([subset.train[7].id]);
    expect(clipsOf(await collect(next.trainBatches({ batchSize: 4, epoch: 2 })))).toEqual(expected);
    await next.whenDecoded();
  });

  it('badVideos error: the corrupt video fails trainBatches with its file named', async () => {
    const corrupt = path.join(fakeRoot, subset.train[4].path);
    const decoder = new FakeDecoder({ corrupt: [corrupt] });
    const dataset = await createUcf101Dataset(options(decoder, { decode: 'background' }));
    await expect(collect(dataset.trainBatches({ batchSize: 2, epoch: 0 }))).rejects.toThrowError(
      new RegExp(`Could not decode video ${corrupt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: fake corruption\\. Pass badVideos: 'skip'`),
    );
    await dataset.whenDecoded();
    // Background decoding stopped at the failure; every later epoch fails the same way, at once.
    expect(dataset.backgroundStatus()?.failure).toMatch(/fake corruption/);
    await expect(dataset.trainBatches({ batchSize: 2, epoch: 1 }).next()).rejects.toThrowError(DeltaSparsityError);
    // No video was decoded twice.
    expect([...decoder.calls.values()].every((count) => count === 1)).toBe(true);
  });

  it('dispose stops background decoding after the running decode; undecoded videos then fail by name', async () => {
    const gate = new Gate();
    const decoder = new FakeDecoder({ gate });
    const dataset = await createUcf101Dataset(options(decoder, { decode: 'background', backgroundConcurrency: 2 }));
    // Two training decodes running (backgroundConcurrency 2), eight waiting.
    expect(dataset.backgroundStatus()).toMatchObject({ running: 2, waiting: 8 });
    const disposed = dataset.dispose();
    gate.open();
    await disposed;
    expect(dataset.backgroundStatus()).toMatchObject({ done: 2, running: 0, waiting: 0, disposed: true });
    expect(decoder.total()).toBe(4 + 2);
    await expect(collect(dataset.trainBatches({ batchSize: 4, epoch: 0 }))).rejects.toThrowError(/Not decoded: .*\.avi \(the dataset was disposed/);
  });

  it('rejects an unknown decode mode', async () => {
    await expect(createUcf101Dataset(options(new FakeDecoder(), { decode: 'later' as 'background' }))).rejects.toThrowError(
      /decode: expected "upfront" or "background". Received: decode="later"/,
    );
  });
});

describe('background decoding with ffmpeg on the real samples', () => {
  // The four samples are split-2 training videos; the rest of split 2 is missing, hence badVideos 'skip'.
  const sampleRoot = path.resolve(__dirname, '..', '..', 'data', 'ucf101-samples');
  const sampleClasses = ['ApplyEyeMakeup', 'BaseballPitch', 'Basketball', 'HeadMassage'];

  it('decodes the four samples once in the background and serves the batches of upfront decoding', async () => {
    const common = { root: sampleRoot, split: 2, classes: sampleClasses, parts: ['train' as const], badVideos: 'skip' as const, progress: 'silent' as const, size: 16, frameStride: 2, clipLength: 8, seed: 3 };
    const upfront = await createUcf101Dataset({ ...common, cacheDir: path.join(scratch, 'real-upfront') });
    const runsBefore = ffmpegRunCount();
    const dataset = await createUcf101Dataset({ ...common, cacheDir: path.join(scratch, 'real-background'), decode: 'background', decoder: new FfmpegDecoder() });
    // Returned with one ffmpeg process started and none finished (a process cannot end within the same turn).
    expect(dataset.backgroundStatus()).toMatchObject({ total: 4, done: 0, running: 1 });
    const batches = await collect(dataset.trainBatches({ batchSize: 3, epoch: 0 }));
    expect(clipsOf(batches)).toEqual(clipsOf(await collect(upfront.trainBatches({ batchSize: 3, epoch: 0 }))));
    await dataset.whenDecoded();
    expect(ffmpegRunCount() - runsBefore).toBe(4);
    // data/README.md: two clips at 25 fps, two at 29.97 fps, all 320x240.
    expect(dataset.describe().sourceFormats).toEqual({ '320x240@25fps': 2, '320x240@29.97fps': 2 });
  });
});
