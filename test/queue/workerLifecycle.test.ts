/**
 * Regressions of `delta-sparsity worker` on a real redis-server: secrets in odd --queue URLs, a database the
 * server does not have, an outage (logged in three lines, not once a second) and stopping while Redis is gone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bullConnection, probeRedis } from '../../lib/queue/connection';
import { JOB_ATTEMPTS, QUEUE_NAME, QUEUE_PREFIX } from '../../lib/queue/payload';
import { parseQueueUrl } from '../../lib/queue/redisUrl';
import { findRedisServer, redisRequired, runCli, startRedis, startWorker, stopProcess, waitFor, type CliProcess, type RedisServer } from './redisServer';

const redisInstalled = findRedisServer() !== undefined;
const PASSWORD = 'Pw-3f0a77-NeverPrintMe';

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`))].length;
}

describe.skipIf(!redisInstalled && !redisRequired)('worker lifecycle on redis-server', () => {
  let redis: RedisServer;
  let workDir: string;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis(PASSWORD);
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-lifecycle-'));
  });
  afterEach(async () => {
    await stopProcess(processes.splice(0));
  });
  afterAll(async () => {
    await redis?.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('prints none of a password containing @, / or a bad % escape (the tester\'s URLs)', async () => {
    for (const [url, secrets] of [
      [`redis://:p@ss:w/rd%@127.0.0.1:${redis.port}/0`, ['ss:w', 'rd%']],
      [`redis://:pa/SECRETTAIL@127.0.0.1:${redis.port}/0`, ['SECRETTAIL', 'pa/']],
      [`redis://:abc%zzSecret@127.0.0.1:${redis.port}/0`, ['zzSecret', 'abc']],
    ] as const) {
      const result = await runCli(['worker', '--queue', url]);
      expect(result.status, url).toBe(1);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
      expect(errors, result.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(/^error: --queue: expected .*Received: --queue="redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0"$/);
      expect(result.stderr).not.toMatch(/URIError|    at /);
      for (const secret of secrets) expect(result.stderr + result.stdout, url).not.toContain(secret);
    }
  });

  it('refuses a database the server does not have instead of using database 0', async () => {
    // redis-server's default `databases 16`: 0..15 exist, 99 does not.
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}/99`;
    await expect(probeRedis(parseQueueUrl(url, {}))).rejects.toThrow(/has no database 99 .*DB index is out of range/);
    await expect(probeRedis(parseQueueUrl(`redis://:${PASSWORD}@127.0.0.1:${redis.port}/15`, {}))).resolves.toBeUndefined();
    const result = await runCli(['worker', '--queue', url]);
    expect(result.status).toBe(1);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/--queue=redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/99: the server has no database 99/);
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it('logs an outage in three lines and stops on a second Ctrl-C (in a WRONGPASS loop) or SIGTERM (Redis down)', async () => {
    const port = redis.port;
    try {
      await outageAndStops(port);
    } finally {
      // The next tests need the server back, even when an assertion above failed mid-outage.
      if (redis.stopped) redis = await startRedis(PASSWORD, port);
    }
  }, 120_000);

  async function outageAndStops(port: number): Promise<void> {
    const worker = await startWorker(redis.url, workDir);
    processes.push(worker);
    await redis.stop();
    // ioredis retries about once a second or faster: after several seconds, one error line and one notice.
    await waitFor(() => /Redis unreachable at/.test(worker.output()), 20_000, () => `no notice:\n${worker.output()}`);
    const before = worker.output().length;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(worker.output().slice(before), 'lines during the outage after the notice').toBe('');
    // The first error of the outage, whichever it is (ECONNREFUSED, ECONNRESET or "Connection is closed", as the
    // timing of the server's exit decides), printed once.
    expect(count(worker.output(), /^worker: Redis redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: /m), worker.output()).toBe(1);
    expect(count(worker.output(), /Redis unreachable at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0, retrying/)).toBe(1);

    redis = await startRedis(PASSWORD, port);
    await waitFor(() => /reconnected to Redis/.test(worker.output()), 30_000, () => `no reconnection line:\n${worker.output()}`);
    expect(count(worker.output(), /reconnected to Redis redis:\/\/:\*\*\*@/)).toBe(1);

    // Down again, then Ctrl-C twice: exit 130 without waiting for Redis.
    await redis.stop();
    await waitFor(() => count(worker.output(), /Redis unreachable at/) === 2, 20_000, () => `no second notice:\n${worker.output()}`);
    // Back with another password: each reconnection now fails with WRONGPASS; the outage stays one notice.
    redis = await startRedis(`other-${PASSWORD}`, port);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(count(worker.output(), /WRONGPASS/)).toBe(0);
    expect(count(worker.output(), /reconnected to Redis/)).toBe(1);
    worker.child.kill('SIGINT');
    await waitFor(() => /finishing the running job/.test(worker.output()), 10_000, () => worker.output());
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(130);
    expect(worker.output()).not.toContain(PASSWORD);
    await redis.stop();

    // SIGTERM alone stops a worker whose Redis is gone (exit 143).
    redis = await startRedis(PASSWORD, port);
    const second = await startWorker(redis.url, workDir);
    processes.push(second);
    await redis.stop();
    await waitFor(() => /Redis unreachable at/.test(second.output()), 20_000, () => second.output());
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(143);
    redis = await startRedis(PASSWORD, port);
  }

  it('worker --json prints a JSON line per job attempt and a summary at exit', async () => {
    const worker = await startWorker(redis.url, workDir, ['--json']);
    processes.push(worker);
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(parseQueueUrl(redis.url, {})), prefix: QUEUE_PREFIX });
    try {
      // Not a job payload at all: failed once, never executed or retried (UnrecoverableError).
      await queue.add('point', { version: 1, kind: 'nonsense' }, { jobId: 'malformed-1', attempts: JOB_ATTEMPTS });
      await waitFor(() => /"job":"malformed-1"/.test(worker.output()), 30_000, () => worker.output());
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(143);
    // stdout's lines are the JSON ones (stderr's status lines never start with "{").
    const json = worker.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(json).toHaveLength(2);
    expect(json[0]).toMatchObject({ event: 'job', job: 'malformed-1', status: 'failed', kind: null, attempt: 1, seconds: null });
    expect(json[0].error).toMatch(/^malformed job payload: /);
    expect(json[1]).toEqual({ event: 'summary', queue: `redis://:***@127.0.0.1:${redis.port}/0`, done: 0, failed: 1, exitCode: 143 });
    expect(worker.output()).not.toContain(PASSWORD);
  });
});
