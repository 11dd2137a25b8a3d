/**
 * Regression (CI, stop 19): a restarted coordinator read a job while a worker was finishing it, then its
 * state: the state said 'completed' but the job object was the snapshot from before, with a null return
 * value, and the point was reported as "malformed result from the worker". `readJob` must give a finished
 * job's real result whatever moment the worker finishes at. The fake queue below lets the worker finish
 * between any two Redis reads.
 */
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { readJob, type JobReader, type JobView } from '../../lib/queue/coordinator';
import { DeltaSparsityError } from '../../lib/util/errors';

type Outcome = 'completed' | 'failed';

/** One job that is active until `finishAfterReads` reads have been answered, then finished with `outcome`. */
function queueFinishingAfter(finishAfterReads: number, outcome: Outcome): JobReader {
  let reads = 0;
  const snapshot = () => {
    const finished = reads >= finishAfterReads;
    reads += 1;
    return finished;
  };
  return {
    async getJobState() {
      return snapshot() ? outcome : 'active';
    },
    async getJob() {
      // What BullMQ gives: the job hash as it is at the moment of the read.
      const finished = snapshot();
      return {
        returnvalue: finished && outcome === 'completed' ? { result: { value: 7 }, seconds: 1 } : null,
        failedReason: finished && outcome === 'failed' ? 'out of memory' : undefined,
        attemptsMade: finished ? 3 : 2,
        finishedOn: finished ? 1_700_000_000_000 : undefined,
      } as unknown as Job;
    },
  } as JobReader;
}

/** Polls like the coordinator until the job is finished (at most 10 looks). */
async function pollUntilFinished(queue: JobReader): Promise<Extract<JobView, { job: Job }>> {
  for (let look = 0; look < 10; look += 1) {
    const view = await readJob(queue, 'abc');
    if (view.state === 'completed' || view.state === 'failed') return view;
  }
  throw new Error('the fake job never finished');
}

describe('readJob', () => {
  for (const finishAfterReads of [0, 1, 2, 3]) {
    it(`gives a completed job's return value when the worker finishes after read ${finishAfterReads}`, async () => {
      const view = await pollUntilFinished(queueFinishingAfter(finishAfterReads, 'completed'));
      expect(view.state).toBe('completed');
      expect(view.job.returnvalue).toEqual({ result: { value: 7 }, seconds: 1 });
      expect(view.job.attemptsMade).toBe(3);
    });

    it(`gives a failed job's error when the last attempt fails after read ${finishAfterReads}`, async () => {
      const view = await pollUntilFinished(queueFinishingAfter(finishAfterReads, 'failed'));
      expect(view.state).toBe('failed');
      expect(view.job.failedReason).toBe('out of memory');
    });
  }

  it('calls a job still running (or waiting for a retry) unfinished', async () => {
    const states = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;
    const seen = await Promise.all(
      states.map((state) => readJob({ getJobState: async () => state, getJob: async () => undefined } as unknown as JobReader, 'abc')),
    );
    expect(seen.map((view) => view.state)).toEqual(['active', 'waiting', 'waiting', 'waiting', 'waiting']);
  });

  it('says a job removed from Redis vanished, in one line naming its key', async () => {
    const gone = { getJobState: async () => 'unknown', getJob: async () => undefined } as unknown as JobReader;
    await expect(readJob(gone, 'abc')).rejects.toThrow(DeltaSparsityError);
    await expect(readJob(gone, 'abc')).rejects.toThrow(/^queue: job abc vanished from Redis/);
  });
});
