import { describe, expect, it } from 'vitest';
import { createProgress, etaText, progressLine, type ProgressSink } from '../../lib/util/progress';

describe('progress ETA', () => {
  it('is "?" until the first unit is done, not 0s or NFs (regression: the terminal bar showed cli-progress ETA 0s, then NFs)', () => {
    expect(etaText(6, 0, 0)).toBe('?');
    expect(etaText(6, 0, 12)).toBe('?');
  });

  it('follows the mean rate so far', () => {
    // 2 of 10 done in 4 s: 0.5 unit/s, 8 left → 16 s.
    expect(etaText(10, 2, 4)).toBe('16s');
    // 1 of 3 done in 32.5 s: 2 left at 32.5 s each → 65 s.
    expect(etaText(3, 1, 32.5)).toBe('1m05s');
    // 1 of 101 in 54 s: 100 × 54 s = 5400 s = 1 h 30 min.
    expect(etaText(101, 1, 54)).toBe('1h30m');
  });

  it('is 0s when all is done, and the line shows the same text', () => {
    expect(etaText(4, 4, 9)).toBe('0s');
    expect(progressLine({ label: 'sweep', total: 4, unit: 'points' }, 0, 3)).toBe('sweep: 0/4 points (0.00 points/s, ETA ?)');
    expect(progressLine({ label: 'sweep', total: 4, unit: 'points' }, 2, 4, 'q=0.1')).toBe('sweep: 2/4 points (0.50 points/s, ETA 4s) q=0.1');
  });
});

describe('progress with reused units (regression: a LOPO rerun that reused 9 cached runs gave "ETA 4m08s" for 18 runs of ~9 min each)', () => {
  it('leaves reused units out of the rate and the ETA', () => {
    // 3 of 5 done in 10 s, 2 of them reused: 1 computed in 10 s = 0.1 unit/s; 2 left → 20 s.
    expect(etaText(5, 3, 10, 2)).toBe('20s');
    expect(progressLine({ label: 'lopo folds', total: 5, unit: 'runs' }, 3, 10, 'fold 2', 2)).toBe('lopo folds: 3/5 runs (0.10 runs/s, ETA 20s, 2 reused) fold 2');
  });

  it('gives no ETA while every unit done so far was reused', () => {
    expect(etaText(27, 9, 6, 9)).toBe('?');
    expect(progressLine({ label: 'lopo folds', total: 27, unit: 'runs' }, 9, 6, '', 9)).toBe('lopo folds: 9/27 runs (0.00 runs/s, ETA ?, 9 reused)');
  });

  it('prints the reused count through a sink as well', () => {
    const lines: string[] = [];
    const sink: ProgressSink = { show: (_id, line) => lines.push(line) };
    const progress = createProgress({ label: 'runs', total: 2, unit: 'runs', mode: sink });
    progress.update(2, 'done', 1);
    expect(lines.at(-1)).toMatch(/^runs: 2\/2 runs \(\d+\.\d\d runs\/s, ETA 0s, 1 reused\) done$/);
  });
});

describe('progress mode', () => {
  it('refuses a mode that is neither a known name nor a sink (regression: progress "none" printed anyway)', () => {
    expect(() => createProgress({ label: 'x', total: 3, mode: 'none' as never })).toThrow(
      /^progress: expected one of auto, bar, lines, silent, or a progress sink \(notebookProgress\(\)\)\. Received: progress="none"/,
    );
    const lines: string[] = [];
    const sink: ProgressSink = { show: (_id, line) => lines.push(line) };
    const progress = createProgress({ label: 'x', total: 3, mode: sink });
    progress.update(3);
    progress.stop();
    expect(lines.length).toBeGreaterThan(0);
    expect(createProgress({ label: 'x', total: 3, mode: 'silent' })).toBeDefined();
  });
});
