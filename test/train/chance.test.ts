import { describe, expect, it } from 'vitest';
import { binomialUpperTail, chanceAccuracyOfLabels, minCorrectAboveChance, testAgainstChance } from '../../lib/train/chance';

describe('chance guard (one-sided binomial test)', () => {
  it('computes binomial upper tails by hand-checkable sums', () => {
    // Bin(10, 1/2): P(X >= 9) = (C(10,9) + C(10,10)) / 2^10 = 11/1024; P(X >= 8) = (45 + 10 + 1)/1024 = 56/1024
    expect(binomialUpperTail(10, 9, 0.5)).toBeCloseTo(11 / 1024, 12);
    expect(binomialUpperTail(10, 8, 0.5)).toBeCloseTo(56 / 1024, 12);
    expect(binomialUpperTail(10, 0, 0.3)).toBe(1);
    expect(binomialUpperTail(10, 11, 0.3)).toBe(0);
  });

  it('finds the fewest correct videos that beat guessing at 5%', () => {
    // 10 videos, 2 classes: 56/1024 = 0.055 > 0.05 for 8 right, 11/1024 = 0.011 for 9 → 9.
    expect(minCorrectAboveChance(10, 2)).toBe(9);
    // 5 videos, 2 classes: only all 5 right (1/32 = 0.031) beats guessing; 4 right has 6/32 = 0.19.
    expect(minCorrectAboveChance(5, 2)).toBe(5);
    // Weizmann's fixed split: 30 test videos, 10 classes. Exact sums with fractions (Python, fractions.Fraction):
    // P(X >= 7) = 0.02583, P(X >= 6) = 0.07319 → 7 videos (23.3%).
    expect(minCorrectAboveChance(30, 10)).toBe(7);
    // LOPO over 90 videos: P(X >= 15) = 0.03327, P(X >= 14) = 0.06337 → 15.
    expect(minCorrectAboveChance(90, 10)).toBe(15);
    // Too few videos for any verdict: 3 videos of 2 classes, even 3/3 has p = 1/8.
    expect(minCorrectAboveChance(3, 2)).toBe(4);
  });

  it('gives a verdict for an accuracy', () => {
    const at = testAgainstChance(7 / 30, 30, 10);
    expect(at).toMatchObject({ correct: 7, minCorrect: 7, aboveChance: true, chanceAccuracy: 0.1 });
    expect(at.pValue).toBeCloseTo(0.025826788661909874, 10);
    expect(testAgainstChance(6 / 30, 30, 10).aboveChance).toBe(false);
    expect(() => testAgainstChance(1.2, 30, 10)).toThrow(/accuracy.*Received: accuracy=1.2/);
    expect(() => minCorrectAboveChance(30, 1)).toThrow(/classes/);
  });
});

describe('chance accuracy of an unbalanced test set (best constant predictor)', () => {
  // 10 test videos of 3 classes: 7 of class 0, 2 of class 1, 1 of class 2. Always answering class 0 gets 7/10.
  const labels = [0, 0, 0, 0, 0, 0, 0, 1, 1, 2];

  it('is the largest class share, and 1/K when balanced', () => {
    expect(chanceAccuracyOfLabels(labels)).toBeCloseTo(0.7, 12); // max(7, 2, 1) / 10
    expect(chanceAccuracyOfLabels([2, 0, 1, 1, 0, 2])).toBeCloseTo(1 / 3, 12); // 2 of each of 3 classes
    expect(() => chanceAccuracyOfLabels([])).toThrow(/labels/);
    expect(() => chanceAccuracyOfLabels([0, 1.5])).toThrow(/labels\[1\]/);
  });

  it('does not call a constant predictor above chance (regression: chance was 1/classes)', () => {
    // Old rule, p = 1/3: P(X >= 7) for Bin(10, 1/3) = (C(10,7)·2^3 + C(10,8)·2^2 + C(10,9)·2 + 1) / 3^10
    //   = (960 + 180 + 20 + 1) / 59049 = 1161/59049 = 0.01966 <= 0.05: "above chance" for 7/10.
    const old = testAgainstChance(0.7, 10, 3);
    expect(old.aboveChance).toBe(true);
    expect(old.pValue).toBeCloseTo(1161 / 59049, 12);
    // Best constant predictor, p = 0.7: P(X >= 7) for Bin(10, 0.7)
    //   = C(10,7)·0.7^7·0.3^3 + C(10,8)·0.7^8·0.3^2 + C(10,9)·0.7^9·0.3 + 0.7^10
    //   = 0.26682793 + 0.23347444 + 0.12106082 + 0.02824752 = 0.64961071: not above chance.
    // Fewest correct: P(X >= 10) = 0.7^10 = 0.0282 <= 0.05 but P(X >= 9) = 0.1493 > 0.05 → 10 of 10.
    const fair = testAgainstChance(0.7, 10, { testVideoLabels: labels });
    expect(fair).toMatchObject({ correct: 7, minCorrect: 10, aboveChance: false });
    expect(fair.chanceAccuracy).toBeCloseTo(0.7, 12);
    expect(fair.pValue).toBeCloseTo(0.64961071, 7);
    expect(testAgainstChance(1, 10, { testVideoLabels: labels }).aboveChance).toBe(true);
  });

  it('agrees with 1/classes on a balanced test set', () => {
    // Weizmann's fixed split: 3 test videos of each of 10 classes.
    const balanced = Array.from({ length: 30 }, (_, i) => i % 10);
    expect(testAgainstChance(7 / 30, 30, { testVideoLabels: balanced })).toEqual(testAgainstChance(7 / 30, 30, 10));
    expect(() => testAgainstChance(0.5, 10, { testVideoLabels: balanced })).toThrow(/testVideoLabels\.length.*Received: testVideoLabels\.length=30/);
  });
});
