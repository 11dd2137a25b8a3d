/** Ordinary least-squares fit of a straight line. */
import { DeltaSparsityError } from './errors';

/**
 * The line y ≈ intercept + slope·x minimising Σ (y_i − intercept − slope·x_i)²:
 * slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², intercept = ȳ − slope·x̄.
 * Throws a `DeltaSparsityError` for arrays of different lengths or fewer than two distinct x.
 */
export function leastSquares(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } {
  if (x.length !== y.length) throw new DeltaSparsityError(`leastSquares: expected x and y of equal length. Received: ${x.length} x, ${y.length} y`);
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (!(sxx > 0)) throw new DeltaSparsityError(`leastSquares: expected at least two distinct x values. Received: x=[${x.join(', ')}]`);
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
