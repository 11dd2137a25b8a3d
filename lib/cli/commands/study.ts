/**
 * `delta-sparsity study`: the main job (what `npm start` runs). Trains a baseline on the embedded Weizmann
 * footage (6 people train, 3 test), refines delta and spatial-L1 models from it, sweeps thresholds, estimates
 * hardware cost, and writes a report folder ending with the path of its HTML page. `--protocol lopo` runs every
 * leave-one-person-out fold instead and reports mean ± std.
 *
 *   delta-sparsity study                                  # reports/study/report.html
 *   delta-sparsity study --fast --json                    # seconds: CI smoke run
 *   delta-sparsity study --protocol lopo --seeds 3        # reports/study-lopo/report.html
 *   delta-sparsity study --protocol lopo --queue redis://:PASSWORD@lab-server:6379/0   # folds run by `delta-sparsity worker`s
 *   delta-sparsity study --data synthetic                 # the embedded synthetic set
 *   delta-sparsity study --ucf101 /data/UCF-101 --classes 5 --videos-per-class 20
 *   delta-sparsity study --folder ~/kth --subject '^person(\d+)_' --test-subjects 22,23,24
 */
import { Command } from 'commander';
import { checkStudyOptions, runLopoStudy, runStudy, STUDY_DATA, type ModelSummary, type StudyData, type StudyOptions } from '../../study';
import { crossoverText } from '../../hardware';
import { invalidArgument } from '../../util';
import { parseNumberList, startBackend } from '../options';
import { type JsonOption, action, printJson, say, withJsonOption } from '../output';
import { queuedLopoStudy } from '../../queue';
import { queueConnectionOption } from './worker';
import { STUDY_FLAGS } from '../flagNames';

