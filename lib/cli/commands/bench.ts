/**
 * `delta-sparsity bench`: training and inference throughput (frames/s, GFLOP/s) of the reference per-frame
 * CNN on each available backend, measured in one process.
 *
 *   delta-sparsity bench                       # every available backend
 *   delta-sparsity bench --backend wasm --backend cpu --json
 *   delta-sparsity bench --quick --json        # tiny settings (a smoke test, not a measurement)
 *   delta-sparsity bench --train-video [--json] # the study's video model, baseline and delta, vs PyTorch
 */
import { Command } from 'commander';
import { collect } from '../options';
import { JsonOption, action, printJson, say, withJsonOption } from '../output';
import { invalidArgument, requireOneOf } from '../../util';
import { BACKEND_NAMES, BackendName } from '../../backend';
import { BenchArgs, benchTrainVideo, formatBench, formatStreamingBench, runBench, runStreamingBench, TrainVideoResult } from '../../bench';

interface BenchOptions extends JsonOption {
  /** Backends to measure (repeatable). Default: every available one. */
  backend: string[];
  /** Timed repeats (median reported). Default 5. */
  repeats?: string;
  /** Untimed warm-up steps. Default 1. */
  warmup?: string;
  /** Batch size. Default 32. */
  batchSize?: string;
  /** Batch size on cpu. Default 4. */
  cpuBatchSize?: string;
  /** Input frame size. Default 64. */
  inputSize?: string;
  /** Tiny settings for smoke tests: 1 repeat, no warm-up, batch 4 (cpu 2), 16x16 input. */
  quick?: boolean;
  /** Benchmark streaming inference (sparse delta engine vs dense tfjs) instead. */
  streaming?: boolean;
  /** With --streaming: a trained run folder whose model to use. */
  run?: string;
  /** With --streaming: frames per clip. Default 64. */
  frames?: string;
  /** With --streaming: the sparse engine's loops, 'wasm' (default) or 'typescript'. */
  loops?: string;
  /** Benchmark the study's video model training (baseline, delta) instead, against PyTorch when present. */
  trainVideo?: boolean;
  /** --train-video: alternating rounds. Default 5. */
  rounds?: string;
  /** --train-video: false with --no-pytorch. */
  pytorch?: boolean;
}

function formatTrainVideo(result: TrainVideoResult): string {
  const lines = [
    `study model: ${result.model.description}; clips [${result.model.inputShape.join(', ')}], batch ${result.model.batchSize}`,
    `ours: backend ${result.backend}${result.wasmThreads !== undefined ? `, ${result.wasmThreads} wasm thread(s)` : ''}; ` +
      (result.pytorch.available
        ? `PyTorch ${result.pytorch.version}, ${result.pytorch.threads} thread(s), interleaved rounds, medians`
        : `PyTorch not run: ${result.pytorch.reason}`),
    'variant    clips/s  PyTorch clips/s  ratio',
  ];
  for (const [variant, r] of Object.entries(result.trainVideo)) {
    lines.push(
      `${variant.padEnd(9)} ${r.clipsPerSec.toFixed(1).padStart(8)} ${(r.pytorchClipsPerSec?.toFixed(1) ?? '-').padStart(16)} ` +
        `${(r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '-').padStart(6)}`,
    );
  }
  return lines.join('\n');
}


function parseInteger(argument: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(value) || value < min) {
    throw invalidArgument(argument, `an integer >= ${min}`, text);
  }
  return value;
}

function parseBackends(names: string[]): BackendName[] | undefined {
  if (names.length === 0) return undefined;
  return names.map((name) => {
    if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
      throw invalidArgument('--backend', `one of ${BACKEND_NAMES.map((n) => JSON.stringify(n)).join(', ')}`, name);
    }
    return name as BackendName;
  });
}

