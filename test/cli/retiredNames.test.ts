/**
 * Retired command-line names still work once, with one deprecation line (MIGRATION.md): `data density --quantum`
 * is read as `--threshold`. This file names the retired flag on purpose (allowed in test/architecture/vocabulary.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli, runBuiltCli } from './builtCli';

const run = (args: string[]) => runBuiltCli(args);

beforeAll(requireBuiltCli);

describe('data density --threshold (was --quantum)', () => {
  // The embedded synthetic set at 8x8, 3 frames: small enough for a few seconds per run.
  const small = ['data', 'density', '--size', '8', '--clip-length', '3', '--json'];

  it('the retired flag gives the same measurement as --threshold, with one deprecation line; --help lists only --threshold', () => {
    const renamed = run([...small, '--threshold', '0.1']);
    const retired = run([...small, '--quantum', '0.1']);
    expect(renamed.status, renamed.stderr).toBe(0);
    expect(retired.status, retired.stderr).toBe(0);
    const a = JSON.parse(renamed.stdout) as { threshold: number; mean: number; clips: number };
    const b = JSON.parse(retired.stdout) as { threshold: number; mean: number; clips: number };
    expect(b.threshold).toBe(0.1);
    expect(b).toEqual(a);
    const deprecations = (text: string) => text.split('\n').filter((line) => line.includes('deprecated'));
    expect(deprecations(retired.stderr)).toEqual(['delta-sparsity: data density --quantum is deprecated; use --threshold (see MIGRATION.md).']);
    expect(deprecations(renamed.stderr)).toEqual([]);
    // The human line names the threshold q it used.
    expect(renamed.stderr).toContain('q=0.1');
    const help = run(['data', 'density', '--help']).stdout;
    expect(help).toContain('--threshold <q>');
    expect(help).not.toContain('quantum');
  });

  it('defaults to q = 0.05 and refuses a threshold outside (0, 1] naming --threshold', () => {
    const byDefault = JSON.parse(run(small).stdout) as { threshold: number };
    expect(byDefault.threshold).toBe(0.05);
    const bad = run([...small, '--threshold', '0']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('error: --threshold: expected a number in (0, 1]. Received: --threshold="0"');
  });
});
