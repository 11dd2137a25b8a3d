/**
 * What a training run measured on and what its MAC figure means, in one line each, so that the `train` and
 * `cost` commands never print a number without its data (source, split, clip length × size, seed, test videos)
 * or its execution mode and first-frame convention (CONTRIBUTING.md, "Vocabulary").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './config';
import { dataIdentityFromConfig } from './fromConfig';
import { readRunConfigFile } from './runFolder';
import { readEpochMetrics } from './runFolderFiles';

/** The MAC densities a run's sparsity measurement gives (`measurement.overall`), each in [0, 1]. */
export interface MacDensities {
  /** Delta MACs / dense MACs, steady state. */
  deltaMacDensity: number;
  /** Zero-skipping MACs / dense MACs. */
  zeroSkippingMacDensity: number;
}

/**
 * "data: weizmann (bundled real clips), fixed subjects (…), clips of 8 frames × 32×32 px, seed 0, 30 test videos".
 * The synthetic set says that it is generated, not video, and how to train on the bundled Weizmann clips
 * (what `study` uses). `testVideos` comes from the run's metrics; left out when unknown (null). The split comes
 * from the file lists (`dataIdentityFromConfig`); when those cannot be read (a moved data folder), the line
 * names the configured source and root instead of failing.
 */
export function describeRunData(config: TrainConfig, testVideos: number | null = null): string {
  const data = config.data;
  let split: string;
  try {
    split = dataIdentityFromConfig(config).split;
  } catch {
    split = `split not readable${data.root === undefined ? '' : ` (data.root ${data.root})`}`;
  }
  const source =
    data.source === 'synthetic'
      ? 'synthetic (generated moving shapes, not real video; --set data.source=weizmann trains on the bundled Weizmann clips, as study does)'
      : data.source === 'weizmann'
        ? 'weizmann (bundled real clips)'
        : data.source;
  const testClipLength = data.testClipLength ?? data.clipLength;
  const clips = `clips of ${data.clipLength} frames × ${data.size}×${data.size} px${testClipLength === data.clipLength ? '' : ` (test clips ${testClipLength} frames)`}`;
  const videos = testVideos === null ? '' : `, ${testVideos} test video${testVideos === 1 ? '' : 's'}`;
  return `data: ${source}, ${split === 'generated' ? 'generated train/test sets' : split}, ${clips}, seed ${config.seed}${videos}`;
}

/** "N.NNx" of 1 / density; "-" when the density is not a positive number (a network without MACs). */
function timesFewer(density: number): string {
  return density > 0 && Number.isFinite(density) ? `${(1 / density).toFixed(2)}x` : '-';
}

/**
 * The MAC saving a run's model gets, said precisely. A model with delta layers (variant 'delta'): delta
 * execution in steady state (each clip's first frame left out), against dense and against zero-skipping
 * execution (zero-skipping MACs / delta MACs). Any other variant ('baseline', 'spatial-l1'): zero-skipping
 * execution against dense, the saving such a model can have (without delta layers its changes are not
 * quantised, so delta execution saves next to nothing).
 */
export function describeMacGain(overall: MacDensities, variant: string): string {
  if (variant === 'delta') {
    const vsZeroSkipping = overall.zeroSkippingMacDensity > 0 ? overall.deltaMacDensity / overall.zeroSkippingMacDensity : Number.NaN;
    return (
      `delta execution, steady state (each clip's first frame left out): ${timesFewer(overall.deltaMacDensity)} fewer MACs than dense, ` +
      `${timesFewer(vsZeroSkipping)} fewer than zero-skipping`
    );
  }
  return `zero-skipping execution: ${timesFewer(overall.zeroSkippingMacDensity)} fewer MACs than dense (a ${variant} model has no delta layers)`;
}

/**
 * What a workload file was measured on, for `cost --run`: "measured on 24 clips of 8 frames (…model, epoch 2)"
 * from the file's `clips`, `framesPerClip`, `model` and `epoch` (what `writeWorkload` stores), then, when the
 * file sits in a run folder with `config.json`, that run's data line (`describeRunData`, test videos from its
 * last metrics row). Lines it cannot read are left out: a hand-written workload file has none of these.
 */
export function describeWorkloadOrigin(workloadFile: string): string[] {
  const lines: string[] = [];
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(workloadFile, 'utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    return lines; // the cost model's own reader reports a damaged file
  }
  if (typeof stored.clips === 'number' && typeof stored.framesPerClip === 'number') {
    const of = [typeof stored.model === 'string' ? `model ${stored.model}` : '', typeof stored.epoch === 'number' ? `epoch ${stored.epoch}` : ''].filter(Boolean).join(', ');
    lines.push(`measured on ${stored.clips} test clips of ${stored.framesPerClip} frames${of === '' ? '' : ` (${of})`}`);
  }
  const runDir = path.dirname(workloadFile);
  if (fs.existsSync(path.join(runDir, 'config.json'))) {
    try {
      const config = resolveTrainConfig(readRunConfigFile(runDir) as unknown as TrainConfigInput);
      const metrics = readEpochMetrics(runDir);
      const testVideos = metrics[metrics.length - 1]?.testVideos;
      lines.push(describeRunData(config, typeof testVideos === 'number' ? testVideos : null));
    } catch {
      // A config.json this version cannot resolve: the workload still costs, without its data line.
    }
  }
  return lines;
}
