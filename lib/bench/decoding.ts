/**
 * Decoding benchmark (prints, never asserts): the decode-and-cache pipeline against ffmpeg alone decoding the
 * same files to its null output, and reading clips back from the cache. Target: pipeline >= 0.8x ffmpeg alone.
 * A third measurement, ffmpeg running the pipeline's own filters (sampling, scaling, RGB) into the null device,
 * separates what the resizing costs inside ffmpeg from what the pipe, Node and the cache add.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireInteger } from '../util/errors';
import { assembleBatch } from '../data/clips';
import { ClipCache, decodeToCache, readCachedFrames, type CachedClip } from '../data/cache';
import { FfmpegDecoder, countFramesWithFfmpeg, decodeFilter, resolveDecodeSettings, runFfmpeg, type DecodeSettings } from '../data/ffmpeg';
import { bundledSampleRoot } from '../data/splits';

export interface DecodeBenchmarkOptions {
  /** Video files. Default: the real UCF101 sample clips shipped in data/ucf101-samples. */
  files?: string[];
  /** Decode settings. Default 64x64, frameStride 2, crop. */
  settings?: DecodeSettings;
  /** Passes over the files (more passes, steadier numbers). Default 3. */
  repeat?: number;
  /** ffmpeg processes at a time in the concurrent measurements. Default 2. */
  concurrency?: number;
  /** Cache folder for the run. Default: a fresh temporary folder, removed afterwards. */
  cacheDir?: string;
}

/** One measured way of getting frames. */
export interface ThroughputMeasurement {
  concurrency: number;
  seconds: number;
  /** Source frames decoded per second (every source frame is decoded whatever the stride). */
  sourceFramesPerSecond: number;
}

export interface DecodeBenchmarkResult {
  files: string[];
  settings: ReturnType<typeof resolveDecodeSettings>;
  repeat: number;
  /** Source frames per pass over the files (counted by ffmpeg). */
  sourceFrames: number;
  /** Sampled frames per pass (what the cache holds). */
  sampledFrames: number;
  ffmpegAlone: ThroughputMeasurement[];
  /** ffmpeg with the pipeline's filters and RGB output, written to the null device (no pipe, no Node). */
  ffmpegFiltered: ThroughputMeasurement[];
  pipeline: ThroughputMeasurement[];
  /** Pipeline / ffmpeg alone, per concurrency. */
  ratios: { concurrency: number; ratio: number }[];
  cachedRead: { frames: number; seconds: number; framesPerSecond: number };
}

function defaultBenchFiles(): string[] {
  const root = bundledSampleRoot();
  return fs
    .readdirSync(root)
    .sort()
    .flatMap((folder) =>
      fs.statSync(path.join(root, folder)).isDirectory()
        ? fs.readdirSync(path.join(root, folder)).filter((name) => name.endsWith('.avi')).sort().map((name) => path.join(root, folder, name))
        : [],
    );
}