interface StudyCommandOptions extends JsonOption {
  out?: string;
  fast?: boolean;
  data?: string;
  ucf101?: string;
  classes?: string;
  videosPerClass?: string;
  folder?: string;
  subject?: string;
  testSubjects?: string;
  protocol?: string;
  seeds?: string;
  hardware?: string;
  thresholds?: string;
  backend?: string;
  queue?: string;
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

function positiveInteger(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw invalidArgument(option, 'a positive integer', text);
  return value;
}

/** The study options a command line describes (validated; nothing runs). */
export function studyOptionsFromCommand(options: StudyCommandOptions): StudyOptions {
  if (options.data !== undefined && !(STUDY_DATA as readonly string[]).includes(options.data)) {
    throw invalidArgument('--data', STUDY_DATA.join(', '), options.data);
  }
  if (options.protocol !== undefined && options.protocol !== 'split' && options.protocol !== 'lopo') {
    throw invalidArgument('--protocol', 'split or lopo', options.protocol);
  }
  const classes = options.classes;
  const ucf101Root = options.ucf101 ?? (options.data === undefined || options.data === 'ucf101' ? process.env.UCF101_ROOT || undefined : undefined);
  return {
    out: options.out,
    fast: options.fast ?? process.env.DELTA_FAST === '1',
    data: options.data as StudyData | undefined,
    ucf101Root,
    ucf101Classes: classes === undefined ? undefined : /^\d+$/.test(classes) ? Number(classes) : classes.split(',').map((name) => name.trim()),
    ucf101VideosPerClass: positiveInteger('--videos-per-class', options.videosPerClass),
    folderRoot: options.folder,
    subjectPattern: options.subject,
    testSubjects: options.testSubjects?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    protocol: options.protocol as 'split' | 'lopo' | undefined,
    seeds: positiveInteger('--seeds', options.seeds),
    hardware: options.hardware,
    thresholds: options.thresholds ? parseNumberList('--thresholds', options.thresholds) : undefined,
    progress: options.json ? 'lines' : 'auto',
  };
}

function modelLine(m: ModelSummary): string {
  const verdict = m.aboveChance ? 'yes' : 'NO';
  return (
    `${m.name.padEnd(11)} ${`${percent(m.testVideoAccuracy)} of ${m.testVideos}`.padStart(13)} ${verdict.padStart(6)} ` +
    `${percent(m.temporalDensity).padStart(9)} ${Math.round(m.macsPerFrame.zeroSkipping).toString().padStart(10)} ` +
    `${Math.round(m.macsPerFrame.firstFrameIncluded).toString().padStart(12)} ${Math.round(m.macsPerFrame.steadyState).toString().padStart(10)}`
  );
}

export function registerStudyCommand(program: Command): void {
  withJsonOption(
    program
      .command('study')
      .description('the main job: baseline, delta and spatial-L1 models on real footage (Weizmann), per-layer sparsity, threshold ablation, hardware cost, HTML report')
      .option('--out <folder>', 'report folder (runs are cached under <folder>/runs)', undefined)
      .option('--fast', 'tiny settings that run in seconds (CI)')
      .option('--data <source>', `clips: ${STUDY_DATA.join(', ')} (default weizmann; ucf101 with --ucf101 or $UCF101_ROOT; folder with --folder)`)
      .option('--ucf101 <folder>', 'a UCF101 folder (default: $UCF101_ROOT if set and --data is not given)')
      .option('--classes <list|n>', 'UCF101 classes: comma-separated names or the first N (default 5)')
      .option('--videos-per-class <n>', 'UCF101 training videos per class')
      .option('--folder <root>', 'any folder of labelled videos <root>/<class>/<video>')
      .option('--subject <regex>', "regex with one capture group: a video's subject from its file name (with --folder)")
      .option('--test-subjects <list>', 'subjects held out for testing (comma-separated; default: the fixed split)')
      .option('--protocol <split|lopo>', 'one fixed split, or every leave-one-subject-out fold', 'split')
      .option('--seeds <n>', 'training seeds per split or fold (default 3; 1 for a --fast fixed split)')
      .option('--hardware <preset|file>', 'hardware for the cost estimate', 'eyeriss-v2-like')
      .option('--thresholds <list>', 'fixed-threshold ablation q values', '0.025,0.05,0.1,0.2,0.4')
      .option('--backend <name>', 'tensorflow, wasm or cpu')
      .option('--queue <url>', 'with --protocol lopo: run the fold x seed runs on `delta-sparsity worker`s through this Redis (redis://[:password@]host[:port][/db], rediss:// for TLS)'),
  ).action(
    action(async (options: StudyCommandOptions) => {
      const study = studyOptionsFromCommand(options);
      const connection = options.queue === undefined ? undefined : queueConnectionOption(options.queue);
      if (connection !== undefined && study.protocol !== 'lopo') throw invalidArgument('--queue', 'no value without --protocol lopo (the queue runs leave-one-subject-out folds)', connection.redacted);
      // Every option is checked before the backend starts and long before the first epoch.
      checkStudyOptions(study);
      await startBackend(options.backend, false);
      const header = `model        video acc (n)  >chance  temp dens  zs MACs/f  Δ MACs/f(T)  Δ MACs/f(∞)`;
      if (study.protocol === 'lopo') {
        let result;
        if (connection !== undefined) {
          const queued = await queuedLopoStudy({ ...study, connection });
          say(options, `queue ${connection.redacted}: ${queued.enqueued} job(s) enqueued by this run${queued.collected > 0 ? `, ${queued.collected} fold run(s) collected that finished before it` : ''}`);
          if (!('aggregate' in queued)) {
            for (const point of queued.failed) {
              process.stderr.write(`failed: fold ${point.config.fold} seed ${point.config.seed} (key ${point.key}) after ${point.attempts} attempt(s): ${point.error}\n`);
            }
            process.stderr.write(`error: ${queued.failed.length} fold run(s) failed; rerun the same command to retry them (finished runs are kept)\n`);
            printJson(options, { failed: queued.failed });
            process.exitCode = 1;
            return;
          }
          result = queued;
        } else {
          result = await runLopoStudy(study);
        }
        say(options, `dataset ${result.dataset.name}: ${result.dataset.split}; ${result.dataset.classes.length} classes; clips of ${result.dataset.clipLength} frames at ${result.dataset.size}px; seeds ${result.dataset.seeds.join(',')}`);
        for (const a of result.aggregate) {
          say(options, `${a.name.padEnd(11)} test video accuracy ${(100 * a.testVideoAccuracy.mean).toFixed(1)} ± ${(100 * a.testVideoAccuracy.std).toFixed(1)}% over ${a.runs} runs (${a.runsAboveChance} above chance), temporal density ${(100 * a.temporalDensity.mean).toFixed(1)}%`);
        }
        const gain = result.deltaGainOverBaselineZeroSkipping;
        say(options, gain
          ? `delta model vs baseline zero-skipping: ${gain.firstFrameIncluded.mean.toFixed(2)} ± ${gain.firstFrameIncluded.std.toFixed(2)}x fewer MACs per frame (${result.dataset.clipLength}-frame clips, first frame whole); ${gain.steadyState.mean.toFixed(2)}x in steady state`
          : 'no headline gain: no run had both models above chance');
        const accuracy = result.headlineAccuracy;
        if (accuracy) say(options, `over the same ${accuracy.baseline.n} runs: test video accuracy baseline ${(100 * accuracy.baseline.mean).toFixed(1)}%, delta ${(100 * accuracy.delta.mean).toFixed(1)}% (baseline − delta ${(100 * accuracy.baselineMinusDelta.mean).toFixed(1)} ± ${(100 * accuracy.baselineMinusDelta.std).toFixed(1)} points)`);
        for (const line of result.headlineWithheld) say(options, `left out of the headline: ${line}`);
        say(options, `report: ${result.reportHtml}`);
        printJson(options, result);
        return;
      }
      const result = await runStudy(study);
      const d = result.dataset;
      say(options, `dataset ${d.name}: ${d.split}; ${d.classes.length} classes; ${d.trainClips} train clips/epoch, ${d.testClips} test clips from ${d.testVideos} test videos; clips of ${d.clipLength} frames at ${d.size}px; seed ${d.seeds.join(',')}`);
      // A recap after the long run (each one's reason was printed when the data was read, and is in summary.json).
      if (d.skippedVideos.length > 0) say(options, `${d.skippedVideos.length} video(s) skipped: ${d.skippedVideos.map((v) => v.video).join(', ')}`);
      if (d.seeds.length > 1) say(options, `seed ${d.seeds[0]} (its models feed the ablation, the cost estimate and the report's figures):`);
      say(options, header);
      for (const m of result.models) say(options, modelLine(m));
      say(options, `(T: per frame of ${d.clipLength}-frame clips, first frame processed whole; ∞: steady state, changes only; chance = ${percent(result.models[0]?.chance.chanceAccuracy ?? 1 / d.classes.length)}, the best constant predictor's accuracy, one-sided binomial test at 5%)`);
      const gain = result.deltaGainOverBaselineZeroSkipping;
      say(options, gain
        ? `delta model vs baseline on a zero-skipping accelerator: ${gain.firstFrameIncluded.toFixed(2)}x fewer MACs per frame (${d.clipLength}-frame clips, first frame whole); ${gain.steadyState.toFixed(2)}x in steady state`
        : `no headline gain: ${result.headlineWithheld}`);
      if (d.seeds.length > 1) {
        // The table above is seed 1's (the ablation, cost and figures use it); these lines are what the seeds say together.
        say(options, `over seeds ${d.seeds.join(', ')} (mean ± std):`);
        for (const a of result.aggregate) {
          say(options, `  ${a.name.padEnd(11)} test video accuracy ${(100 * a.testVideoAccuracy.mean).toFixed(1)} ± ${(100 * a.testVideoAccuracy.std).toFixed(1)}% (${a.runsAboveChance} of ${a.runs} runs above chance), temporal density ${(100 * a.temporalDensity.mean).toFixed(1)} ± ${(100 * a.temporalDensity.std).toFixed(1)}%`);
        }
        const overSeeds = result.deltaGainOverSeeds;
        say(options, overSeeds.gain
          ? `  delta model vs baseline zero-skipping: ${overSeeds.gain.firstFrameIncluded.mean.toFixed(2)} ± ${overSeeds.gain.firstFrameIncluded.std.toFixed(2)}x fewer MACs per frame over ${overSeeds.gain.firstFrameIncluded.n} seed(s) (first frame whole); ${overSeeds.gain.steadyState.mean.toFixed(2)} ± ${overSeeds.gain.steadyState.std.toFixed(2)}x in steady state`
          : '  no headline gain over the seeds: no seed had both models above chance');
        for (const line of overSeeds.withheld) say(options, `  left out: ${line}`);
      }
      say(options, `delta execution costs less on ${result.hardware} than dense execution ${crossoverText(result.crossoverTemporalDensity.vsDense)}, than zero-skipping ${crossoverText(result.crossoverTemporalDensity.vsZeroSkipping)} (cross-over temporal densities)`);
      say(options, `report: ${result.reportHtml}`);
      printJson(options, result);
    }, STUDY_FLAGS),
  );
}
