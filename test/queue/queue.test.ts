/**
 * Queued sweeps end to end on a real redis-server (started by the tests on a free loopback port, password
 * required, no persistence) with `delta-sparsity worker` child processes: tiny synthetic refinements (quick
 * preset, 1-3 epochs: about a second each) so that each test takes seconds.
 *
 * Skipped with a message when redis-server is not installed, unless CI=true or DELTA_REQUIRE_REDIS=1: then
 * they fail (`.ci/run` installs Debian's redis-server).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stableHash } from '../../lib/util/stableHash';
import { bullConnection } from '../../lib/queue/connection';
import { datasetIdentityOf } from '../../lib/queue/datasetIdentity';
import { QUEUE_NAME, QUEUE_PREFIX, type RefinementJob } from '../../lib/queue/payload';
import { parseQueueUrl } from '../../lib/queue/redisUrl';
import { resolveTrainConfig } from '../../lib/train/config';
import {
  filesUnder,
  findRedisServer,
  redisRequired,
  repoRoot,
  runCli,
  startCli,
  startRedis,
  startWorker,
  stopProcess,
  waitFor,
  type CliProcess,
  type RedisServer,
} from './redisServer';

const redisInstalled = findRedisServer() !== undefined;
if (!redisInstalled && !redisRequired) console.warn('test/queue: redis-server not installed (apt-get install -y redis-server): queue tests skipped');

// A password that appears nowhere else, so any occurrence in an output is a leak.
const PASSWORD = 'Pw-7c1e9b-NeverPrintMe';

interface StoreLine {
  key: string;
  config: { variant: string; threshold: number; sparsityWeight: number };
  result: Record<string, number | string | null>;
}

function readStore(file: string): StoreLine[] {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as StoreLine);
}

/** Job ids a worker's log says it started, with how often. */
function startedJobs(logs: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const log of logs) {
    for (const match of log.matchAll(/worker: job ([0-9a-f]{16}): start/g)) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!redisInstalled && !redisRequired)('queued sweeps on redis-server', () => {
  let redis: RedisServer;
  let folder: string;
  let baseline: string;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    expect(redisInstalled, 'redis-server is required here (CI=true or DELTA_REQUIRE_REDIS=1): apt-get install -y redis-server').toBe(true);
    redis = await startRedis(PASSWORD);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-test-'));
    baseline = path.join(folder, 'baseline');
    const trained = await runCli(['train', '--run', baseline, '--preset', 'quick', '--epochs', '1', '--json']);
    expect(trained.status, trained.stderr).toBe(0);
  });

  // A failed test must not leave workers that would take the next test's jobs.
  afterEach(async () => {
    await stopProcess(processes.splice(0));
  });

  afterAll(async () => {
    await redis?.stop();
  });

  it('runs a 6-point sweep over 2 workers with the records of a local run, the password in no output', async () => {
    const workDirs = [path.join(folder, 'w1'), path.join(folder, 'w2')];
    const workers = await Promise.all(workDirs.map((dir) => startWorker(redis.url, dir)));
    processes.push(...workers);
    const sweep = ['ablate', '--baseline', baseline, '--thresholds', '0.05,0.1,0.2', '--lambdas', '0.01,0.1', '--set', 'epochs=1'];
    const queuedStore = path.join(folder, 'queued.jsonl');
    const queued = await runCli([...sweep, '--store', queuedStore, '--queue', redis.url, '--json']);
    expect(queued.status, queued.stderr).toBe(0);
    const localStore = path.join(folder, 'local.jsonl');
    const local = await runCli([...sweep, '--store', localStore, '--runs-root', path.join(folder, 'local-runs'), '--json']);
    expect(local.status, local.stderr).toBe(0);

    const queuedLines = readStore(queuedStore);
    const localLines = readStore(localStore);
    expect(queuedLines).toHaveLength(6); // 3 thresholds x 2 λ, each once
    expect(new Set(queuedLines.map((line) => line.key)).size).toBe(6);
    const localByKey = new Map(localLines.map((line) => [line.key, line]));
    for (const line of queuedLines) {
      const reference = localByKey.get(line.key);
      expect(reference, `local run has point ${line.key}`).toBeDefined();
      expect(line.config).toEqual(reference?.config);
      for (const [field, value] of Object.entries(reference?.result ?? {})) {
        if (field === 'runDir') continue; // where each ran
        if (typeof value === 'number') {
          // Same seed, same backend and kernels: measured identical here (difference 0). The tolerance, 1e-6
          // relative, allows for kernels that sum in another order on another machine.
          expect(Math.abs((line.result[field] as number) - value), `${field} of ${line.key}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(value)));
        } else {
          expect(line.result[field], field).toEqual(value);
        }
      }
    }
    await stopProcess(workers);
    // Both workers took part: the jobs were spread, not run by one.
    const started = workers.map((worker) => startedJobs([worker.output()]).size);
    expect(started.reduce((a, b) => a + b, 0)).toBe(6);
    expect(Math.min(...started)).toBeGreaterThan(0);

    // The password appears in no output, store, run folder or worker work dir.
    const texts = [queued.stdout, queued.stderr, ...workers.map((w) => w.output())];
    for (const file of [...filesUnder(folder)]) texts.push(fs.readFileSync(file).toString('latin1'));
    expect(texts.filter((text) => text.includes(PASSWORD))).toEqual([]);
    expect(queued.stderr).toContain('redis://:***@127.0.0.1');

    // Rerunning the finished sweep (no worker running now) enqueues nothing and reads all 6 points from the store.
    const again = await runCli([...sweep, '--store', queuedStore, '--queue', redis.url]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 job(s) enqueued by this run');
    expect(again.stdout).toContain('0 point(s) computed by workers during this run, 0 collected from the queue (finished before it), 6 reused');
  });

  it('records every point once when a worker is killed with SIGKILL in the middle of a job', async () => {
    const victim = await startWorker(redis.url, path.join(folder, 'k1'));
    processes.push(victim);
    const store = path.join(folder, 'killed.jsonl');
    // 3 epochs per point: a job lasts a few seconds, long enough to be killed in the middle.
    const coordinator = startCli(['ablate', '--baseline', baseline, '--thresholds', '0.07,0.15', '--set', 'epochs=3', '--store', store, '--queue', redis.url]);
    processes.push(coordinator);
    await waitFor(() => /worker: job [0-9a-f]+: start/.test(victim.output()), 60_000, () => `no job started:\n${victim.output()}\n${coordinator.output()}`);
    victim.child.kill('SIGKILL');
    await victim.exited;
    const killedJob = /worker: job ([0-9a-f]{16}): start/.exec(victim.output())?.[1] as string;
    expect(victim.output()).not.toContain(`job ${killedJob}: done`);
    // The survivor starts after the kill: it takes the waiting job, and the stalled one once its lock expires.
    const survivor = await startWorker(redis.url, path.join(folder, 'k2'));
    processes.push(survivor);
    const status = await coordinator.exited;
    await stopProcess([survivor]);
    expect(status, coordinator.output()).toBe(0);
    const lines = readStore(store);
    expect(lines.map((line) => line.config.threshold).sort()).toEqual([0.07, 0.15]);
    expect(new Set(lines.map((line) => line.key)).size).toBe(2);
    // The killed job ran to the end on the survivor.
    expect(survivor.output()).toContain(`job ${killedJob}: done`);
  });

  it('enqueues nothing twice when the coordinator is killed and restarted', async () => {
    const store = path.join(folder, 'restarted.jsonl');
    const args = ['ablate', '--baseline', baseline, '--thresholds', '0.03,0.06,0.12', '--lambdas', '0.02,0.2', '--set', 'epochs=1', '--store', store, '--queue', redis.url];
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(parseQueueUrl(redis.url)), prefix: QUEUE_PREFIX });
    try {
      // No worker yet: the first coordinator enqueues the 6 jobs and waits; then it is killed.
      const first = startCli(args);
      processes.push(first);
      await waitFor(async () => (await queue.getWaitingCount()) === 6, 60_000, () => `jobs not enqueued:\n${first.output()}`);
      first.child.kill('SIGKILL');
      await first.exited;
      const workers = await Promise.all([startWorker(redis.url, path.join(folder, 'r1')), startWorker(redis.url, path.join(folder, 'r2'))]);
      processes.push(...workers);
      const second = await runCli(args);
      await stopProcess(workers);
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).toContain('0 job(s) enqueued by this run');
      const started = startedJobs(workers.map((worker) => worker.output()));
      expect(started.size).toBe(6);
      expect([...started.values()].every((count) => count === 1)).toBe(true);
      const lines = readStore(store);
      expect(lines).toHaveLength(6);
      expect(new Set(lines.map((line) => line.key))).toEqual(new Set(started.keys()));
    } finally {
      await queue.close();
    }
  });

  it('reports a point that fails 3 times with its error and exits non-zero, listing it', async () => {
    // A worker that cannot store the baseline it fetches: every attempt fails the same way.
    const workDir = path.join(folder, 'broken');
    fs.mkdirSync(workDir, { recursive: true });
    fs.writeFileSync(path.join(workDir, 'baselines'), 'a file where the worker wants a folder');
    const broken = await startWorker(redis.url, workDir);
    processes.push(broken);
    const store = path.join(folder, 'failing.jsonl');
    const result = await runCli(['ablate', '--baseline', baseline, '--thresholds', '0.33', '--set', 'epochs=1', '--store', store, '--queue', redis.url]);
    await stopProcess([broken]);
    expect(result.status).toBe(1);
    const key = /failed: delta q=0.33 λ=\S+ \(key ([0-9a-f]{16})\) after 3 attempt\(s\): (.*)/.exec(result.stderr);
    expect(key, result.stderr).not.toBeNull();
    expect(key?.[2]).toMatch(/ENOTDIR|EEXIST|not a directory|file already exists/i);
    expect(result.stderr).toMatch(/error: 1 point\(s\) failed; rerun the same command to retry them/);
    expect(startedJobs([broken.output()]).get(key?.[1] as string)).toBe(3);
    expect(fs.existsSync(store) ? fs.readFileSync(store, 'utf8') : '').toBe(''); // nothing recorded for it
  });

  it('runs leave-one-subject-out folds on workers with their own copy of the data, with the summary of a local run', async () => {
    // 3 classes x 3 people of the bundled Weizmann footage: 3 folds. The workers read another copy of it (--data-root).
    const copy = (root: string) => {
      for (const action of ['bend', 'jack', 'walk']) {
        fs.mkdirSync(path.join(root, action), { recursive: true });
        for (const person of ['daria', 'denis', 'eli']) {
          fs.copyFileSync(path.join(repoRoot, 'data', 'weizmann', action, `${person}_${action}.avi`), path.join(root, action, `${person}_${action}.avi`));
        }
      }
    };
    const coordinatorData = path.join(folder, 'lopo-data');
    const workerData = path.join(folder, 'lopo-data-on-workers');
    copy(coordinatorData);
    copy(workerData);
    const workers = await Promise.all([1, 2].map((n) => startWorker(redis.url, path.join(folder, `lw${n}`), ['--data-root', workerData])));
    processes.push(...workers);
    const study = ['study', '--protocol', 'lopo', '--fast', '--seeds', '1', '--data', 'folder', '--folder', coordinatorData, '--subject', '^([a-z]+)_'];
    const queued = await runCli([...study, '--out', path.join(folder, 'lopo-queued'), '--queue', redis.url, '--json']);
    await stopProcess(workers);
    expect(queued.status, queued.stderr).toBe(0);
    const local = await runCli([...study, '--out', path.join(folder, 'lopo-local'), '--json']);
    expect(local.status, local.stderr).toBe(0);
    // Rerun: every fold is reused, and the progress line says so instead of a rate (regression: cached runs made the ETA promise seconds).
    const again = await runCli([...study, '--out', path.join(folder, 'lopo-local'), '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('lopo folds: 3/3 runs (0.00 runs/s, ETA 0s, 3 reused)');
    type Summary = { runs: { fold: number; seed: number; testSubject: string; models: Record<string, unknown>[] }[]; aggregate: unknown[] };
    const read = (out: string) => JSON.parse(fs.readFileSync(path.join(folder, out, 'summary.json'), 'utf8')) as Summary;
    const [q, l] = [read('lopo-queued'), read('lopo-local')];
    // The summary's dataset describes the protocol, not its first fold (regression: it said testSubjects ["daria"]).
    const dataset = (JSON.parse(fs.readFileSync(path.join(folder, 'lopo-local', 'summary.json'), 'utf8')) as { dataset: Record<string, unknown> }).dataset;
    expect(dataset.subjects).toEqual(['daria', 'denis', 'eli']);
    expect(dataset).not.toHaveProperty('testSubjects');
    expect(dataset).not.toHaveProperty('trainSubjects');
    expect(q.runs.map((run) => `${run.fold}/${run.seed}/${run.testSubject}`)).toEqual(['0/1/daria', '1/1/denis', '2/1/eli']);
    // Same seeds, backend and kernels: identical numbers here (the runs' JSON is compared whole).
    expect(q.runs).toEqual(l.runs);
    expect(q.aggregate).toEqual(l.aggregate);
    // Each fold ran once, on one of the workers, from the workers' own copy.
    expect([...startedJobs(workers.map((w) => w.output())).values()]).toEqual([1, 1, 1]);
    expect(queued.stderr).toContain('3 job(s) enqueued by this run');
  });

  it('fails a malformed job without executing it, and a job for another copy of the dataset with the difference named', async () => {
    // A folder dataset needs only file names and sizes for its identity: placeholder files stand for videos.
    const makeCopy = (root: string, skip?: string) => {
      for (const className of ['jump', 'walk']) {
        for (const subject of ['ann', 'bob', 'cid']) {
          const name = `${subject}_${className}.avi`;
          if (name === skip) continue;
          fs.mkdirSync(path.join(root, className), { recursive: true });
          fs.writeFileSync(path.join(root, className, name), `${subject} ${className}`);
        }
      }
    };
    const coordinatorCopy = path.join(folder, 'data-coordinator');
    const sameCopy = path.join(folder, 'data-same');
    const otherCopy = path.join(folder, 'data-other');
    makeCopy(coordinatorCopy);
    makeCopy(sameCopy);
    makeCopy(otherCopy, 'cid_walk.avi'); // one video missing
    const refinementBase = resolveTrainConfig({ data: { source: 'folder', root: coordinatorCopy, subjectPattern: '^([a-z]+)_' } });
    const point = { mode: 'trained' as const, variant: 'delta' as const, threshold: 0.1, sparsityWeight: 0.1, source: 'test' };
    const job: RefinementJob = {
      version: 1,
      kind: 'refinement',
      key: stableHash(point),
      point,
      refinementBase,
      baseline: { blob: 'ab'.repeat(32), epochs: 1 }, // never published: a worker that gets past the data check says so
      dataset: datasetIdentityOf(refinementBase),
    };
    const queue = new Queue(QUEUE_NAME, { connection: bullConnection(parseQueueUrl(redis.url)), prefix: QUEUE_PREFIX });
    const workDir = path.join(folder, 'm1');
    try {
      const finalState = async (id: string) => {
        await waitFor(async () => (await queue.getJob(id))?.finishedOn !== undefined && (await (await queue.getJob(id))?.getState()) === 'failed', 60_000, () => `job ${id} not failed`);
        return (await queue.getJob(id)) as NonNullable<Awaited<ReturnType<typeof queue.getJob>>>;
      };
      const other = await startWorker(redis.url, workDir, ['--data-root', otherCopy]);
      processes.push(other);

      await queue.add('point', { version: 1, kind: 'refinement', key: 'not-a-hash', point: { threshold: 'high' } }, { jobId: 'malformed-1', attempts: 3 });
      const malformed = await finalState('malformed-1');
      expect(malformed.failedReason).toMatch(/^malformed job payload: /);
      expect(malformed.attemptsMade).toBe(1); // not retried
      await waitFor(() => /job malformed-1: malformed payload .*failed, not executed/.test(other.output()), 10_000, () => other.output());

      await queue.add('point', job, { jobId: 'mismatch-1', attempts: 1 });
      const refused = await finalState('mismatch-1');
      expect(refused.failedReason).toMatch(/^dataset: expected this worker's copy of folder .*Received: fileListHash .* videos 5 instead of 6/);
      expect(fs.existsSync(path.join(workDir, 'runs'))).toBe(false); // nothing trained
      await stopProcess([other]);

      // The same job on a worker with an identical copy passes the data check and stops at the (absent) baseline.
      const same = await startWorker(redis.url, path.join(folder, 'm2'), ['--data-root', sameCopy]);
      processes.push(same);
      await queue.add('point', job, { jobId: 'same-1', attempts: 1 });
      const passed = await finalState('same-1');
      expect(passed.failedReason).toMatch(/^baseline abababababab: not in Redis/);
      await stopProcess([same]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('fails in one line with exit code 1 on a wrong password, an unreachable server or another scheme', async () => {
    const wrong = `redis://:wrong-${PASSWORD.slice(3)}@127.0.0.1:${redis.port}/0`;
    const cases: [string, RegExp][] = [
      [wrong, /refused the user name or password/],
      [`redis://127.0.0.1:${redis.port}/0`, /requires a password/],
      [`redis://:${PASSWORD}@127.0.0.1:1/0`, /cannot reach it \(connect ECONNREFUSED/],
      [`http://:${PASSWORD}@127.0.0.1:${redis.port}`, /unsupported scheme "http"/],
    ];
    for (const [url, why] of cases) {
      for (const command of [['worker', '--queue', url], ['ablate', '--baseline', baseline, '--thresholds', '0.1', '--store', path.join(folder, 'never.jsonl'), '--queue', url]]) {
        const result = await runCli(command);
        expect(result.status, `${command[0]} ${url}`).toBe(1);
        const errors = result.stderr.split('\n').filter((line) => line.startsWith('error:'));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(why);
        expect(errors[0]).toMatch(/--queue=\S*127\.0\.0\.1:\d+/);
        expect(result.stderr + result.stdout).not.toContain(PASSWORD.slice(3));
      }
    }
    // The queue runs refinements and LOPO folds only: elsewhere --queue is a mistake, not silently ignored.
    const withSource = await runCli(['ablate', '--source', baseline, '--thresholds', '0.1', '--store', path.join(folder, 'never.jsonl'), '--queue', redis.url]);
    expect(withSource.status).toBe(1);
    expect(withSource.stderr).toMatch(/^error: --queue: expected no value with --source .*Received: --queue="redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0"$/m);
    const split = await runCli(['study', '--fast', '--queue', redis.url]);
    expect(split.status).toBe(1);
    expect(split.stderr).toMatch(/^error: --queue: expected no value without --protocol lopo/m);
    expect(withSource.stderr + split.stderr).not.toContain(PASSWORD);
  });
});