export function registerBenchCommand(program: Command): void {
  withJsonOption(
    program
      .command('bench')
      .description('measure training and inference frames/s of the reference CNN on each available backend')
      .option('--backend <name>', `backend to measure, repeatable (${BACKEND_NAMES.join(', ')}); default: all available`, collect, [])
      .option('--repeats <n>', 'timed repeats per measurement, the median is reported (default 5)')
      .option('--warmup <n>', 'untimed warm-up steps (default 1)')
      .option('--batch-size <n>', 'frames per batch (default 32)')
      .option('--cpu-batch-size <n>', 'frames per batch on the slow cpu backend (default 4)')
      .option('--input-size <n>', 'input frame height and width (default 64)')
      .option('--quick', 'tiny settings for smoke tests (1 repeat, batch 4, 16x16 input): not a measurement', false)
      .option('--streaming', 'ms per frame of the sparse delta engine vs dense tfjs inference, on clips of different density', false)
      .option('--run <dir>', 'with --streaming: trained run folder (default: the study delta run if trained, else untrained weights)')
      .option('--frames <n>', 'with --streaming: frames per clip (default 64)')
      .option('--loops <name>', "with --streaming: the sparse engine's loops, wasm (SIMD, default) or typescript")
      .option('--train-video', "train the study's video model (baseline, delta; clips [8,32,32,3], batch 16) and compare with PyTorch", false)
      .option('--rounds <n>', '--train-video: alternating rounds of ours and PyTorch (default 5)')
      .option('--no-pytorch', '--train-video: do not run the PyTorch comparison'),
  ).action(
    action(async (options: BenchOptions) => {
      if (options.streaming) {
        const result = await runStreamingBench({
          run: options.run,
          backend: parseBackends(options.backend)?.[0],
          repeats: parseInteger('--repeats', options.repeats, 1) ?? (options.quick ? 1 : undefined),
          frames: parseInteger('--frames', options.frames, 2) ?? (options.quick ? 8 : undefined),
          loops: options.loops === undefined ? undefined : requireOneOf('--loops', options.loops, ['wasm', 'typescript'] as const),
          quiet: Boolean(options.json),
        });
        say(options, formatStreamingBench(result));
        printJson(options, result);
        return;
      }
      if (options.trainVideo) {
        const backends = parseBackends(options.backend);
        if (backends !== undefined && backends.length > 1) throw invalidArgument('--backend', 'one backend with --train-video', backends.join(', '));
        const result = await benchTrainVideo({
          backend: backends?.[0],
          rounds: parseInteger('--rounds', options.rounds, 1),
          batchSize: parseInteger('--batch-size', options.batchSize, 1),
          warmup: parseInteger('--warmup', options.warmup, 0),
          stepsPerRound: options.quick ? 1 : undefined,
          noPytorch: options.pytorch === false,
          quiet: Boolean(options.json),
        });
        say(options, formatTrainVideo(result));
        printJson(options, result);
        return;
      }
      const quick: BenchArgs = options.quick
        ? { repeats: 1, warmup: 0, batchSize: 4, cpuBatchSize: 2, inputSize: 16 }
        : {};
      const args: BenchArgs = {
        ...quick,
        backends: parseBackends(options.backend),
        quiet: Boolean(options.json),
      };
      const overrides: [keyof BenchArgs, string, string | undefined, number][] = [
        ['repeats', '--repeats', options.repeats, 1],
        ['warmup', '--warmup', options.warmup, 0],
        ['batchSize', '--batch-size', options.batchSize, 1],
        ['cpuBatchSize', '--cpu-batch-size', options.cpuBatchSize, 1],
        ['inputSize', '--input-size', options.inputSize, 4],
      ];
      for (const [key, flag, text, min] of overrides) {
        const value = parseInteger(flag, text, min);
        if (value !== undefined) (args as Record<string, unknown>)[key] = value;
      }
      const result = await runBench(args);
      say(options, formatBench(result));
      printJson(options, result);
    }),
  );
}
