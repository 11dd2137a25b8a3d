/**
 * Regressions of the coordinator's reporting (runQueuedSweep on a real redis-server): jobs finished before the
 * run are collected (not counted as computed, no rate), failed points are counted apart from done ones, a
 * sweep with no worker says so once, and Ctrl-C says the jobs stay queued. The workers here are plain BullMQ
 * workers computing a known function of the point (value = 10 * x + 1), so each stored result can be checked.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { ResultsStore } from '../../lib/ablation/resultsStore';
import { stableHash } from '../../lib/util/stableHash';
import { bullConnection } from '../../lib/queue/connection';
import { runQueuedSweep } from '../../lib/queue/coordinator';
import { QUEUE_NAME, QUEUE_PREFIX, type JobPayload } from '../../lib/queue/payload';
import { parseQueueUrl, type QueueConnection } from '../../lib/queue/redisUrl';
import { findRedisServer, redisRequired, repoRoot, startRedis, waitFor, type RedisServer } from './redisServer';

const redisInstalled = findRedisServer() !== undefined;
const PASSWORD = 'Pw-51d2c0-NeverPrintMe';

interface Point {
  x: number;
}
interface Value {
  value: number;
}
const resultSchema = z.object({ result: z.object({ value: z.number() }), seconds: z.number().nullable() });
// The coordinator only stores what workers return; these jobs never reach delta-sparsity's workers.
const payload = (point: Point, key: string) => ({ key, x: point.x }) as unknown as JobPayload;

/** A BullMQ worker returning value = 10 * x + 1, failing every attempt for x in `failing`. */
function testWorker(connection: QueueConnection, failing: number[] = []): Worker {
  return new Worker(
    QUEUE_NAME,
    async (job: Job) => {
      const x = (job.data as { x: number }).x;
      if (failing.includes(x)) throw new Error(`point ${x} always fails`);
      return { result: { value: 10 * x + 1 }, seconds: 0.5 };
    },
    { connection: bullConnection(connection), prefix: QUEUE_PREFIX },
  );
}

describe.skipIf(!redisInstalled && !redisRequired)('coordinator reporting on redis-server', () => {
  let redis: RedisServer;
  let connection: QueueConnection;
  let folder: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    redis = await startRedis(PASSWORD);
    connection = parseQueueUrl(redis.url, {});
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'coordinator-progress-'));
  });
  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.close(true);
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(connection), prefix: QUEUE_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await redis?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const storeAt = (name: string) => new ResultsStore<Point, Value>(path.join(folder, name), { config: z.object({ x: z.number() }), result: z.object({ value: z.number() }) });

  it('collects jobs finished before the run as collected, not computed, with no progress rate', async () => {
    const points: Point[] = [{ x: 1 }, { x: 2 }, { x: 3 }, { x: 4 }];
    // Jobs from an earlier coordinator, finished by a worker while no coordinator ran.
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(connection), prefix: QUEUE_PREFIX });
    for (const point of points) await queue.add('point', payload(point, stableHash(point)), { jobId: stableHash(point), removeOnComplete: false });
    const worker = testWorker(connection);
    workers.push(worker);
    await waitFor(async () => (await queue.getJobCounts('completed')).completed === 4, 20_000, () => 'jobs did not finish');
    await worker.close();
    await queue.close();

    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const outcome = await runQueuedSweep<Point, Value>({ connection, points, store: storeAt('collected.jsonl'), payload, result: resultSchema, progress: 'lines', pollMs: 100, log: (line) => lines.push(line) });
    const printed = stderr.mock.calls.map((call) => String(call[0])).join('');
    expect(outcome).toMatchObject({ ran: 4, collected: 4, enqueued: 0, reused: 0, failed: [] });
    expect(outcome.records.map((record) => record.result.value)).toEqual([11, 21, 31, 41]);
    expect(lines).toEqual(['queue: collected 4 point(s) that workers finished before this run']);
    // Nothing was left to wait for: no "4/4 points (285.71 points/s)" line.
    expect(printed).not.toMatch(/points\/s/);
  });

  it('counts a failed point apart from the done ones, and says once that no worker is connected', async () => {
    const points: Point[] = [{ x: 1 }, { x: 2 }, { x: 3 }];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const running = runQueuedSweep<Point, Value>({ connection, points, store: storeAt('failed.jsonl'), payload, result: resultSchema, progress: 'lines', pollMs: 100, noWorkerNoticeMs: 500, log: (line) => lines.push(line) });
    await waitFor(() => lines.some((line) => line.startsWith('queue: no worker is connected')), 20_000, () => `no notice: ${JSON.stringify(lines)}`);
    workers.push(testWorker(connection, [2]));
    const outcome = await running;
    const printed = stderr.mock.calls.map((call) => String(call[0])).join('');
    expect(lines.filter((line) => line.includes('no worker'))).toEqual([
      `queue: no worker is connected to redis://:***@127.0.0.1:${redis.port}/0; start one with \`delta-sparsity worker --queue redis://:***@127.0.0.1:${redis.port}/0\` (with the real password, or it in DELTA_QUEUE_PASSWORD); the jobs wait until then`,
    ]);
    expect(outcome).toMatchObject({ ran: 2, collected: 0, enqueued: 3 });
    expect(outcome.failed.map((point) => [point.config.x, point.error, point.attempts])).toEqual([[2, 'point 2 always fails', 3]]);
    // 3 points: 2 done, 1 failed; the failed one is not counted as done (the display showed 3/3 before).
    const last = printed.trim().split('\n').filter((line) => line.startsWith('queued sweep:')).at(-1);
    expect(last).toMatch(/^queued sweep: 2\/3 points .* done 2, running 0, failed 1, waiting 0$/);
    expect(printed + lines.join('\n')).not.toContain(PASSWORD);
  });

  it('says on Ctrl-C that the jobs stay queued, frees the store and exits 130', async () => {
    const store = path.join(folder, 'interrupted.jsonl');
    // A coordinator in its own process (no worker runs, so it waits), interrupted like a terminal's Ctrl-C.
    const script = `
      const { runQueuedSweep } = require('./dist/queue/coordinator');
      const { parseQueueUrl } = require('./dist/queue/redisUrl');
      const { ResultsStore } = require('./dist/ablation/resultsStore');
      const z = require('zod');
      const schema = z.object({ result: z.object({ value: z.number() }), seconds: z.number().nullable() });
      runQueuedSweep({ connection: parseQueueUrl(process.argv[1], {}), points: [{ x: 1 }, { x: 2 }], store: new ResultsStore(process.argv[2]),
        payload: (point, key) => ({ key, x: point.x }), result: schema, progress: 'lines', pollMs: 100,
        log: (line) => process.stderr.write(line + '\\n') }).then(() => process.stderr.write('finished?\\n'));
      setTimeout(() => process.stderr.write('waiting\\n'), 1500);`;
    const child = spawn(process.execPath, ['-e', script, redis.url, store], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await waitFor(() => output.includes('waiting') || child.exitCode !== null, 30_000, () => output);
    child.kill('SIGINT');
    expect(await exited, output).toBe(130);
    expect(output).toContain(`queue: interrupted; the 2 unfinished job(s) stay queued on redis://:***@127.0.0.1:${redis.port}/0 and workers keep running them; rerun the same command to collect the results`);
    expect(fs.existsSync(`${store}.lock`)).toBe(false);
    expect(output).not.toContain(PASSWORD);
  });
});
