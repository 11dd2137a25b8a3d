/**
 * `delta-sparsity study`: the main job (what `npm start` runs). Trains a baseline on the embedded synthetic
 * set (or a UCF101 subset), refines delta and spatial-L1 models from it, sweeps thresholds, estimates
 * hardware cost, and writes a report folder ending with the path of its HTML page.
 *
 *   delta-sparsity study                       # reports/study/report.html
 *   delta-sparsity study --fast --json         # seconds: CI smoke run
 *   delta-sparsity study --ucf101 /data/UCF-101 --classes 5 --videos-per-class 20
 */
import { Command } from 'commander';
import { checkStudyOptions, runStudy, type StudyOptions } from '../../study';
import { invalidArgument } from '../../util/errors';
import { parseNumberList, startBackend } from '../options';
import { type JsonOption, action, printJson, say, withJsonOption } from '../output';

interface StudyCommandOptions extends JsonOption {
  out: string;
  fast?: boolean;
  ucf101?: string;
  classes?: string;
  videosPerClass?: string;
  hardware?: string;
  thresholds?: string;
  backend?: string;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

export function registerStudyCommand(program: Command): void {
  withJsonOption(
    program
      .command('study')
      .description('the main job: baseline, delta and spatial-L1 models, per-layer sparsity, threshold ablation, hardware cost, HTML report')
      .option('--out <folder>', 'report folder (runs are cached under <folder>/runs/<data source>/<fast|full>)', 'reports/study')
      .option('--fast', 'tiny settings that run in seconds (CI)')
      .option('--ucf101 <folder>', 'use this UCF101 folder instead of the embedded synthetic set (default: $UCF101_ROOT if set)')
      .option('--classes <list|n>', 'UCF101 classes: comma-separated names or the first N', '5')
      .option('--videos-per-class <n>', 'UCF101 training videos per class')
      .option('--hardware <preset|file>', 'hardware for the cost estimate', 'eyeriss-v2-like')
      .option('--thresholds <list>', 'fixed-threshold ablation q values', '0.025,0.05,0.1,0.2,0.4')
      .option('--backend <name>', 'tensorflow, wasm or cpu'),
  ).action(
    action(async (options: StudyCommandOptions) => {
      const classes = options.classes ?? '5';
      const videosPerClass = options.videosPerClass === undefined ? undefined : Number(options.videosPerClass);
      if (videosPerClass !== undefined && !(Number.isInteger(videosPerClass) && videosPerClass > 0)) {
        throw invalidArgument('--videos-per-class', 'a positive integer', options.videosPerClass);
      }
      const studyOptions: StudyOptions = {
        out: options.out,
        fast: options.fast ?? process.env.DELTA_FAST === '1',
        ucf101Root: options.ucf101 ?? (process.env.UCF101_ROOT || undefined),
        ucf101Classes: /^\d+$/.test(classes) ? Number(classes) : classes.split(',').map((name) => name.trim()),
        ucf101VideosPerClass: videosPerClass,
        hardware: options.hardware,
        thresholds: options.thresholds ? parseNumberList('--thresholds', options.thresholds) : undefined,
        progress: options.json ? 'lines' : 'auto',
      };
      // Every option is checked before the backend starts and long before the first epoch.
      checkStudyOptions(studyOptions);
      await startBackend(options.backend, false);
      const result = await runStudy(studyOptions);
      say(options, `dataset ${result.dataset.name}: ${result.dataset.classes.length} classes, ${result.dataset.trainClips} train / ${result.dataset.testClips} test clips`);
      say(options, 'model         clip acc  video acc  spatial dens  temporal dens  delta op dens');
      for (const m of result.models) {
        say(options, `${m.model.padEnd(12)} ${percent(m.testClipAccuracy).padStart(9)} ${percent(m.testVideoAccuracy).padStart(10)} ${percent(m.spatialDensity).padStart(13)} ${percent(m.temporalDensity).padStart(14)} ${percent(m.deltaOpDensity).padStart(14)}`);
      }
      say(options, `delta model vs baseline on a zero-skipping accelerator: ${result.deltaGainOverBaselineZeroSkipping.toFixed(2)}x fewer MACs`);
      say(options, `cross-over temporal density on ${result.hardware}: ${percent(result.crossoverTemporalDensity.vsDense)} vs dense, ${percent(result.crossoverTemporalDensity.vsZeroSkipping)} vs zero-skipping`);
      say(options, `report: ${result.reportHtml}`);
      printJson(options, result);
    }),
  );
}
