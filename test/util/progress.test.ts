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
