/**
 * UCF101 roots as users have them: the folder above UCF-101/, split lists that keep the official class numbers,
 * clips re-encoded to .mp4, file names whose case differs from the lists, and classes whose videos are missing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUcf101Dataset, prepareUcf101, resolveUcf101Root } from '../../lib/data/ucf101';
import { VideoFileResolver } from '../../lib/data/videoFiles';
import { writeFixtureVideo } from './videoFixtures';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ds-ucffiles-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const cacheDir = path.join(scratch, 'cache');
// <top>/UCF-101/<Class>/... and <top>/ucfTrainTestlist/, as the official archives unpack.
const top = path.join(scratch, 'download');
const videos = path.join(top, 'UCF-101');
const lists = path.join(top, 'ucfTrainTestlist');

beforeAll(() => {
  // On disk: ApplyEyeMakeup re-encoded as .mp4; HandstandPushups renamed to the folder's casing.
  writeFixtureVideo({ file: path.join(videos, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.mp4'), frames: 10, green: 10 });
  writeFixtureVideo({ file: path.join(videos, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g08_c01.avi'), frames: 10, green: 20 });
  writeFixtureVideo({ file: path.join(videos, 'Basketball', 'v_Basketball_g01_c01.avi'), frames: 10, green: 30 });
  writeFixtureVideo({ file: path.join(videos, 'Basketball', 'v_Basketball_g08_c01.avi'), frames: 10, green: 40 });
  writeFixtureVideo({ file: path.join(videos, 'HandstandPushups', 'v_HandstandPushups_g01_c01.avi'), frames: 10, green: 50 });
  writeFixtureVideo({ file: path.join(videos, 'HandstandPushups', 'v_HandstandPushups_g08_c01.avi'), frames: 10, green: 60 });
  fs.mkdirSync(lists, { recursive: true });
  // A subset's classInd.txt keeping the official numbers.
  fs.writeFileSync(path.join(lists, 'classInd.txt'), '1 ApplyEyeMakeup\r\n10 Basketball\r\n37 HandstandPushups\r\n');
  fs.writeFileSync(
    path.join(lists, 'trainlist01.txt'),
    'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 1\r\nBasketball/v_Basketball_g01_c01.avi 10\r\nBasketball/v_Basketball_g01_c02.avi 10\r\nHandstandPushups/v_HandStandPushups_g01_c01.avi 37\r\n',
  );
  fs.writeFileSync(
    path.join(lists, 'testlist01.txt'),
    'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi\r\nBasketball/v_Basketball_g08_c01.avi\r\nHandstandPushups/v_HandStandPushups_g08_c01.avi\r\n',
  );
});

const options = { split: 1, size: 8, frameStride: 1, clipLength: 4, cacheDir, progress: 'silent' as const };

describe('finding video files', () => {
  it('a clip listed as .avi is found as .mp4 by its stem, and names that differ in case only are found', () => {
    const resolver = new VideoFileResolver();
    expect(resolver.resolve(path.join(videos, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.avi'))).toBe(path.join(videos, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.mp4'));
    expect(resolver.resolve(path.join(videos, 'HandstandPushups', 'v_HandStandPushups_g01_c01.avi'))).toBe(
      path.join(videos, 'HandstandPushups', 'v_HandstandPushups_g01_c01.avi'),
    );
    // An exact name wins.
    expect(resolver.resolve(path.join(videos, 'Basketball', 'v_Basketball_g01_c01.avi'))).toBe(path.join(videos, 'Basketball', 'v_Basketball_g01_c01.avi'));
  });

  it('a name that still cannot be found is an error naming the nearest existing file', () => {
    const resolver = new VideoFileResolver();
    const missing = path.join(videos, 'Basketball', 'v_Basketball_g01_c02.avi');
    // Edit distance: g01_c01 is 1 away from g01_c02, g08_c01 is 2 away.
    expect(() => resolver.resolve(missing)).toThrowError(`Video not found: ${missing} (nearest existing file: ${path.join(videos, 'Basketball', 'v_Basketball_g01_c01.avi')})`);
    expect(() => resolver.resolve(path.join(videos, 'Archery', 'v_Archery_g01_c01.avi'))).toThrowError(/the folder .*Archery does not exist/);
  });
});

describe('UCF101 roots as downloaded', () => {
  it('accepts the folder above UCF-101/ and the UCF-101 folder itself; lists with official numbers label 0..2', async () => {
    for (const root of [top, videos]) {
      const dataset = await createUcf101Dataset({ ...options, root, splitDir: root === videos ? lists : undefined, badVideos: 'skip' });
      expect(dataset.classNames).toEqual(['ApplyEyeMakeup', 'Basketball', 'HandstandPushups']);
      expect(dataset.trainVideos.map((video) => [video.id, video.label])).toEqual([
        ['ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01', 0],
        ['Basketball/v_Basketball_g01_c01', 1],
        ['HandstandPushups/v_HandStandPushups_g01_c01', 2],
      ]);
      // The .mp4 and the differently-cased file were decoded from the files on disk.
      expect(dataset.trainVideos[0].file).toBe(path.join(videos, 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.mp4'));
      expect(dataset.trainVideos[2].file).toBe(path.join(videos, 'HandstandPushups', 'v_HandstandPushups_g01_c01.avi'));
      expect(dataset.trainVideos[0].frameCount).toBe(10);
      expect(dataset.testVideos.length).toBe(3);
      // The one listed video that is missing is listed with the nearest existing file.
      expect(dataset.skippedVideos.map((item) => item.video)).toEqual(['Basketball/v_Basketball_g01_c02']);
      expect(dataset.skippedVideos[0].reason).toMatch(/nearest existing file: .*v_Basketball_g01_c01\.avi/);
    }
  });

  it('badVideos error stops at the missing video; a missing root is the same error everywhere', async () => {
    await expect(createUcf101Dataset({ ...options, root: top })).rejects.toThrowError(/Video not found: .*v_Basketball_g01_c02\.avi/);
    const nowhere = path.join(scratch, 'nowhere');
    expect(() => resolveUcf101Root(nowhere)).toThrowError(/root: expected an existing UCF-101 folder/);
    await expect(prepareUcf101({ ...options, root: nowhere })).rejects.toThrowError(/root: expected an existing UCF-101 folder/);
  });

  it('a class without any usable video is an error naming it, even when skipping bad videos', async () => {
    // Regression (issue 13 item 1): Archery listed, its folder absent: training used to go on without it.
    const withArchery = path.join(scratch, 'lists-archery');
    fs.mkdirSync(withArchery, { recursive: true });
    fs.writeFileSync(path.join(withArchery, 'classInd.txt'), '1 ApplyEyeMakeup\n5 Archery\n10 Basketball\n');
    fs.writeFileSync(path.join(withArchery, 'trainlist01.txt'), 'ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01.avi 1\nArchery/v_Archery_g01_c01.avi 5\nBasketball/v_Basketball_g01_c01.avi 10\n');
    fs.writeFileSync(path.join(withArchery, 'testlist01.txt'), 'ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi\nBasketball/v_Basketball_g08_c01.avi\n');
    const run = createUcf101Dataset({ ...options, root: top, splitDir: withArchery, badVideos: 'skip' });
    await expect(run).rejects.toThrowError(/class Archery has no usable training video \(1 listed\); first reason: Video not found: .*Archery/);
    // With background decoding the same check runs before training starts.
    await expect(createUcf101Dataset({ ...options, root: top, splitDir: withArchery, badVideos: 'skip', decode: 'background' })).rejects.toThrowError(
      /class Archery has no usable training video/,
    );
  });
});
