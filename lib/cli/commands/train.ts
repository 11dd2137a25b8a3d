/**
 * `delta-sparsity train`: train (or resume) one model from a configuration.
 *
 *   delta-sparsity train --run runs/baseline --preset quick
 *   delta-sparsity train --run runs/delta --set model.variant=delta --init-from runs/baseline
 *   delta-sparsity train --run runs/ucf --set data.source=ucf101 --set data.root=/data/UCF-101 --json
 */
import * as path from 'node:path';
import { Command } from 'commander';
import { describeMacGain, describeRunData, mergeConfig, resolveTrainConfig, train, trainPresets } from '../../train';
import { expectFolderOrNothing, invalidArgument } from '../../util';
import { collect, parseSetOverrides, readConfigFile, startBackend } from '../options';
import { type JsonOption, action, printJson, say, withJsonOption } from '../output';
import { TRAIN_FLAGS } from '../flagNames';

interface TrainCommandOptions extends JsonOption {
  run: string;
  preset: string;
  config?: string;
  set: string[];
  variant?: string;
  epochs?: string;
  initFrom?: string;
  backend?: string;
}

function percent(value: unknown): string {
  return typeof value === 'number' ? `${(100 * value).toFixed(1)}%` : '-';
}

export function registerTrainCommand(program: Command): void {
  withJsonOption(
    program
      .command('train')
      .description('train (or resume) a model; logs metrics per epoch and checkpoints into the run folder. Data: the synthetic set unless data.source says otherwise (study uses weizmann)')
      .requiredOption('--run <folder>', 'run folder (resumed when it holds a checkpoint of the same configuration)')
      .option('--preset <name>', `configuration preset: ${Object.keys(trainPresets).join(', ')}`, 'default')
      .option('--config <file>', 'JSON file with configuration overrides')
      .option('--set <key=value>', 'override one option, e.g. sparsity.threshold=0.2 (repeatable)', collect, [])
      .option('--variant <name>', 'model variant: baseline, delta or spatial-l1')
      .option('--epochs <n>', 'number of epochs')
      .option('--init-from <folder>', 'initialise from this run (refinement: baseline weights + delta layers)')
      .option('--backend <name>', 'tensorflow, wasm or cpu (default: the best available)'),
  ).action(
    action(async (options: TrainCommandOptions) => {
      expectFolderOrNothing(options.run, '--run');
      if (options.initFrom !== undefined) expectFolderOrNothing(options.initFrom, '--init-from');
      let config = mergeConfig(readConfigFile(options.config) as object, parseSetOverrides(options.set));
      if (options.variant !== undefined) config = mergeConfig(config, { model: { variant: options.variant } });
      if (options.epochs !== undefined) {
        const epochs = Number(options.epochs);
        if (!(Number.isInteger(epochs) && epochs > 0)) throw invalidArgument('--epochs', 'a positive integer', options.epochs);
        config = mergeConfig(config, { epochs });
      }
      // Absolute, so that `runs/b` and `./runs/b` are one configuration (config.json stores it relative to the run folder).
      if (options.initFrom !== undefined) config = mergeConfig(config, { initFrom: path.resolve(options.initFrom) });
      // Checked before the backend starts: a bad option is reported at once.
      resolveTrainConfig(config, options.preset);
      await startBackend(options.backend, false);
      const result = await train({ runDir: options.run, preset: options.preset, config, progress: options.json ? 'lines' : 'auto' });
      result.model.dispose();
      const last = result.metrics[result.metrics.length - 1];
      say(options, `run ${result.runDir}: ${result.metrics.length} epochs (resumed after ${result.resumedFromEpoch})`);
      say(options, describeRunData(result.config, typeof last?.testVideos === 'number' ? last.testVideos : null));
      say(
        options,
        `test clip accuracy ${percent(last?.testClipAccuracy)}, video accuracy ${percent(last?.testVideoAccuracy)}; ` +
          `spatial density ${percent(result.sparsity.overall.spatialDensity)}, temporal density ${percent(result.sparsity.overall.temporalDensity)}; ` +
          describeMacGain(result.sparsity.overall, result.config.model.variant),
      );
      say(options, 'layer                 spatial density  temporal density  delta MACs/frame, steady state');
      for (const layer of result.sparsity.layers) {
        say(options, `${layer.name.padEnd(20)} ${percent(layer.spatialDensity).padStart(16)} ${percent(layer.temporalDensity).padStart(17)} ${Math.round(layer.deltaMacsPerFrame).toString().padStart(17)}`);
      }
      printJson(options, { runDir: result.runDir, config: result.config, resumedFromEpoch: result.resumedFromEpoch, metrics: result.metrics, sparsity: result.sparsity });
    }, TRAIN_FLAGS),
  );
}
