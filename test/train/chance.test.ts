import { describe, expect, it } from 'vitest';
import { binomialUpperTail, minCorrectAboveChance, testAgainstChance } from '../../lib/train/chance';

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
