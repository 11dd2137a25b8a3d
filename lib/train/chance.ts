/**
 * Is a test accuracy above chance? A one-sided exact binomial test: under the null hypothesis the model
 * guesses, so each of the n test videos is right with probability p = 1/classes and the number right is
 * Binomial(n, p). The accuracy is above chance at level α when P(X ≥ correct) ≤ α.
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

/** The fewest correct videos out of `n` that are above chance for `classes` balanced classes at level `alpha`. */
export function minCorrectAboveChance(n: number, classes: number, alpha = 0.05): number {
  requireInteger('n', n, 1);
  requireInteger('classes', classes, 2);
  if (!(alpha > 0 && alpha < 1)) throw invalidArgument('alpha', 'a level in (0, 1)', alpha);
  const p = 1 / classes;
  for (let k = 0; k <= n; k++) if (binomialUpperTail(n, k, p) <= alpha) return k;
  return n + 1; // too few videos: no accuracy can be told apart from guessing
}

/** The verdict on one model's test accuracy. */
export interface ChanceVerdict {
  /** Test videos the accuracy is measured on. */
  testVideos: number;
  /** Videos classified correctly (accuracy · testVideos, rounded). */
  correct: number;
  /** Accuracy of guessing: 1/classes. */
  chanceAccuracy: number;
  /** P(X ≥ correct) under guessing: the one-sided p-value. */
  pValue: number;
  /** Fewest correct videos that would be above chance at level α. */
  minCorrect: number;
  /** Whether `correct` ≥ `minCorrect`. */
  aboveChance: boolean;
}

/**
 * Tests `accuracy` (a fraction of `testVideos` videos) against chance for `classes` classes at level `alpha`
 * (default 0.05).
 */
export function testAgainstChance(accuracy: number, testVideos: number, classes: number, alpha = 0.05): ChanceVerdict {
  if (!(accuracy >= 0 && accuracy <= 1)) throw invalidArgument('accuracy', 'a fraction in [0, 1]', accuracy);
  const correct = Math.round(accuracy * testVideos);
  const minCorrect = minCorrectAboveChance(testVideos, classes, alpha);
  return {
    testVideos,
    correct,
    chanceAccuracy: 1 / classes,
    pValue: binomialUpperTail(testVideos, correct, 1 / classes),
    minCorrect,
    aboveChance: correct >= minCorrect,
  };
}
