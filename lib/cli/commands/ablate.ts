/**
 * `delta-sparsity ablate`: threshold / λ sweeps, resumable (finished points are read from the store).
 *
 *   delta-sparsity ablate --source runs/delta --thresholds 0.05,0.1,0.2,0.4 --store runs/ablation.jsonl
 *   delta-sparsity ablate --baseline runs/baseline --runs-root runs/sweep --thresholds 0.05,0.1,0.2 \
 *       --lambdas 1e-4,1e-3 --variants delta,spatial-l1 --set epochs=3 --store runs/sweep.jsonl
 *   delta-sparsity ablate --baseline runs/baseline --thresholds 0.05,0.1 --lambdas 0.01,0.03 \
 *       --store runs/sweep.jsonl --queue redis://:PASSWORD@lab-server:6379/0   # run by `delta-sparsity worker`s
 */
import { Command } from 'commander';
import { ablationRows, fixedThresholdSweep, openAblationStore, trainingSweep } from '../../ablation';
import { DeltaSparsityError, expectFileOrNothing, expectFolderOrNothing, invalidArgument, type ProgressMode } from '../../util';
import { collect, parseNumberList, parseSetOverrides, startBackend } from '../options';
import { type JsonOption, action, printJson, say, withJsonOption } from '../output';
import { queuedTrainingSweep } from '../../queue';
import { queueConnectionOption } from './worker';
import { formatTable, tableText } from '../../viz';
import { ABLATE_FLAGS } from '../flagNames';

interface AblateOptions extends JsonOption {
  source?: string;
  baseline?: string;
  runsRoot?: string;
  thresholds: string;
  lambdas?: string;
  variants?: string;
  store: string;
  set: string[];
  backend?: string;
  queue?: string;
}

