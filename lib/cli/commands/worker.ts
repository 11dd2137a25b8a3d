/**
 * `delta-sparsity worker`: takes sweep jobs (ablation refinements, leave-one-subject-out folds) from a Redis
 * queue and runs them, on any number of machines. Runs until interrupted: Ctrl-C finishes the running job
 * first, a second Ctrl-C or a SIGTERM abandons it (another worker then takes it over) and exits within seconds,
 * even while Redis is unreachable (exit code 130 and 143).
 *
 *   delta-sparsity worker --queue redis://:PASSWORD@lab-server:6379/0 --data-root ~/datasets/UCF-101
 *   DELTA_QUEUE_PASSWORD=... delta-sparsity worker --queue rediss://lab-server:6380 --concurrency 1
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { DATA_ROOT_ENV, parseQueueUrl, redactUrl, startQueueWorker, type QueueConnection, type WorkerJobReport } from '../../queue';
import { expectFolderOrNothing, invalidArgument } from '../../util';
import { startBackend } from '../options';
import { action } from '../output';

interface WorkerCommandOptions {
  queue: string;
  concurrency: string;
  dataRoot?: string;
  workDir?: string;
  lockSeconds: string;
  backend?: string;
  json?: boolean;
}

/**
 * Parses a `--queue` URL and removes its password from `process.argv`, which lock files and error reports
 * copy (the password stays visible in the process list: use DELTA_QUEUE_PASSWORD to avoid that).
 */
export function queueConnectionOption(text: string): QueueConnection {
  const connection = parseQueueUrl(text);
  const redacted = redactUrl(text);
  for (let index = 0; index < process.argv.length; index++) {
    const argument = process.argv[index];
    if (argument === text) process.argv[index] = redacted;
    else if (argument === `--queue=${text}`) process.argv[index] = `--queue=${redacted}`;
  }
  return connection;
}

function positiveNumber(option: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value)))) throw invalidArgument(option, integer ? 'a positive integer' : 'a positive number', text);
  return value;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('take sweep jobs (ablate --queue, study --protocol lopo --queue) from a Redis queue and run them')
    .requiredOption('--queue <url>', 'redis://[:password@]host[:port][/db] or rediss:// (TLS); password also from $DELTA_QUEUE_PASSWORD')
    .option('--concurrency <n>', 'jobs run at once by this process', '1')
    .option('--data-root <folder>', `where this machine keeps the dataset (default $${DATA_ROOT_ENV}, else the path in the job)`)
    .option('--work-dir <folder>', 'run folders and fetched baselines (default <tmp>/delta-sparsity-worker)')
    .option('--lock-seconds <s>', 'a killed worker\'s job is retried elsewhere after about twice this', '30')
    .option('--backend <name>', 'tensorflow, wasm or cpu')
    .option('--json', 'a JSON line on stdout per finished or failed job attempt, and {"event":"summary",...} at exit (a stream, as the worker runs until stopped)', false)
    .action(
      action(async (options: WorkerCommandOptions) => {
        const connection = queueConnectionOption(options.queue);
        const concurrency = positiveNumber('--concurrency', options.concurrency, true);
        const lockSeconds = positiveNumber('--lock-seconds', options.lockSeconds, false);
        const dataRoot = options.dataRoot ?? (process.env[DATA_ROOT_ENV] || undefined);
        if (dataRoot !== undefined) expectFolderOrNothing(dataRoot, '--data-root');
        const workDir = path.resolve(options.workDir ?? path.join(os.tmpdir(), 'delta-sparsity-worker'));
        expectFolderOrNothing(workDir, '--work-dir');
        await startBackend(options.backend, false);
        const counts = { done: 0, failed: 0 };
        const onJob = (report: WorkerJobReport) => {
          counts[report.status] += 1;
          if (options.json) process.stdout.write(`${JSON.stringify({ event: 'job', ...report })}\n`);
        };
        const worker = await startQueueWorker({ connection, concurrency, dataRoot: dataRoot && path.resolve(dataRoot), workDir, lockSeconds, onJob });
        // First Ctrl-C: finish the running job, then exit. A second Ctrl-C, or SIGTERM (what `kill` and service
        // managers send): abandon it and exit within seconds, even while Redis is unreachable.
        const exitCode = await new Promise<number>((resolve) => {
          let stopping = false;
          const stopNow = (code: number) => {
            process.stderr.write('worker: stopping now; the running job (if any) will be retried by another worker\n');
            void worker.close(true).then(() => resolve(code));
          };
          process.on('SIGINT', () => {
            if (stopping) return stopNow(130);
            stopping = true;
            process.stderr.write('worker: finishing the running job, then stopping (interrupt again to stop now)\n');
            void worker.close(false).then(() => resolve(0));
          });
          process.on('SIGTERM', () => stopNow(143));
        });
        process.stderr.write(`worker: stopped after ${counts.done} job attempt(s) done, ${counts.failed} failed\n`);
        if (options.json) process.stdout.write(`${JSON.stringify({ event: 'summary', queue: connection.redacted, done: counts.done, failed: counts.failed, exitCode })}\n`);
        // Forced: BullMQ's or tfjs' handles may still be open; nothing is left to wait for.
        if (exitCode !== 0) process.exit(exitCode);
      }),
    );
}
