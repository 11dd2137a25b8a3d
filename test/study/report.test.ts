import { describe, expect, it } from 'vitest';
import { fixedSplitCaveat } from '../../lib/study/report';
import type { StudyDataset } from '../../lib/study/types';

const weizmann: StudyDataset = {
  name: 'weizmann',
  protocol: 'split',
  split: 'fixed subjects',
  testSubjects: ['lyova', 'moshe', 'shahar'],
  trainSubjects: ['daria'],
  classes: ['bend', 'jack'],
  trainClips: 240,
  testClips: 60,
  testVideos: 30,
  clipLength: 8,
  size: 32,
  seeds: [1],
  skippedVideos: [],
};

describe('fixedSplitCaveat (the report says the fixed split chose the settings)', () => {
  it('warns that there is no validation split and names leave-one-subject-out for data split by subject', () => {
    const text = fixedSplitCaveat(weizmann);
    expect(text).toMatch(/No validation split/);
    expect(text).toMatch(/optimistic/);
    expect(text).toMatch(/One test video is 3\.3 points/); // 100 / 30
    expect(text).toMatch(/--protocol lopo/);
  });

  it('names no LOPO where there are no subjects, and says nothing on the LOPO report', () => {
    const { testSubjects: _t, trainSubjects: _s, ...ucf } = weizmann;
    const text = fixedSplitCaveat({ ...ucf, name: 'ucf101', testVideos: 200 });
    expect(text).toMatch(/No validation split/);
    expect(text).toMatch(/One test video is 0\.5 points/);
    expect(text).not.toMatch(/lopo/);
    expect(fixedSplitCaveat({ ...weizmann, protocol: 'lopo' })).toBe('');
  });
});