async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Runs the decoding benchmark; see `DecodeBenchmarkResult`. */
export async function benchmarkDecoding(options: DecodeBenchmarkOptions = {}): Promise<DecodeBenchmarkResult> {
  const files = options.files ?? defaultBenchFiles();
  const settings = resolveDecodeSettings(options.settings ?? { height: 64, width: 64, frameStride: 2 });
  const repeat = requireInteger('repeat', options.repeat ?? 3, 1);
  const concurrency = requireInteger('concurrency', options.concurrency ?? 2, 1);
  const ownCache = options.cacheDir === undefined;
  const cacheDir = options.cacheDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'delta-sparsity-bench-'));
  const cache = new ClipCache(cacheDir);
  const decoder = new FfmpegDecoder();
  try {
    let sourceFrames = 0;
    for (const file of files) sourceFrames += (await countFramesWithFfmpeg(file)).frames; // also warms the file cache
    const jobs = Array.from({ length: repeat }, (_, pass) => files.map((file) => ({ file, pass }))).flat();
    const levels = [...new Set([1, concurrency])];
    const ffmpegAlone: ThroughputMeasurement[] = [];
    const ffmpegFiltered: ThroughputMeasurement[] = [];
    const pipeline: ThroughputMeasurement[] = [];
    const filteredArgs = (file: string) => [
      '-hide_banner', '-nostdin', '-nostats', '-threads', '1', '-i', file, '-map', '0:v:0', '-an', '-sn',
      '-vf', decodeFilter(settings), '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-y', os.devNull,
    ];
    const entries: CachedClip[] = [];
    for (const level of levels) {
      const aloneSeconds = await runPool(jobs, level, async ({ file }) => {
        await countFramesWithFfmpeg(file);
      });
      ffmpegAlone.push({ concurrency: level, seconds: aloneSeconds, sourceFramesPerSecond: (sourceFrames * repeat) / aloneSeconds });
      const filteredSeconds = await runPool(jobs, level, async ({ file }) => {
        await runFfmpeg(filteredArgs(file));
      });
      ffmpegFiltered.push({ concurrency: level, seconds: filteredSeconds, sourceFramesPerSecond: (sourceFrames * repeat) / filteredSeconds });
      const pipelineSeconds = await runPool(jobs, level, async ({ file, pass }) => {
        const entry = await decodeToCache(cache, decoder, file, `bench/c${level}p${pass}/${path.basename(file, path.extname(file))}`, settings);
        if (level === levels[0] && pass === 0) entries.push(entry);
      });
      pipeline.push({ concurrency: level, seconds: pipelineSeconds, sourceFramesPerSecond: (sourceFrames * repeat) / pipelineSeconds });
    }
    const sampledFrames = entries.reduce((sum, entry) => sum + entry.header.frameCount, 0);
    // Cached read: whole clips from disk into float batches, as training reads them.
    const readStarted = process.hrtime.bigint();
    let readFrames = 0;
    for (let pass = 0; pass < repeat; pass++) {
      for (const entry of entries) {
        const { frameCount, height, width } = entry.header;
        const frames = await readCachedFrames(entry, 0, frameCount);
        assembleBatch([{ frames, label: 0, videoId: entry.header.videoId, offset: 0 }], frameCount, height, width);
        readFrames += frameCount;
      }
    }
    const readSeconds = Number(process.hrtime.bigint() - readStarted) / 1e9;
    return {
      files,
      settings,
      repeat,
      sourceFrames,
      sampledFrames,
      ffmpegAlone,
      ffmpegFiltered,
      pipeline,
      ratios: levels.map((level, index) => ({ concurrency: level, ratio: pipeline[index].sourceFramesPerSecond / ffmpegAlone[index].sourceFramesPerSecond })),
      cachedRead: { frames: readFrames, seconds: readSeconds, framesPerSecond: readFrames / readSeconds },
    };
  } finally {
    if (ownCache) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** A few human-readable lines summarising a benchmark result. */
export function formatDecodeBenchmark(result: DecodeBenchmarkResult): string {
  const { settings } = result;
  const lines = [
    `decode benchmark: ${result.files.length} files x ${result.repeat} passes, ${result.sourceFrames} source frames per pass, ` +
      `${settings.width}x${settings.height} stride ${settings.frameStride} (${result.sampledFrames} sampled frames per pass)`,
  ];
  result.ffmpegAlone.forEach((alone, index) => {
    const piped = result.pipeline[index];
    const filtered = result.ffmpegFiltered[index];
    lines.push(
      `  concurrency ${alone.concurrency}: ffmpeg alone (-f null) ${alone.sourceFramesPerSecond.toFixed(0)} frames/s; ` +
        `decode+cache ${piped.sourceFramesPerSecond.toFixed(0)} frames/s; ratio ${result.ratios[index].ratio.toFixed(2)} (target >= 0.8); ` +
        `ffmpeg with the same filters to the null device ${filtered.sourceFramesPerSecond.toFixed(0)} frames/s ` +
        `(pipeline / that: ${(piped.sourceFramesPerSecond / filtered.sourceFramesPerSecond).toFixed(2)})`,
    );
  });
  lines.push(`  cached read (disk -> float clips): ${result.cachedRead.framesPerSecond.toFixed(0)} frames/s`);
  return lines.join('\n');
}
