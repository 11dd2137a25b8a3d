import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVideoClip } from '../../lib/data/loadClip';
import { bundledSampleRoot } from '../../lib/data/splits';

const sample = path.join(bundledSampleRoot(), 'ApplyEyeMakeup', 'v_ApplyEyeMakeup_g01_c01.avi');

describe('loadVideoClip', () => {
  it('cuts the requested frames of the real sample clip out of the decoded video', async () => {
    const clip = await loadVideoClip(sample, { frames: 6, size: 16, offset: 10 });
    expect(clip.shape).toEqual([1, 6, 16, 16, 3]);
    expect(clip.videoIds).toEqual(['ApplyEyeMakeup/v_ApplyEyeMakeup_g01_c01']);
    // Frame t of the clip is frame 10 + t of the video, scaled from bytes to [0, 1].
    const frameBytes = 16 * 16 * 3;
    for (const i of [0, frameBytes * 3 + 17, frameBytes * 6 - 1]) {
      expect(clip.clips[i]).toBeCloseTo(clip.video.frames[10 * frameBytes + i] / 255, 6);
    }
  });

  it('names the file and the frame counts when the video is too short', async () => {
    // The sample has 164 frames (data/README.md, ffprobe); at stride 2 that is 82.
    await expect(loadVideoClip(sample, { frames: 80, size: 8, frameStride: 2, offset: 5 })).rejects.toThrow(
      /v_ApplyEyeMakeup_g01_c01\.avi: has 82 frames at frameStride=2; a clip of frames=80 from offset=5 needs 85/,
    );
  });
});
