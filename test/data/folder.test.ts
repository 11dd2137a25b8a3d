import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WEIZMANN_SUBJECT_PATTERN,
  bundledWeizmannRoot,
  createFolderDataset,
  createWeizmannDataset,
  defaultTestSubjects,
  folderDatasetIdentity,
  folderSubjects,
  leaveOneSubjectOutFolds,
  resolveSubjectSplit,
  scanVideoFolder,
} from '../../lib/data/folder';
import type { ClipBatch } from '../../lib/data/types';
import { redOfFrame, writeCorruptVideo, writeFixtureVideo } from './videoFixtures';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-folder-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const cacheDir = path.join(scratch, 'cache');

// Two classes x three people, one video each, in three containers; the person is the name before '_'.
const root = path.join(scratch, 'actions');
const people = ['ann', 'bob', 'cy'];
const extensions = ['.avi', '.mp4', '.mkv'];
const classes = ['clap', 'wave'];
const FRAMES = 12;

beforeAll(() => {
  classes.forEach((className, c) => {
    people.forEach((person, p) => {
      writeFixtureVideo({ file: path.join(root, className, `${person}_${className}${extensions[p]}`), frames: FRAMES, green: 60 + 100 * c, blue: 40 + 60 * p });
    });
  });
  fs.writeFileSync(path.join(root, 'clap', 'notes.txt'), 'not a video');
});

async function collect(generator: AsyncGenerator<ClipBatch>): Promise<ClipBatch[]> {
  const batches: ClipBatch[] = [];
  for await (const batch of generator) batches.push(batch);
  return batches;
}

const base = { root, subjectPattern: '^([a-z]+)_', cacheDir, size: 8, frameStride: 1, clipLength: 4, progress: 'silent' as const };

describe('scanning a folder of labelled videos', () => {
  it('finds classes in sorted order, every container, and the subject of each file', () => {
    const scan = scanVideoFolder(root, '^([a-z]+)_');
    expect(scan.classNames).toEqual(['clap', 'wave']);
    expect(scan.subjects).toEqual(['ann', 'bob', 'cy']);
    // notes.txt is not a video; the .mp4 and .mkv files are.
    expect(scan.videos.map((video) => `${video.relativePath}:${video.subject}:${video.label}`)).toEqual([
      'clap/ann_clap.avi:ann:0',
      'clap/bob_clap.mp4:bob:0',
      'clap/cy_clap.mkv:cy:0',
      'wave/ann_wave.avi:ann:1',
      'wave/bob_wave.mp4:bob:1',
      'wave/cy_wave.mkv:cy:1',
    ]);
    expect(scan.videos[1].id).toBe('clap/bob_clap');
  });

  it('leave-one-subject-out: fold k tests the k-th sorted subject, and no fold shares a subject', () => {
    const folds = leaveOneSubjectOutFolds(['cy', 'ann', 'bob']);
    expect(folds.map((fold) => fold.testSubjects)).toEqual([['ann'], ['bob'], ['cy']]);
    for (const fold of folds) {
      expect(fold.trainSubjects.filter((subject) => fold.testSubjects.includes(subject))).toEqual([]);
      expect([...fold.trainSubjects, ...fold.testSubjects].sort()).toEqual(['ann', 'bob', 'cy']);
    }
    // Default fixed split: the last ceil(S/3) subjects. 3 subjects: 1 (cy); 9 subjects: 3; 4 subjects: 2.
    expect(defaultTestSubjects(['ann', 'bob', 'cy'])).toEqual(['cy']);
    expect(defaultTestSubjects(['a', 'b', 'c', 'd'])).toEqual(['c', 'd']);
  });

  it('the identity hash depends on the file list and the split', () => {
    const scan = scanVideoFolder(root, '^([a-z]+)_');
    const split = resolveSubjectSplit(scan, { fold: 0 });
    const same = folderDatasetIdentity(scanVideoFolder(root, '^([a-z]+)_'), split);
    expect(folderDatasetIdentity(scan, split)).toEqual(same);
    expect(same.split).toEqual({ kind: 'lopo', fold: 0, testSubjects: ['ann'], trainSubjects: ['bob', 'cy'] });
    const fewer = { ...scan, videos: scan.videos.slice(1) };
    expect(folderDatasetIdentity(fewer, split).fileListHash).not.toBe(same.fileListHash);
  });
});

