/**
 * Is a test accuracy above chance? A one-sided exact binomial test: under the null hypothesis each of the n
 * test videos is right with probability p, the chance accuracy, and the number right is Binomial(n, p). The
 * accuracy is above chance at level α when P(X ≥ correct) ≤ α.
 * The chance accuracy is that of the best constant predictor, max_k n_k / N over the test videos' labels: a
 * model that always answers the largest test class gets that much without looking at a frame. On a balanced
 * test set (Weizmann: 3 videos per class in the fixed split) it equals 1/classes; on UCF101 subsets, whose
 * classes have unequal test counts, 1/classes would let a constant predictor look "above chance".
 * A model that is not above chance has learned nothing we can show, so no sparsity gain is quoted for it.
 */
import { invalidArgument, requireInteger } from '../util/errors';

/** ln C(n, k), exact enough for n in the thousands (sums of logs, no overflow). */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(n: number, k: number, p: number): number {
  requireInteger('n', n, 0);
  requireInteger('k', k, 0);
  if (!(p >= 0 && p <= 1)) throw invalidArgument('p', 'a probability in [0, 1]', p);
  if (k > n) return 0;
  if (k === 0) return 1;
  if (p === 0) return 0;
  if (p === 1) return 1;
  let tail = 0;
  for (let i = k; i <= n; i++) tail += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, tail);
}

/**
 * The chance accuracy of a test set: the accuracy of the best constant predictor, max_k n_k / N, where n_k
 * is the number of test videos of class k among the N `labels` (class indices, one per test video). Equals
 * 1/K when the K classes are balanced. Throws when `labels` is empty or holds a non-integer.
 */
export function chanceAccuracyOfLabels(labels: readonly number[]): number {
  if (labels.length === 0) throw invalidArgument('labels', 'the class index of at least one test video', labels);
  const counts = new Map<number, number>();
  labels.forEach((label, i) => {
    requireInteger(`labels[${i}]`, label, 0);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  });
  return Math.max(...counts.values()) / labels.length;
}

/** The fewest correct out of `n` whose upper tail under Binomial(n, p) is ≤ `alpha`; n + 1 when none is. */
function minCorrectAtChance(n: number, p: number, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw invalidArgument('alpha', 'a level in (0, 1)', alpha);
  for (let k = 0; k <= n; k++) if (binomialUpperTail(n, k, p) <= alpha) return k;
  return n + 1; // too few videos: no accuracy can be told apart from guessing
}

/** The fewest correct videos out of `n` that are above chance for `classes` balanced classes at level `alpha`. */
export function minCorrectAboveChance(n: number, classes: number, alpha = 0.05): number {
  requireInteger('n', n, 1);
  requireInteger('classes', classes, 2);
  return minCorrectAtChance(n, 1 / classes, alpha);
}

/** The verdict on one model's test accuracy. */
export interface ChanceVerdict {
  /** Test videos the accuracy is measured on. */
  testVideos: number;
  /** Videos classified correctly (accuracy · testVideos, rounded). */
  correct: number;
  /**
   * Chance accuracy: the best constant predictor's, max_k n_k / N over the test videos' labels when they are
   * given; 1/classes otherwise (right for balanced test sets only).
   */
  chanceAccuracy: number;
  /** P(X ≥ correct) under guessing: the one-sided p-value. */
  pValue: number;
  /** Fewest correct videos that would be above chance at level α. */
  minCorrect: number;
  /** Whether `correct` ≥ `minCorrect`. */
  aboveChance: boolean;
}

/** The test set a chance verdict is against: its videos' labels (class indices, one per test video). */
export interface ChanceTestSet {
  testVideoLabels: readonly number[];
}

/**
 * Tests `accuracy` (a fraction of `testVideos` videos) against chance at level `alpha` (default 0.05).
 * `chanceOf` is either the test videos' labels (`{ testVideoLabels }`: chance is the best constant
 * predictor's accuracy, max_k n_k / N; use this whenever the labels are at hand) or a class count K (chance
 * 1/K: exact for a balanced test set only; the original call form, kept). Throws when `accuracy` is not in
 * [0, 1], or when the labels are not `testVideos` many.
 */
export function testAgainstChance(accuracy: number, testVideos: number, chanceOf: number | ChanceTestSet, alpha = 0.05): ChanceVerdict {
  if (!(accuracy >= 0 && accuracy <= 1)) throw invalidArgument('accuracy', 'a fraction in [0, 1]', accuracy);
  let chanceAccuracy: number;
  let minCorrect: number;
  if (typeof chanceOf === 'number') {
    minCorrect = minCorrectAboveChance(testVideos, chanceOf, alpha);
    chanceAccuracy = 1 / chanceOf;
  } else {
    requireInteger('testVideos', testVideos, 1);
    const labels = chanceOf.testVideoLabels;
    if (labels.length !== testVideos) throw invalidArgument('testVideoLabels.length', `testVideos (${testVideos}): one label per test video`, labels.length);
    chanceAccuracy = chanceAccuracyOfLabels(labels);
    minCorrect = minCorrectAtChance(testVideos, chanceAccuracy, alpha);
  }
  const correct = Math.round(accuracy * testVideos);
  return {
    testVideos,
    correct,
    chanceAccuracy,
    pValue: binomialUpperTail(testVideos, correct, chanceAccuracy),
    minCorrect,
    aboveChance: correct >= minCorrect,
  };
}
