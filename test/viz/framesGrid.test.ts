import { describe, expect, it } from 'vitest';
import { framePng, framesGridFigure, type FrameImage } from '../../lib/viz/framesGrid';
import { figureToPng, findChromium } from '../../lib/viz/chromium';
import { classExamples } from '../../lib/data/examples';
import { createSyntheticDataset } from '../../lib/data/synthetic';
import { countColor, decodePng } from './png';

/** A frame of one colour, [H, W, 3] in [0, 1]. */
function solid(height: number, width: number, rgb: [number, number, number]): FrameImage {
  return { height, width, pixels: Float32Array.from({ length: height * width * 3 }, (_, i) => rgb[i % 3]) };
}

describe('framePng', () => {
  it('encodes RGB in [0, 1] as 8-bit, clamped, each pixel enlarged scale x scale', () => {
    // 1 row, 2 pixels: (1.5 -> 255, -0.2 -> 0, 0.5 -> round(127.5) = 128) and (0, 0, 1).
    const png = decodePng(framePng({ height: 1, width: 2, pixels: [1.5, -0.2, 0.5, 0, 0, 1] }, 2));
    expect([png.width, png.height, png.channels]).toEqual([4, 2, 3]);
    const row = [255, 0, 128, 255, 0, 128, 0, 0, 255, 0, 0, 255];
    expect(Array.from(png.pixels)).toEqual([...row, ...row]);
  });

  it('rejects a pixel count that is not H·W·3', () => {
    expect(() => framePng({ height: 2, width: 2, pixels: [0, 0, 0] })).toThrow(/pixels: expected H·W·3 = 12 values.*Received: .*3 values/);
  });
});

describe('framesGridFigure', () => {
  const red = solid(8, 8, [1, 0, 0]);
  const blue = solid(8, 8, [0, 0, 1]);
  const figure = framesGridFigure({
    title: 'one clip per class',
    columns: [{ label: 'walk', frames: [red, red, red] }, { label: 'jump', frames: [blue, blue, blue] }],
    rowLabels: ['frame 0', 'frame 3', 'frame 7'],
  });

  it('has one image trace per frame on its own hidden axes, column by column, and the labels as annotations', () => {
    expect(figure.data).toHaveLength(6);
    expect(figure.data.every((t) => t.type === 'image' && t.source?.startsWith('data:image/png;base64,'))).toBe(true);
    expect(figure.data.map((t) => t.xaxis)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5', 'x6']);
    expect(figure.data.map((t) => t.name)).toEqual(['walk, row 1', 'walk, row 2', 'walk, row 3', 'jump, row 1', 'jump, row 2', 'jump, row 3']);
    expect(figure.layout.xaxis1?.visible).toBe(false);
    // Column 0 left of column 1; row 0 above row 1.
    expect(figure.layout.xaxis1!.domain![1]).toBeLessThan(figure.layout.xaxis4!.domain![0]);
    expect(figure.layout.yaxis1!.domain![0]).toBeGreaterThan(figure.layout.yaxis2!.domain![1]);
    expect(figure.layout.annotations?.map((a) => a.text)).toEqual(['walk', 'jump', 'frame 0', 'frame 3', 'frame 7']);
    // 8 px frames in 96 px cells: enlarged 12 times.
    const png = decodePng(Buffer.from(figure.data[0].source!.split(',')[1], 'base64'));
    expect([png.width, png.height]).toEqual([96, 96]);
  });

  it('rejects columns with different numbers of frames', () => {
    expect(() => framesGridFigure({ columns: [{ label: 'a', frames: [red] }, { label: 'b', frames: [red, red] }] })).toThrow(
      /columns\[1\]\.frames: expected 1 frame\(s\), as every column.*Received: .*2 frame\(s\)/,
    );
  });

  it.skipIf(!findChromium())('draws the frames in headless Chromium', () => {
    const png = decodePng(figureToPng(figure, { width: figure.layout.width, height: figure.layout.height }));
    // 3 frames of 96 x 96 px per colour (a few edge pixels may be blended): close to 3·96² = 27648 each.
    expect(countColor(png, '#ff0000')).toBeGreaterThan(0.9 * 27648);
    expect(countColor(png, '#0000ff')).toBeGreaterThan(0.9 * 27648);
  });
});

describe('classExamples', () => {
  it('returns the first test clip of every class, in class order, with its frames', async () => {
    const dataset = createSyntheticDataset({ trainPerClass: 2, testPerClass: 2, height: 8, width: 8, clipLength: 3 });
    const examples = await classExamples(dataset);
    expect(examples.map((e) => e.className)).toEqual(dataset.classNames);
    // The first test clip of each label, found by a plain scan of the test batches.
    const firstIds = new Map<number, { id: string; first: number[] }>();
    for await (const batch of dataset.testBatches({ batchSize: 5 })) {
      for (let b = 0; b < batch.labels.length; b++) {
        if (!firstIds.has(batch.labels[b])) firstIds.set(batch.labels[b], { id: batch.videoIds[b], first: Array.from(batch.clips.slice(b * 3 * 192, b * 3 * 192 + 192)) });
      }
    }
    examples.forEach((example, label) => {
      expect(example.videoId).toBe(firstIds.get(label)!.id);
      expect(example.frames).toHaveLength(3);
      expect(Array.from(example.frames[0].pixels)).toEqual(firstIds.get(label)!.first);
    });
  });
});