describe('folder dataset', () => {
  it('decodes .avi, .mp4 and .mkv; every fold keeps each subject on one side', async () => {
    for (let fold = 0; fold < people.length; fold++) {
      const dataset = await createFolderDataset({ ...base, fold });
      const description = dataset.describe();
      expect(description.testSubjects).toEqual([people[fold]]);
      expect(description.split).toMatch(new RegExp(`fold ${fold} of 3`));
      const trainSubjects = new Set(dataset.trainVideos.map((video) => video.subject));
      const testSubjects = new Set(dataset.testVideos.map((video) => video.subject));
      expect([...testSubjects]).toEqual([people[fold]]);
      expect([...trainSubjects].filter((subject) => testSubjects.has(subject))).toEqual([]);
      expect(dataset.trainClipCount).toBe(4); // 2 classes x 2 training people
      expect(dataset.testClipCount).toBe(2);
      expect(dataset.skippedVideos).toEqual([]);
    }
  });

  it('frames come out in order with the right colours (the .mp4 video included)', async () => {
    const dataset = await createFolderDataset({ ...base, testSubjects: ['bob'] });
    const [batch] = await collect(dataset.testBatches({ batchSize: 8 }));
    expect(batch.videoIds).toEqual(['clap/bob_clap', 'wave/bob_wave']);
    expect(Array.from(batch.labels)).toEqual([0, 1]);
    // Centre window of 12 frames, T=4: offset floor((12-4)/2) = 4, so frames 4..7: red 60, 70, 80, 90.
    expect(Array.from(batch.offsets)).toEqual([4, 4]);
    const frame = 8 * 8 * 3;
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 4; t++) {
        const at = (b * 4 + t) * frame + (4 * 8 + 4) * 3; // centre pixel
        expect(Math.abs(batch.clips[at] * 255 - redOfFrame(4 + t))).toBeLessThan(6);
        // Green: 60 (clap) or 160 (wave); codec error a few units.
        expect(Math.abs(batch.clips[at + 1] * 255 - (60 + 100 * b))).toBeLessThan(6);
      }
    }
  });

  it('several random windows per video per epoch, reproducible from the seed', async () => {
    const dataset = await createFolderDataset({ ...base, testSubjects: ['cy'], clipsPerVideo: 3, seed: 5 });
    expect(dataset.trainClipCount).toBe(12); // 4 training videos x 3
    const epoch = await collect(dataset.trainBatches({ batchSize: 5, epoch: 0 }));
    const ids = epoch.flatMap((batch) => batch.videoIds);
    expect(ids.length).toBe(12);
    for (const id of new Set(ids)) expect(ids.filter((other) => other === id).length).toBe(3);
    const again = await collect(dataset.trainBatches({ batchSize: 5, epoch: 0 }));
    expect(again.flatMap((batch) => Array.from(batch.offsets))).toEqual(epoch.flatMap((batch) => Array.from(batch.offsets)));
  });
});

