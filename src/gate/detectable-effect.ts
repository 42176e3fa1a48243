/** The power the minimum detectable effect is stated at: the convention of power analyses. */
export const MDE_POWER = 0.8;

/**
 * The inverse of the standard normal distribution function (Acklam's rational
 * approximation, relative error below 1.2e-9): z such that P(Z ≤ z) = p.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1 (got ${p})`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: readonly number[], x: number): number => k.reduce((acc, coefficient) => acc * x + coefficient, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * The smallest true change of the mean that a one-sided test at `alpha` finds
 * with probability `power`, for paired per-item differences of standard
 * deviation `sd` over `items` items: (z₁₋α + z_power) · sd / √n.
 */
export function minimumDetectableEffect(sd: number, items: number, alpha: number, power = MDE_POWER): number {
  if (items < 1) return Number.POSITIVE_INFINITY;
  return ((normalQuantile(1 - alpha) + normalQuantile(power)) * sd) / Math.sqrt(items);
}

/**
 * How many items would make `effect` detectable at the same sd, alpha and
 * power: the MDE formula solved for n. Undefined when there is no effect (or
 * no spread) to size it on.
 */
export function itemsToDetect(effect: number, sd: number, alpha: number, power = MDE_POWER): number | undefined {
  if (!(Math.abs(effect) > 0) || !(sd > 0)) return undefined;
  return Math.ceil((((normalQuantile(1 - alpha) + normalQuantile(power)) * sd) / Math.abs(effect)) ** 2);
}
