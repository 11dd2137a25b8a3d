import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeltaSparsityError } from '../../lib/util/errors';
import {
  bundledSplitDir,
  loadUcf101Split,
  parseClassIndex,
  parseClassIndexEntries,
  parseSplitList,
  selectUcf101Subset,
} from '../../lib/data/splits';

// The project's own copy (CI must not depend on /work/shared).
const listDir = path.resolve(__dirname, '..', '..', 'data', 'ucfTrainTestlist');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-splits-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('official UCF101 split files', () => {
  it('the bundled folder is the project data/ copy, with CRLF line endings as distributed', () => {
    expect(bundledSplitDir()).toBe(listDir);
    const raw = fs.readFileSync(path.join(listDir, 'trainlist01.txt'), 'latin1');
    expect(raw.includes('\r\n')).toBe(true);
    expect(raw.replace(/\r\n/g, '').includes('\n')).toBe(false);
  });

  // Expected counts: data/README.md and the UCF101 distribution (101 classes; split 1 9537/3783,
  // split 2 9586/3734, split 3 9624/3696; every split has all 13320 videos).
  it.each([
    [1, 9537, 3783],
    [2, 9586, 3734],
    [3, 9624, 3696],
  ])('split %i has %i train and %i test videos, 101 classes, no group in both', (split, train, test) => {
    const parsed = loadUcf101Split(split, listDir);
    expect(parsed.classNames).toHaveLength(101);
    expect(parsed.classNames[0]).toBe('ApplyEyeMakeup');
    expect(parsed.classNames[100]).toBe('YoYo');
    expect(parsed.train).toHaveLength(train);
    expect(parsed.test).toHaveLength(test);
    expect(train + test).toBe(13320);
    // The official splits keep each group (gGG) wholly in train or wholly in test, per class.
    const trainGroups = new Set(parsed.train.map((entry) => `${entry.className}/${entry.group}`));
    const leaked = parsed.test.filter((entry) => trainGroups.has(`${entry.className}/${entry.group}`));
    expect(leaked).toEqual([]);
    // Every class appears in both lists.
    expect(new Set(parsed.train.map((entry) => entry.classIndex)).size).toBe(101);
    expect(new Set(parsed.test.map((entry) => entry.classIndex)).size).toBe(101);
  });

  it('reads HandstandPushups/v_HandStandPushups_* (file name case differs from the folder)', () => {
    const parsed = loadUcf101Split(1, listDir);
    const handstand = parsed.train.filter((entry) => entry.className === 'HandstandPushups');
    expect(handstand.length).toBeGreaterThan(0);
    expect(handstand[0].path.startsWith('HandstandPushups/v_HandStandPushups_g')).toBe(true);
    // classInd.txt line "37 HandstandPushups": 0-based index 36.
    expect(handstand[0].classIndex).toBe(36);
  });

  it('the four sample clips are in the split-1 test list and the split-2/3 train lists (data/README.md)', () => {
    const samples = [
      'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi',
      'BaseballPitch/v_BaseballPitch_g01_c01.avi',
      'Basketball/v_Basketball_g01_c01.avi',
      'HeadMassage/v_HeadMassage_g02_c05.avi',
    ];
    const paths = (entries: { path: string }[]) => new Set(entries.map((entry) => entry.path));
    const s1 = loadUcf101Split(1, listDir);
    const s2 = loadUcf101Split(2, listDir);
    const s3 = loadUcf101Split(3, listDir);
    for (const sample of samples) {
      expect(paths(s1.test).has(sample)).toBe(true);
      expect(paths(s2.train).has(sample)).toBe(true);
      expect(paths(s3.train).has(sample)).toBe(true);
    }
  });
});

describe('subset selection', () => {
  const split1 = loadUcf101Split(1, listDir);

  it('first N classes, videos per class round-robin over groups', () => {
    const subset = selectUcf101Subset(split1, { firstClasses: 3, videosPerClass: 5, testVideosPerClass: 9 });
    expect(subset.classNames).toEqual(['ApplyEyeMakeup', 'ApplyLipstick', 'Archery']);
    expect(subset.train).toHaveLength(15);
    expect(subset.test).toHaveLength(27);
    // trainlist01 holds ApplyEyeMakeup groups g08..g25; one clip (c01) from each of the first five groups.
    expect(subset.train.filter((entry) => entry.label === 0).map((entry) => entry.id)).toEqual(
      [8, 9, 10, 11, 12].map((g) => `ApplyEyeMakeup/v_ApplyEyeMakeup_g${String(g).padStart(2, '0')}_c01`),
    );
    // testlist01 holds ApplyEyeMakeup groups g01..g07: round 1 takes c01 of all 7, round 2 c02 of g01 and g02.
    expect(subset.test.filter((entry) => entry.label === 0).map((entry) => `g${entry.group}c${entry.clip}`)).toEqual([
      'g1c1', 'g1c2', 'g2c1', 'g2c2', 'g3c1', 'g4c1', 'g5c1', 'g6c1', 'g7c1',
    ]);
    expect(new Set(subset.train.map((entry) => entry.label))).toEqual(new Set([0, 1, 2]));
  });

  it('classes by name (case-insensitive) keep official order and are relabelled 0..k-1', () => {
    const subset = selectUcf101Subset(split1, { classes: ['yoyo', 'ApplyEyeMakeup'] });
    expect(subset.classNames).toEqual(['ApplyEyeMakeup', 'YoYo']);
    // Counts from the list files: `grep -c '^YoYo/' trainlist01.txt` = 92, testlist01 = 36; ApplyEyeMakeup 101 / 44.
    expect(subset.train.filter((entry) => entry.label === 1)).toHaveLength(92);
    expect(subset.test.filter((entry) => entry.label === 1)).toHaveLength(36);
    expect(subset.train.filter((entry) => entry.label === 0)).toHaveLength(101);
    expect(subset.test.filter((entry) => entry.label === 0)).toHaveLength(44);
  });

  it('unknown class names fail with the closest names', () => {
    expect(() => selectUcf101Subset(split1, { classes: ['Basketbal'] })).toThrowError(/closest to "Basketbal": Basketball/);
    expect(() => selectUcf101Subset(split1, { classes: ['Basketbal'] })).toThrowError(DeltaSparsityError);
    expect(() => selectUcf101Subset(split1, { classes: ['Archery'], firstClasses: 2 })).toThrowError(/either classes or firstClasses/);
    expect(() => selectUcf101Subset(split1, { firstClasses: 102 })).toThrowError(/firstClasses: expected an integer from 1 to 101/);
  });
});

