import { describe, expect, it } from 'vitest';
import { createProgress, prefixProgress, progressLine, type ProgressSink } from '../../lib/util/progress';
import { notebookProgress } from '../../lib/viz/live';
import { runSweep } from '../../lib/ablation/sweep';
import { ResultsStore } from '../../lib/ablation/resultsStore';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function recordingSink(): ProgressSink & { calls: [number, string, boolean][] } {
  const calls: [number, string, boolean][] = [];
  return { calls, show: (id, line, finished) => calls.push([id, line, finished]) };
}

describe('progress to a sink', () => {
  it('formats done/total, rate and ETA from the mean rate', () => {
    // 30 of 120 clips in 15 s: 2 clips/s, 90 left -> 45 s.
    expect(progressLine({ label: 'epoch 3/8', total: 120, unit: 'clips' }, 30, 15, 'loss 1.2')).toBe(
      'epoch 3/8: 30/120 clips (2.00 clips/s, ETA 45s) loss 1.2',
    );
    // 10 of 100 in 60 s: 1/6 per s, 90 left -> 540 s = 9m00s.
    expect(progressLine({ label: 'sweep', total: 100, unit: 'points' }, 10, 60)).toContain('ETA 9m00s');
  });

  it('sends the lines of one progress under one id, the last one marked finished, and none to stderr', () => {
    const sink = recordingSink();
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      const a = createProgress({ label: 'a', total: 4, unit: 'clips', mode: sink });
      const b = createProgress({ label: 'b', total: 2, unit: 'points', mode: prefixProgress(sink, 'delta') });
      a.update(1); // first update: printed at once
      a.update(2); // within a second of the first: throttled
      b.update(2); // done: always printed
      a.stop();
      b.stop();
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual([]);
    const ids = [...new Set(sink.calls.map(([id]) => id))];
    expect(ids).toHaveLength(2);
    const [aId, bId] = ids;
    const aCalls = sink.calls.filter(([id]) => id === aId);
    expect(aCalls.map(([, line]) => line.split(' (')[0])).toEqual(['a: 1/4 clips', 'a: 2/4 clips']);
    expect(aCalls.map(([, , finished]) => finished)).toEqual([false, true]);
    const bCalls = sink.calls.filter(([id]) => id === bId);
    expect(bCalls.every(([, line]) => line.startsWith('delta · b: '))).toBe(true);
    expect(bCalls[bCalls.length - 1][2]).toBe(true);
  });

  it('leaves named modes alone when prefixing', () => {
    expect(prefixProgress('silent', 'x')).toBe('silent');
    expect(prefixProgress(undefined, 'x')).toBeUndefined();
  });
});

describe('notebookProgress', () => {
  it('overwrites one output with the running lines, then the last finished one', () => {
    const texts: string[] = [];
    const progress = notebookProgress({ display: { text: (s) => texts.push(s) } });
    progress.show(1, 'sweep: 0/2 points', false);
    progress.show(2, 'epoch 1/2: 3/8 clips', false);
    expect(texts[texts.length - 1]).toBe('sweep: 0/2 points\nepoch 1/2: 3/8 clips');
    progress.show(2, 'epoch 1/2: 8/8 clips', true);
    expect(texts[texts.length - 1]).toBe('sweep: 0/2 points');
    progress.show(1, 'sweep: 2/2 points', true);
    expect(texts[texts.length - 1]).toBe('sweep: 2/2 points');
    expect(progress.current()).toEqual(['sweep: 2/2 points']);
  });

  it('draws the sweep line before the first point and after each point', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sweep-progress-'));
    const texts: string[] = [];
    const progress = notebookProgress({ display: { text: (s) => texts.push(s) } });
    const seenBeforeFirstPoint: string[] = [];
    try {
      await runSweep<{ x: number }, { y: number }>({
        points: [{ x: 1 }, { x: 2 }],
        store: new ResultsStore(path.join(dir, 'store.jsonl')),
        progress,
        runPoint: async (point) => {
          if (point.x === 1) seenBeforeFirstPoint.push(...texts);
          return { y: point.x * 2 };
        },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(seenBeforeFirstPoint[0]).toMatch(/^sweep: 0\/2 points/);
    expect(texts[texts.length - 1]).toMatch(/^sweep: 2\/2 points/);
  });
});
