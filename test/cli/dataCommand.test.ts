/** `delta-sparsity data describe` on folders and missing roots (the built CLI; npm test builds dist/ first). */
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuiltCli, runBuiltCli } from './builtCli';

const root = repoRoot;
const run = (args: string[]) => runBuiltCli(args);

beforeAll(requireBuiltCli);

describe('data describe', () => {
  it('a missing --root is the one-line error prepare gives, with exit 1 (it used to describe the bundled lists)', () => {
    const missing = path.join(root, 'no-such-ucf101-folder');
    const described = run(['data', 'describe', '--root', missing]);
    const prepared = run(['data', 'prepare', '--root', missing]);
    expect(described.status).toBe(1);
    expect(described.stderr.trim()).toBe(`error: root: expected an existing UCF-101 folder holding <Class>/v_<Class>_gGG_cCC.avi, or the folder above it holding UCF-101/ (see data/README.md). Received: root=${JSON.stringify(missing)}`);
    expect(prepared.stderr.trim()).toBe(described.stderr.trim());
    expect(prepared.status).toBe(1);
  });

  it('--weizmann --json: 10 classes, 9 subjects, the fixed split and a file-list hash, without decoding', () => {
    const { status, stdout } = run(['data', 'describe', '--weizmann', '--json']);
    expect(status).toBe(0);
    const described = JSON.parse(stdout);
    expect(described.name).toBe('weizmann');
    expect(described.classes).toHaveLength(10);
    expect(described.subjects).toHaveLength(9);
    expect(described.split).toEqual({ kind: 'fixed', testSubjects: ['lyova', 'moshe', 'shahar'], trainSubjects: ['daria', 'denis', 'eli', 'ido', 'ira', 'lena'] });
    // 10 actions x 6 training people, 10 x 3 test people.
    expect(described.classes.every((entry: { train: number; test: number }) => entry.train === 6 && entry.test === 3)).toBe(true);
    expect(described.fileListHash).toMatch(/^[0-9a-f]{16}$/);
    const fold = JSON.parse(run(['data', 'describe', '--weizmann', '--fold', '3', '--json']).stdout);
    expect(fold.split.testSubjects).toEqual(['ido']);
    const unknown = run(['data', 'describe', '--weizmann', '--test-subjects', 'moshe,bob']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^error: testSubjects: expected subjects found under .*Received: testSubjects="bob"\n$/);
  });
});
