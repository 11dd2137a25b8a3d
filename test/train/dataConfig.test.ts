/** The data part of training configurations: folder and Weizmann sources, split options, bad videos. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FolderDataset } from '../../lib/data/folder';
import { bundledWeizmannRoot } from '../../lib/data/folder';
import { bundledSampleRoot } from '../../lib/data/splits';
import type { Ucf101Dataset } from '../../lib/data/ucf101';
import { resolveTrainConfig } from '../../lib/train/config';
import { dataIdentityFromConfig, datasetFromConfig, reportSkippedVideos, writeSkippedVideos } from '../../lib/train/fromConfig';
import { writeCorruptVideo, writeFixtureVideo } from '../data/videoFixtures';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-dataconfig-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const cacheDir = path.join(scratch, 'cache');
const root = path.join(scratch, 'lab');

beforeAll(() => {
  // A lab's recordings: <gesture>/<sequence>-<take>.mp4, the sequence (s1, s2, s3) is the subject.
  for (const gesture of ['point', 'swipe']) {
    for (const sequence of ['s1', 's2', 's3']) writeFixtureVideo({ file: path.join(root, gesture, `${sequence}-take1.mp4`), frames: 10 });
  }
});

const data = { source: 'folder' as const, root, subjectPattern: '^(s\\d+)-', size: 8, clipLength: 4, frameStride: 1, cacheDir };

describe('data configuration', () => {
  it('has the folder and weizmann sources and their options, with defaults', () => {
    const config = resolveTrainConfig({ data: { source: 'weizmann' } });
    expect(config.data).toMatchObject({ source: 'weizmann', clipsPerVideo: 1, badVideos: 'skip' });
    expect(config.data.root).toBeUndefined();
    expect(() => resolveTrainConfig({ data: { source: 'kth' as never } })).toThrowError(/data.source: .*"synthetic".*"ucf101".*"folder".*"weizmann"/);
    expect(() => resolveTrainConfig({ data: { badVideos: 'ignore' as never } })).toThrowError(/data.badVideos/);
    expect(() => resolveTrainConfig({ data: { fold: -1 } })).toThrowError(/data.fold/);
  });

  it('builds a folder dataset: LOPO fold, several clips per video', async () => {
    const config = resolveTrainConfig({ data: { ...data, fold: 1, clipsPerVideo: 2 } });
    const dataset = (await datasetFromConfig(config, 'silent')) as FolderDataset;
    expect(dataset.classNames).toEqual(['point', 'swipe']);
    expect(dataset.split).toEqual({ kind: 'lopo', fold: 1, testSubjects: ['s2'], trainSubjects: ['s1', 's3'] });
    expect(dataset.trainClipCount).toBe(8); // 2 classes x 2 training sequences x 2 clips
    expect(dataset.testClipCount).toBe(2 * config.data.testWindowsPerVideo);
    const fixed = (await datasetFromConfig(resolveTrainConfig({ data: { ...data, testSubjects: ['s1'] } }), 'silent')) as FolderDataset;
    expect(fixed.split.testSubjects).toEqual(['s1']);
  });

  it('a folder source needs a root and a subject pattern', async () => {
    await expect(datasetFromConfig(resolveTrainConfig({ data: { ...data, root: undefined } }), 'silent')).rejects.toThrowError(/data.root: expected the folder/);
    await expect(datasetFromConfig(resolveTrainConfig({ data: { ...data, subjectPattern: undefined } }), 'silent')).rejects.toThrowError(
      /data.subjectPattern: expected a regular expression with one capture group/,
    );
  });

  it('bad videos: listed on stderr and in the run folder with skip; the first one stops the load with fail', async () => {
    const withBad = path.join(scratch, 'lab-bad');
    fs.cpSync(root, withBad, { recursive: true });
    writeCorruptVideo(path.join(withBad, 'point', 's1-take2.mp4'));
    const config = resolveTrainConfig({ data: { ...data, root: withBad, testSubjects: ['s3'] } });
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let dataset;
    try {
      dataset = await datasetFromConfig(config, 'lines');
    } finally {
      spy.mockRestore();
    }
    const corrupt = path.join(withBad, 'point', 's1-take2.mp4');
    expect(dataset.skippedVideos?.map((item) => item.file)).toEqual([corrupt]);
    const printed = lines.join('').split('\n').filter((line) => line.includes('skipped'));
    expect(printed[0]).toBe(`folder: 1 video skipped (data.badVideos 'error' stops at the first instead):`);
    expect(printed[1]).toMatch(new RegExp(`^  skipped point/s1-take2: Could not decode video ${corrupt.replace(/[.]/g, '\\.')}`));
    const runDir = path.join(scratch, 'run');
    fs.mkdirSync(runDir);
    writeSkippedVideos(runDir, dataset);
    const written = JSON.parse(fs.readFileSync(path.join(runDir, 'skipped-videos.json'), 'utf8'));
    expect(written.dataset).toBe('folder');
    expect(written.skipped.map((item: { video: string }) => item.video)).toEqual(['point/s1-take2']);

    const failing = resolveTrainConfig({ data: { ...data, root: withBad, testSubjects: ['s3'], badVideos: 'error' } });
    await expect(datasetFromConfig(failing, 'silent')).rejects.toThrowError(/^Could not decode video .*s1-take2\.mp4/);
  });

  it('prints nothing when nothing was skipped', () => {
    const lines: string[] = [];
    reportSkippedVideos({ name: 'x', skippedVideos: [] } as never, (line) => lines.push(line));
    expect(lines).toEqual([]);
  });

  it('UCF101: data.splitDir chooses the lists (here a subset keeping the official class numbers)', async () => {
    const lists = path.join(scratch, 'lists');
    fs.mkdirSync(lists);
    // The bundled samples: g01_c01 of ApplyEyeMakeup (1), BaseballPitch (7), Basketball (8); HeadMassage (39) g02_c05.
    fs.writeFileSync(path.join(lists, 'classInd.txt'), '1 ApplyEyeMakeup\n7 BaseballPitch\n8 Basketball\n39 HeadMassage\n');
    fs.writeFileSync(path.join(lists, 'trainlist01.txt'), 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 1\nBaseballPitch/v_BaseballPitch_g01_c01.avi 7\n');
    fs.writeFileSync(path.join(lists, 'testlist01.txt'), 'Basketball/v_Basketball_g01_c01.avi\nHeadMassage/v_HeadMassage_g02_c05.avi\n');
    const config = resolveTrainConfig({
      data: { source: 'ucf101', root: bundledSampleRoot(), splitDir: lists, firstClasses: 4, size: 8, clipLength: 4, cacheDir, decode: 'upfront' },
    });
    const dataset = (await datasetFromConfig(config, 'silent')) as Ucf101Dataset;
    expect(dataset.classNames).toEqual(['ApplyEyeMakeup', 'BaseballPitch', 'Basketball', 'HeadMassage']);
    expect(dataset.trainVideos.map((video) => video.label)).toEqual([0, 1]);
    expect(dataset.testVideos.map((video) => video.label)).toEqual([2, 3]);
    expect(dataset.skippedVideos).toEqual([]);
  });

  it('a data identity, from the file lists only, tells data sources, splits and folds apart', () => {
    const weizmann = dataIdentityFromConfig(resolveTrainConfig({ data: { source: 'weizmann' } }));
    expect(weizmann).toMatchObject({ name: 'weizmann', root: bundledWeizmannRoot(), fold: null, videos: 90 });
    expect(weizmann.split).toBe('fixed subjects (test: lyova, moshe, shahar; train: daria, denis, eli, ido, ira, lena)');
    expect(weizmann.key).toMatch(/^[0-9a-f]{12}$/);
    const fold2 = dataIdentityFromConfig(resolveTrainConfig({ data: { source: 'weizmann', fold: 2 } }));
    expect(fold2.fold).toBe(2);
    expect(fold2.split).toMatch(/fold 2 of 9 \(test: eli;/);
    expect(fold2.fileListHash).toBe(weizmann.fileListHash); // same files, another split
    const synthetic = dataIdentityFromConfig(resolveTrainConfig({}));
    const ucf101 = dataIdentityFromConfig(resolveTrainConfig({ data: { source: 'ucf101', root: bundledSampleRoot() } }));
    expect(ucf101).toMatchObject({ name: 'ucf101', split: 'split 1' });
    const keys = [weizmann, fold2, synthetic, ucf101].map((identity) => identity.key);
    expect(new Set(keys).size).toBe(4);
    expect(dataIdentityFromConfig(resolveTrainConfig({ data: { source: 'weizmann' } })).key).toBe(weizmann.key);
    expect(() => dataIdentityFromConfig(resolveTrainConfig({ data: { source: 'ucf101', root: path.join(scratch, 'nowhere') } }))).toThrowError(
      /root: expected an existing UCF-101 folder/,
    );
    expect(() => dataIdentityFromConfig(resolveTrainConfig({ data: { source: 'weizmann', testSubjects: ['nobody'] } }))).toThrowError(/Received: testSubjects="nobody"/);
  });
});