describe('folder dataset: bad input is a one-line error naming the folder, pattern or subject', () => {
  it('a folder with fewer than 2 classes', () => {
    const single = path.join(scratch, 'single');
    writeFixtureVideo({ file: path.join(single, 'clap', 'ann_clap.avi'), frames: 4 });
    expect(() => scanVideoFolder(single, '^([a-z]+)_')).toThrowError(/at least 2 class folders.*has 1\. Received: root=".*single"/);
    expect(() => scanVideoFolder(path.join(scratch, 'nowhere'), '^(x)')).toThrowError(/root: expected an existing folder.*nowhere/);
  });

  it('a class folder with no video', () => {
    const empty = path.join(scratch, 'empty-class');
    writeFixtureVideo({ file: path.join(empty, 'clap', 'ann_clap.avi'), frames: 4 });
    fs.mkdirSync(path.join(empty, 'wave'));
    fs.writeFileSync(path.join(empty, 'wave', 'readme.txt'), '');
    expect(() => scanVideoFolder(empty, '^([a-z]+)_')).toThrowError(new RegExp(`Class folder ${path.join(empty, 'wave')} holds no video`));
  });

  it('a subject pattern that matches no file, or without exactly one capture group', () => {
    expect(() => scanVideoFolder(root, '^person(\\d+)')).toThrowError(/subjectPattern: expected a pattern whose capture group matches.*Received: subjectPattern="\^person/);
    expect(() => scanVideoFolder(root, '^[a-z]+_')).toThrowError(/exactly one capture group \(it has 0\)/);
    expect(() => scanVideoFolder(root, '^([a-z])([a-z]+)_')).toThrowError(/exactly one capture group \(it has 2\)/);
    expect(() => scanVideoFolder(root, '^(bob)_')).toThrowError(/matches no subject in 4 of 6 files.*clap\/ann_clap\.avi/);
    expect(() => scanVideoFolder(root, '([')).toThrowError(/subjectPattern: expected a valid regular expression/);
  });

  it('a fold or test subject that does not exist', async () => {
    await expect(createFolderDataset({ ...base, fold: 3 })).rejects.toThrowError(/fold: expected a fold index from 0 to 2 \(subjects in sorted order: ann, bob, cy\)\. Received: fold=3/);
    await expect(createFolderDataset({ ...base, testSubjects: ['bobb'] })).rejects.toThrowError(/testSubjects: expected subjects found under .*closest: bob.*Received: testSubjects="bobb"/);
    await expect(createFolderDataset({ ...base, testSubjects: ['ann'], fold: 0 })).rejects.toThrowError(/either testSubjects or fold/);
    await expect(createFolderDataset({ ...base, testSubjects: ['ann', 'bob', 'cy'] })).rejects.toThrowError(/at least one for training/);
  });

  it('a video that fails to decode is listed with its reason, or stops the load; a class left empty is an error', async () => {
    const bad = path.join(scratch, 'with-corrupt');
    for (const className of ['clap', 'wave']) {
      for (const person of ['ann', 'bob']) writeFixtureVideo({ file: path.join(bad, className, `${person}_${className}.avi`), frames: 6 });
    }
    writeCorruptVideo(path.join(bad, 'wave', 'cy_wave.mp4'));
    writeFixtureVideo({ file: path.join(bad, 'clap', 'cy_clap.avi'), frames: 6 });
    const options = { ...base, root: bad, testSubjects: ['cy'] };
    const corrupt = path.join(bad, 'wave', 'cy_wave.mp4');
    await expect(createFolderDataset(options)).rejects.toThrowError(new RegExp(`Could not decode video ${corrupt.replace(/[.]/g, '\\.')}`));
    // Skipping: the test part of class wave then has no video, which is an error naming the class.
    await expect(createFolderDataset({ ...options, badVideos: 'skip' })).rejects.toThrowError(/class wave has no usable test video \(1 listed\); first reason: Could not decode video/);
    // With the bad video in training (bob and cy train), it is listed and the rest loads.
    const skipping = await createFolderDataset({ ...options, testSubjects: ['ann'], badVideos: 'skip' });
    expect(skipping.skippedVideos.map((item) => [item.video, item.file])).toEqual([['wave/cy_wave', corrupt]]);
    expect(skipping.skippedVideos[0].reason).toMatch(/^Could not decode video/);
    expect(skipping.trainClipCount).toBe(3);
    expect(skipping.describe().skipped).toEqual(skipping.skippedVideos);
  });

  it('a video too short for a clip is listed as too short', async () => {
    const dataset = await createFolderDataset({ ...base, clipLength: 4, frameStride: 4, testSubjects: ['ann'], badVideos: 'skip' }).catch((error: Error) => error);
    // 12 frames at stride 4: frames 0, 4, 8 = 3 < clipLength 4, for every video: every class is empty.
    expect(dataset).toBeInstanceOf(Error);
    expect((dataset as Error).message).toMatch(/classes clap, wave have no usable training video \(2, 2 listed\); first reason: Video too short: .*has 3 frames at frameStride=4/);
  });
});

describe('Weizmann', () => {
  it('the bundled set: 10 actions, 9 people, 90 clips; default test people lyova, moshe, shahar', () => {
    const { subjects, folds, scan } = folderSubjects(bundledWeizmannRoot(), WEIZMANN_SUBJECT_PATTERN);
    expect(subjects).toEqual(['daria', 'denis', 'eli', 'ido', 'ira', 'lena', 'lyova', 'moshe', 'shahar']);
    expect(scan.classNames).toEqual(['bend', 'jack', 'jump', 'pjump', 'run', 'side', 'skip', 'walk', 'wave1', 'wave2']);
    expect(scan.videos.length).toBe(90);
    expect(folds.length).toBe(9);
    const split = resolveSubjectSplit(scan);
    expect(split).toEqual({ kind: 'fixed', testSubjects: ['lyova', 'moshe', 'shahar'], trainSubjects: ['daria', 'denis', 'eli', 'ido', 'ira', 'lena'] });
    // The manifest lists the same 90 files with the same subjects.
    const manifest = fs.readFileSync(path.join(bundledWeizmannRoot(), 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
    const listed = manifest.map((line) => line.split(',')).map(([file, , subject]) => `${file}:${subject}`).sort();
    expect(scan.videos.map((video) => `${video.relativePath}:${video.subject}`).sort()).toEqual(listed);
  });

  it('loads real Weizmann clips (two people, two actions) with the frame counts of the manifest', async () => {
    const small = path.join(scratch, 'weizmann-small');
    for (const action of ['bend', 'jack']) {
      for (const person of ['daria', 'ido']) {
        fs.mkdirSync(path.join(small, action), { recursive: true });
        fs.copyFileSync(path.join(bundledWeizmannRoot(), action, `${person}_${action}.avi`), path.join(small, action, `${person}_${action}.avi`));
      }
    }
    const dataset = await createWeizmannDataset({ root: small, cacheDir, size: 16, frameStride: 1, clipLength: 8, progress: 'silent' });
    expect(dataset.name).toBe('weizmann');
    // Default split of 2 people: the last ceil(2/3) = 1, ido.
    expect(dataset.split.testSubjects).toEqual(['ido']);
    const frames = new Map(
      fs.readFileSync(path.join(bundledWeizmannRoot(), 'manifest.csv'), 'utf8').trim().split('\n').slice(1)
        .map((line) => line.split(','))
        .map(([file, , , count]) => [file.replace(/\.avi$/, ''), Number(count)]),
    );
    for (const video of [...dataset.trainVideos, ...dataset.testVideos]) {
      expect(Math.abs(video.frameCount - (frames.get(video.id) as number)), video.id).toBeLessThanOrEqual(1);
      expect(video.entry.header.info).toMatchObject({ width: 180, height: 144, fps: 25 });
    }
    const [batch] = await collect(dataset.testBatches({ batchSize: 4 }));
    expect(batch.shape).toEqual([2, 8, 16, 16, 3]);
  });
});