describe('bad split files', () => {
  const classes = ['Alpha', 'Beta'];

  it('reports the file and line of a malformed entry', () => {
    expect(() => parseSplitList('Alpha/v_Alpha_g01_c01.avi 1\r\nBeta/v_Beta_g01_c01.avi 1\r\n', 'train', classes, 'trainlist01.txt')).toThrowError(
      /trainlist01.txt:2: malformed split file line, expected label 2 for class Beta/,
    );
    expect(() => parseSplitList('Alpha/v_Alpha_g01_c01.avi\r\n', 'train', classes, 'trainlist01.txt')).toThrowError(/trainlist01.txt:1: malformed/);
    expect(() => parseSplitList('Alpha/v_Alpha_g01_c01.avi 1\r\n', 'test', classes, 'testlist01.txt')).toThrowError(/testlist01.txt:1: malformed/);
    expect(() => parseSplitList('Gamma/v_Gamma_g01_c01.avi\n', 'test', classes, 'testlist01.txt')).toThrowError(/a class folder listed in classInd.txt/);
    expect(() => parseSplitList('\r\n', 'test', classes, 'testlist01.txt')).toThrowError(/testlist01.txt: no videos found/);
    // Numbers may skip (a subset keeping the official numbers) but not repeat, and start at 1.
    expect(() => parseClassIndex('1 Alpha\r\n1 Beta\r\n', 'classInd.txt')).toThrowError(/classInd.txt:2: malformed.*a class index not used before \(line 1 has 1\)/);
    expect(() => parseClassIndex('0 Alpha\r\n', 'classInd.txt')).toThrowError(/classInd.txt:1: malformed.*a positive class index/);
    expect(() => parseClassIndex('1 Alpha\r\n2 Alpha\r\n', 'classInd.txt')).toThrowError(/classInd.txt:2: malformed.*Alpha is listed twice/);
  });

  it('a classInd.txt that keeps the official numbers (1, 10, 37) labels the classes 0..2 in file order', () => {
    // Regression (issue 13 item 10): this was rejected with "expected class index 2".
    const text = '1 ApplyEyeMakeup\r\n10 Basketball\r\n37 HandstandPushups\r\n';
    expect(parseClassIndex(text)).toEqual(['ApplyEyeMakeup', 'Basketball', 'HandstandPushups']);
    expect(parseClassIndexEntries(text).map((entry) => entry.number)).toEqual([1, 10, 37]);
    const names = parseClassIndex(text);
    // A trainlist then carries the official numbers as labels.
    const train = parseSplitList('Basketball/v_Basketball_g01_c01.avi 10\r\nHandstandPushups/v_HandStandPushups_g01_c01.avi 37\r\n', 'train', names, 'trainlist01.txt', [1, 10, 37]);
    expect(train.map((entry) => entry.classIndex)).toEqual([1, 2]);
    expect(() => parseSplitList('Basketball/v_Basketball_g01_c01.avi 2\r\n', 'train', names, 'trainlist01.txt', [1, 10, 37])).toThrowError(
      /trainlist01.txt:1: malformed split file line, expected label 10 for class Basketball/,
    );
  });

  it('a parsed CRLF list yields clean paths and 0-based class indices', () => {
    const entries = parseSplitList('Beta/v_Beta_g03_c07.avi 2\r\n', 'train', classes);
    expect(entries).toEqual([{ path: 'Beta/v_Beta_g03_c07.avi', id: 'Beta/v_Beta_g03_c07', className: 'Beta', classIndex: 1, group: 3, clip: 7 }]);
  });

  it('a missing split file or folder is named in the error', () => {
    const dir = path.join(scratch, 'lists');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(listDir, 'classInd.txt'), path.join(dir, 'classInd.txt'));
    fs.copyFileSync(path.join(listDir, 'trainlist01.txt'), path.join(dir, 'trainlist01.txt'));
    expect(() => loadUcf101Split(1, dir)).toThrowError(new RegExp(`Split file not found: ${path.join(dir, 'testlist01.txt').replace(/[.]/g, '\\.')}`));
    expect(() => loadUcf101Split(1, path.join(scratch, 'nowhere'))).toThrowError(/splitDir: expected a folder/);
    expect(() => loadUcf101Split(4, listDir)).toThrowError(/split: expected 1, 2 or 3/);
  });
});
