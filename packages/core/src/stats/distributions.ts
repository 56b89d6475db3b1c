// The two distribution functions the interval code needs: the standard normal CDF and Student's t (CDF and
// quantile) for whole degrees of freedom, which is all a count of seeds can give. Both are closed forms or
// bisection on one, so they need no tables and no special-function library.

/**
 * Standard normal CDF. erfc by the Chebyshev-fitted form of Numerical Recipes (relative error below
 * 1.2e-7 everywhere, tails included), which is ample for choosing bootstrap tail levels.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z - 1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

function checkDegreesOfFreedom(df: number, caller: string): void {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`${caller}: degrees of freedom must be a whole number >= 1, got ${df}`);
}

/**
 * P(T <= t) for Student's t with `df` degrees of freedom, by the finite series for whole df
 * (Abramowitz and Stegun 26.7.3 and 26.7.4) in theta = atan(t / sqrt(df)).
 */
export function studentTCdf(t: number, df: number): number {
  checkDegreesOfFreedom(df, 'studentTCdf');
  if (Number.isNaN(t)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const sin = Math.sin(theta);
  const cos2 = Math.cos(theta) ** 2;
  // within = P(|T| < |t|)
  let within: number;
  if (df % 2 === 1) {
    // (2/pi) (theta + sin cos (1 + (2/3) cos^2 + (2*4)/(3*5) cos^4 + ...)), df - 3 terms after the 1, by twos.
    let term = 1;
    let sum = df > 1 ? 1 : 0;
    for (let k = 2; k <= df - 3; k += 2) {
      term *= (k / (k + 1)) * cos2;
      sum += term;
    }
    within = (2 / Math.PI) * (theta + sin * Math.cos(theta) * sum);
  } else {
    // sin (1 + (1/2) cos^2 + (1*3)/(2*4) cos^4 + ...), up to cos^(df-2).
    let term = 1;
    let sum = 1;
    for (let k = 1; k <= df - 3; k += 2) {
      term *= (k / (k + 1)) * cos2;
      sum += term;
    }
    within = sin * sum;
  }
  within = Math.min(1, Math.max(0, within));
  return t >= 0 ? 0.5 + within / 2 : 0.5 - within / 2;
}

/** The p-quantile of Student's t with `df` whole degrees of freedom (bisection on the CDF). */
export function studentTQuantile(p: number, df: number): number {
  checkDegreesOfFreedom(df, 'studentTQuantile');
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
