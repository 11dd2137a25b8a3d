import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaSparsityError } from '../../lib/util/errors';
import { ClipCache, readCachedFrames } from '../../lib/data/cache';
import { FfmpegDecoder, ffmpegRunCount, parseVideoInfo, probeVideo, type DecodeSettings, type DecodedVideo, type VideoDecoder } from '../../lib/data/ffmpeg';
import { bundledSplitDir, loadUcf101Split, selectUcf101Subset } from '../../lib/data/splits';
import { createUcf101Dataset, prepareUcf101 } from '../../lib/data/ucf101';
import type { ClipBatch } from '../../lib/data/types';

// The project's own copy of the real sample clips, laid out as a tiny UCF-101 root.
const sampleRoot = path.resolve(__dirname, '..', '..', 'data', 'ucf101-samples');
const applyEyeMakeup = path.join(sampleRoot, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.avi');
const baseballPitch = path.join(sampleRoot, 'BaseballPitch', 'v_BaseballPitch_g01_c01.avi');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-ucf101-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

// The four samples are training videos of split 2 (data/README.md); one per class.
const sampleClasses = ['ApplyEyeMakeup', 'BaseballPitch', 'Basketball', 'HeadMassage'];
const sampleSubset = { root: sampleRoot, split: 2, classes: sampleClasses, parts: ['train' as const], badVideos: 'skip' as const, progress: 'silent' as const };

/** A decoder that counts calls and delegates to ffmpeg. */
class CountingDecoder implements VideoDecoder {
  calls = 0;
  private readonly inner = new FfmpegDecoder();
  decode(file: string, settings: DecodeSettings): Promise<DecodedVideo> {
    this.calls += 1;
    return this.inner.decode(file, settings);
  }
}

async function collect(generator: AsyncGenerator<ClipBatch>): Promise<ClipBatch[]> {
  const batches: ClipBatch[] = [];
  for await (const batch of generator) batches.push(batch);
  return batches;
}

describe('decoding real UCF101 clips with ffmpeg', () => {
  it('decodes every frame of the sample clip: count within 1 of ffprobe, shape, range, motion', async () => {
    const decoded = await new FfmpegDecoder().decode(applyEyeMakeup, { height: 48, width: 64, frameStride: 1, resize: 'stretch' });
    // ffprobe -count_frames: 164 frames (data/README.md).
    expect(Math.abs(decoded.frameCount - 164)).toBeLessThanOrEqual(1);
    expect(decoded.frames.length).toBe(decoded.frameCount * 48 * 64 * 3);
    expect([decoded.height, decoded.width]).toEqual([48, 64]);
    expect(decoded.info).toMatchObject({ fps: 25, width: 320, height: 240, codec: 'mpeg4' });
    // uint8 pixels spread over much of 0..255 (a real scene, not a blank frame).
    let min = 255;
    let max = 0;
    for (const value of decoded.frames) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    expect(max - min).toBeGreaterThan(100);
    const frame = 48 * 64 * 3;
    const first = Buffer.from(decoded.frames.subarray(0, frame));
    const second = Buffer.from(decoded.frames.subarray(frame, 2 * frame));
    expect(first.equals(second)).toBe(false);
  });

  it('samples at the stride: ceil(107 / 3) = 36 frames of the 29.97 fps clip', async () => {
    const decoded = await new FfmpegDecoder().decode(baseballPitch, { height: 32, width: 32, frameStride: 3 });
    // 107 frames by ffprobe; frames 0, 3, ..., 105 are kept: 36 (within 1 either way).
    expect(Math.abs(decoded.frameCount - 36)).toBeLessThanOrEqual(1);
    expect(decoded.info.fps).toBeCloseTo(29.97, 2);
    const probed = await probeVideo(baseballPitch);
    expect(probed).toMatchObject({ width: 320, height: 240 });
    expect(probed.durationSeconds).toBeCloseTo(3.57, 2);
  });

  it('parses the stream line of ffmpeg output, ignoring the output section', () => {
    const stderr = [
      "Input #0, avi, from 'x.avi':",
      '  Duration: 00:00:06.56, start: 0.000000, bitrate: 359 kb/s',
      '    Stream #0:0: Video: mpeg4 (XVID / 0x44495658), yuv420p, 320x240 [SAR 1:1 DAR 4:3], 209 kb/s, 29.97 fps, 29.97 tbr',
      'Output #0, rawvideo, to pipe:1:',
      '    Stream #0:0: Video: rawvideo, rgb24, 64x64, 25 fps',
    ].join('\n');
    expect(parseVideoInfo(stderr, 'x.avi')).toEqual({ fps: 29.97, width: 320, height: 240, durationSeconds: 6.56, codec: 'mpeg4' });
    expect(() => parseVideoInfo('x.avi: Invalid data found when processing input', 'x.avi')).toThrowError(/Not a readable video: x.avi/);
  });
});

describe('UCF101 dataset on the sample root', () => {
  const cacheDir = path.join(scratch, 'cache');

  it('decodes once; a cache hit runs no ffmpeg', async () => {
    const settings = { ...sampleSubset, cacheDir, size: 32, frameStride: 2, clipLength: 8 };
    const first = new CountingDecoder();
    const before = ffmpegRunCount();
    const dataset = await createUcf101Dataset({ ...settings, decoder: first });
    // Split 2 lists 4 classes x ~100 training videos; only the 4 samples exist, the rest are skipped as missing.
    expect(first.calls).toBe(4);
    expect(ffmpegRunCount() - before).toBe(4);
    expect(dataset.trainClipCount).toBe(4);
    expect(dataset.classNames).toEqual(sampleClasses);
    expect(dataset.describe().classes.map((entry) => entry.train)).toEqual([1, 1, 1, 1]);
    // data/README.md: two clips at 25 fps, two at 29.97 fps, all 320x240.
    expect(dataset.describe().sourceFormats).toEqual({ '320x240@25fps': 2, '320x240@29.97fps': 2 });

    const second = new CountingDecoder();
    const runsBefore = ffmpegRunCount();
    const again = await createUcf101Dataset({ ...settings, decoder: second });
    const batches = await collect(again.trainBatches({ batchSize: 3, epoch: 0 }));
    expect(second.calls).toBe(0);
    expect(ffmpegRunCount()).toBe(runsBefore);
    expect(again.describe()).toMatchObject({ decoded: 0, cached: 4 });
    expect(batches.map((batch) => batch.shape)).toEqual([[3, 8, 32, 32, 3], [1, 8, 32, 32, 3]]);
    // Other settings are another cache entry: decoded again.
    const third = new CountingDecoder();
    await createUcf101Dataset({ ...settings, size: 24, decoder: third });
    expect(third.calls).toBe(4);
  });

  it('cached frames equal a fresh decode; windows are the right frames', async () => {
    const cache = new ClipCache(cacheDir);
    const settings = { height: 32, width: 32, frameStride: 2 };
    const stat = fs.statSync(applyEyeMakeup);
    const entry = cache.lookup('ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01', settings, { size: stat.size, mtimeMs: Math.floor(stat.mtimeMs) });
    expect(entry).not.toBeNull();
    const fresh = await new FfmpegDecoder().decode(applyEyeMakeup, settings);
    expect(entry?.header.frameCount).toBe(fresh.frameCount);
    const window = await readCachedFrames(entry!, 5, 3);
    const frame = 32 * 32 * 3;
    expect(Buffer.from(window).equals(Buffer.from(fresh.frames.subarray(5 * frame, 8 * frame)))).toBe(true);
  });

  it('same seed, same batches, with augmentation; test windows deterministic', async () => {
    const options = { ...sampleSubset, cacheDir, size: 32, frameStride: 2, clipLength: 8, augmentation: { horizontalFlip: true, randomCrop: true }, seed: 11 };
    const a = await collect((await createUcf101Dataset(options)).trainBatches({ batchSize: 4, epoch: 1 }));
    const b = await collect((await createUcf101Dataset(options)).trainBatches({ batchSize: 4, epoch: 1 }));
    expect(b[0].videoIds).toEqual(a[0].videoIds);
    expect(Array.from(b[0].offsets)).toEqual(Array.from(a[0].offsets));
    expect(Buffer.from(b[0].clips.buffer).equals(Buffer.from(a[0].clips.buffer))).toBe(true);
    expect(a[0].clips.every((value) => value >= 0 && value <= 1)).toBe(true);

    // Split 1 has the samples as test videos: 3 evenly spread windows per video.
    const test = await createUcf101Dataset({ ...options, split: 1, parts: ['test'], testWindowsPerVideo: 3 });
    expect(test.testClipCount).toBe(12);
    const batches = await collect(test.testBatches({ batchSize: 12 }));
    // ApplyEyeMakeup: 82 frames at stride 2 (164 / 2), T=8: offsets 0, 37, 74 (= round(74/2), 74).
    expect(batches[0].videoIds.slice(0, 3)).toEqual(Array(3).fill('ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01'));
    expect(Array.from(batches[0].offsets.slice(0, 3))).toEqual([0, 37, 74]);
  });
});

describe('bad input', () => {
  it('a missing root folder', async () => {
    await expect(createUcf101Dataset({ root: path.join(scratch, 'no-such-root') })).rejects.toThrowError(/root: expected an existing UCF-101 folder/);
  });

  it('a root without any selected class folder', async () => {
    const empty = path.join(scratch, 'empty-root');
    fs.mkdirSync(empty, { recursive: true });
    await expect(createUcf101Dataset({ root: empty, firstClasses: 2 })).rejects.toThrowError(/none of the 2 selected classes is there/);
  });

  it('an unknown class name suggests the closest', async () => {
    await expect(createUcf101Dataset({ root: sampleRoot, classes: ['ApplyEyeMakup'] })).rejects.toThrowError(/closest to "ApplyEyeMakup": ApplyEyeMakeup/);
  });

  it('a missing video is named', async () => {
    await expect(
      createUcf101Dataset({ root: sampleRoot, split: 1, classes: ['ApplyEyeMakeup'], videosPerClass: 1, parts: ['train'], cacheDir: path.join(scratch, 'c2'), progress: 'silent' }),
    ).rejects.toThrowError(/Video not found: .*ApplyEyeMakeup\/v_ApplyEyeMakeup_g08_c01\.avi/);
  });

  it('a video shorter than the clip is named', async () => {
    // BaseballPitch: 107 frames, stride 4 keeps 27; a 40-frame clip does not fit.
    // videosPerClass 1 picks g01_c01, the first group's first clip: exactly the sample.
    await expect(
      createUcf101Dataset({ ...sampleSubset, classes: ['BaseballPitch'], videosPerClass: 1, badVideos: 'error', frameStride: 4, size: 16, clipLength: 40, cacheDir: path.join(scratch, 'c3') }),
    ).rejects.toThrowError(/^Video too short: .*v_BaseballPitch_g01_c01\.avi has 27 frames/);
    const report = await prepareUcf101({ ...sampleSubset, classes: ['BaseballPitch'], frameStride: 4, size: 16, clipLength: 40, cacheDir: path.join(scratch, 'c3') });
    const short = report.skipped.find((entry) => entry.video === 'BaseballPitch/v_BaseballPitch_g01_c01');
    expect(short?.reason).toMatch(/Video too short: .*v_BaseballPitch_g01_c01\.avi has 27 frames at frameStride=4, a clip needs clipLength=40/);
  });

  it('prepare reports a corrupt video, skips it and decodes the rest', async () => {
    const root = path.join(scratch, 'root');
    for (const name of ['ApplyEyeMakeup', 'BaseballPitch']) fs.mkdirSync(path.join(root, name), { recursive: true });
    fs.copyFileSync(applyEyeMakeup, path.join(root, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.avi'));
    fs.writeFileSync(path.join(root, 'BaseballPitch', 'v_BaseballPitch_g01_c01.avi'), Buffer.from('RIFF this is not a video at all'.repeat(20)));
    const options = { root, split: 2, splitDir: bundledSplitDir(), classes: ['ApplyEyeMakeup', 'BaseballPitch'], parts: ['train' as const], videosPerClass: 1, size: 16, cacheDir: path.join(scratch, 'c4'), progress: 'silent' as const };
    // videosPerClass 1 over split 2 picks g01_c01 of each class (round-robin starts at the first group).
    const report = await prepareUcf101(options);
    expect(report.videos).toBe(2);
    expect(report.decoded).toBe(1);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0].video).toBe('BaseballPitch/v_BaseballPitch_g01_c01');
    expect(report.skipped[0].reason).toMatch(/Could not decode video .*v_BaseballPitch_g01_c01\.avi/);
    await expect(createUcf101Dataset(options)).rejects.toThrowError(DeltaSparsityError);
    await expect(createUcf101Dataset(options)).rejects.toThrowError(/v_BaseballPitch_g01_c01\.avi/);
    // Skipping leaves out videos, never a whole class: BaseballPitch's only video is bad (issue 13 item 1).
    await expect(createUcf101Dataset({ ...options, badVideos: 'skip' })).rejects.toThrowError(
      /class BaseballPitch has no usable training video \(1 listed\); first reason: Could not decode video .*v_BaseballPitch_g01_c01\.avi/,
    );
    // With a second, good BaseballPitch video the bad one is skipped and listed.
    const second = selectUcf101Subset(loadUcf101Split(2, bundledSplitDir()), { classes: ['BaseballPitch'], videosPerClass: 2 }).train[1];
    fs.copyFileSync(baseballPitch, path.join(root, second.path));
    const skipping = await createUcf101Dataset({ ...options, videosPerClass: 2, badVideos: 'skip' });
    // 4 listed: ApplyEyeMakeup g01 (good) and its second (absent), BaseballPitch g01 (corrupt) and the copy (good).
    expect(skipping.trainClipCount).toBe(2);
    expect(skipping.skippedVideos.map((item) => item.video)).toContain('BaseballPitch/v_BaseballPitch_g01_c01');
    expect(skipping.skippedVideos).toHaveLength(2);
    expect(skipping.describe().skipped).toEqual(skipping.skippedVideos);
  });
});