export function registerAblateCommand(program: Command): void {
  withJsonOption(
    program
      .command('ablate')
      .description('sweep thresholds (and λ, variants): fixed q on a trained delta run (--source), or refinements from a baseline (--baseline)')
      .option('--source <run>', 'trained delta run: evaluate it with every delta layer\'s q fixed to each threshold')
      .option('--baseline <run>', 'trained baseline run: refine from it once per (variant, initial threshold, λ)')
      .option('--runs-root <folder>', 'with --baseline: folder for the refinement runs')
      .requiredOption('--thresholds <list>', 'comma-separated q values, e.g. 0.05,0.1,0.2,0.4')
      .option('--lambdas <list>', 'with --baseline: comma-separated λ values')
      .option('--variants <list>', 'with --baseline: delta and/or spatial-l1 (default delta)')
      .requiredOption('--store <file>', 'JSONL results store (finished points are skipped on rerun)')
      .option('--set <key=value>', 'with --baseline: override a refinement option, e.g. epochs=3 (repeatable)', collect, [])
      .option('--backend <name>', 'tensorflow, wasm or cpu')
      .option('--queue <url>', 'with --baseline: run the refinements on `delta-sparsity worker`s through this Redis (redis://[:password@]host[:port][/db], rediss:// for TLS)'),
  ).action(
    action(async (options: AblateOptions) => {
      if ((options.source === undefined) === (options.baseline === undefined)) {
        throw new DeltaSparsityError('ablate: give exactly one of --source <delta run> or --baseline <baseline run>');
      }
      // Every option is checked before any work starts (and before the backend prints its banner).
      const connection = options.queue === undefined ? undefined : queueConnectionOption(options.queue);
      if (connection !== undefined && options.source !== undefined) {
        throw invalidArgument('--queue', 'no value with --source (fixed-threshold points take seconds; the queue runs --baseline refinements)', connection.redacted);
      }
      const thresholds = parseNumberList('--thresholds', options.thresholds);
      if (options.source !== undefined) {
        // These shape refinements only: silently ignoring them would report a sweep the user did not ask for.
        const refinementOnly = { '--lambdas': options.lambdas, '--runs-root': options.runsRoot, '--set': options.set.length > 0 ? options.set.join(' ') : undefined };
        for (const [name, value] of Object.entries(refinementOnly)) {
          if (value !== undefined) throw invalidArgument(name, 'no value with --source (it applies to --baseline refinements only)', value);
        }
        if (options.variants !== undefined && options.variants !== 'delta') {
          throw invalidArgument('--variants', 'delta (the only variant --source evaluates) or nothing', options.variants);
        }
        expectFolderOrNothing(options.source, '--source');
      } else {
        expectFolderOrNothing(options.baseline as string, '--baseline');
        if (options.runsRoot !== undefined) expectFolderOrNothing(options.runsRoot, '--runs-root');
        if (options.lambdas !== undefined) parseNumberList('--lambdas', options.lambdas);
        parseSetOverrides(options.set);
      }
      expectFileOrNothing(options.store, '--store');
      openAblationStore(options.store); // a damaged store is reported now, not after the first point
      await startBackend(options.backend, false);
      const progress: ProgressMode = options.json ? 'lines' : 'auto';
      let outcome;
      let collected: number | undefined;
      let failed: { key: string; config: { variant: string; threshold: number; sparsityWeight: number }; error: string; attempts: number }[] = [];
      if (options.source !== undefined) {
        outcome = await fixedThresholdSweep({ sourceRunDir: options.source, thresholds, storeFile: options.store, progress });
      } else {
        const variants = (options.variants ?? 'delta').split(',').map((v) => v.trim());
        for (const variant of variants) {
          if (variant !== 'delta' && variant !== 'spatial-l1') throw invalidArgument('--variants', 'delta and/or spatial-l1', variant);
        }
        const sweep = {
          baselineRunDir: options.baseline as string,
          storeFile: options.store,
          thresholds,
          sparsityWeights: options.lambdas ? parseNumberList('--lambdas', options.lambdas) : undefined,
          variants: variants as ('delta' | 'spatial-l1')[],
          config: parseSetOverrides(options.set),
          progress,
        };
        if (connection !== undefined) {
          const queued = await queuedTrainingSweep({ ...sweep, connection, runsRoot: options.runsRoot });
          failed = queued.failed;
          collected = queued.collected;
          say(options, `queue ${connection.redacted}: ${queued.enqueued} job(s) enqueued by this run`);
          outcome = queued;
        } else {
          if (options.runsRoot === undefined) throw invalidArgument('--runs-root', 'a folder for the refinement runs (with --baseline)', undefined);
          outcome = await trainingSweep({ ...sweep, runsRoot: options.runsRoot });
        }
      }
      const rows = ablationRows(outcome.records);
      say(
        options,
        collected !== undefined
          ? `${outcome.ran - collected} point(s) computed by workers during this run, ${collected} collected from the queue (finished before it), ${outcome.reused} reused from ${options.store}`
          : `${outcome.ran} point(s) computed, ${outcome.reused} reused from ${options.store}`,
      );
      const columns = ['mode', 'variant', 'threshold', 'sparsityWeight', 'testClipAccuracy', 'testVideoAccuracy', 'spatialDensity', 'temporalDensity', 'deltaMacDensity'];
      // Labelled as in the notebooks and the report: accuracies in %, q and λ as given, densities in [0, 1].
      const shown = columns.filter((column) => rows.some((row) => column in row));
      if (rows.length > 0) say(options, tableText(formatTable(rows, { columns: shown })));
      for (const point of failed) {
        process.stderr.write(`failed: ${point.config.variant} q=${point.config.threshold} λ=${point.config.sparsityWeight} (key ${point.key}) after ${point.attempts} attempt(s): ${point.error}\n`);
      }
      if (failed.length > 0) {
        process.stderr.write(`error: ${failed.length} point(s) failed; rerun the same command to retry them\n`);
        process.exitCode = 1;
      }
      printJson(options, { store: options.store, ran: outcome.ran, reused: outcome.reused, rows, ...(connection ? { failed } : {}) });
    }, ABLATE_FLAGS),
  );
}
