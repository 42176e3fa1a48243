/** One run's share of a signal: the sum of its item values (and their squares), and how many items (1 for a per-run amount). */
export interface RunTotal {
  sum: number;
  /** Absent for a per-run amount or rate, whose spread is read from run to run only. */
  sumSquares?: number;
  count: number;
}

export interface WindowComparison {
  /** Pooled mean of the recent window minus the reference window's. */
  difference: number;
  /** Standard error of the difference, from the reference's run-to-run spread, item spread and autocorrelation. */
  standardError: number;
  /** Lag-1 autocorrelation of the reference's run means that the error accounts for (0 when negative). */
  autocorrelation: number;
}

export function pooledMean(runs: readonly RunTotal[]): number | null {
  let sum = 0;
  let count = 0;
  for (const run of runs) {
    sum += run.sum;
    count += run.count;
  }
  return count > 0 ? sum / count : null;
}

/** Half the mean squared successive difference (von Neumann): the variance of white noise, barely moved by one step. */
function successiveVariance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  let squares = 0;
  for (let i = 1; i < values.length; i++) squares += (values[i]! - values[i - 1]!) ** 2;
  return squares / (2 * (values.length - 1));
}

function lagOneAutocorrelation(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < values.length; i++) {
    denominator += (values[i]! - mean) ** 2;
    if (i > 0) numerator += (values[i]! - mean) * (values[i - 1]! - mean);
  }
  // Run means equal but for rounding have no correlation to speak of.
  return denominator > 1e-12 * values.length ? numerator / denominator : 0;
}

/** How much an AR(1) correlation of ρ between neighbouring runs inflates the variance of the mean of k of them. */
function autocorrelationInflation(k: number, rho: number): number {
  let factor = 1;
  for (let j = 1; j < k; j++) factor += 2 * (1 - j / k) * rho ** j;
  return factor;
}

/**
 * The variance model, calibrated on the reference window: a run's mean varies by a between-run part (traffic mix,
 * a provider's bad hour: shared by all its items) plus its items' own spread over their number. The variance of a
 * window's pooled mean sums those over its runs, inflated for the correlation of neighbouring runs, because windows of
 * a schedule are consecutive runs, not independent ones.
 */
export function compareWindows(reference: readonly RunTotal[], recent: readonly RunTotal[]): WindowComparison | undefined {
  const referenceMean = pooledMean(reference);
  const recentMean = pooledMean(recent);
  const used = reference.filter((r) => r.count > 0);
  if (referenceMean === null || recentMean === null || used.length < 2) return undefined;
  const runMeans = used.map((r) => r.sum / r.count);
  const itemized = used.every((r) => r.sumSquares !== undefined);
  let withinVariance = 0;
  if (itemized) {
    let squares = 0;
    let freedom = 0;
    for (const r of used) {
      squares += (r.sumSquares ?? 0) - (r.sum * r.sum) / r.count;
      freedom += r.count - 1;
    }
    withinVariance = freedom > 0 ? Math.max(0, squares / freedom) : 0;
  }
  const expectedFromItems = itemized ? used.reduce((a, r) => a + withinVariance / r.count, 0) / used.length : 0;
  // From successive differences rather than the spread about the mean: a degradation that has begun to enter the
  // reference is a step, which inflates the plain variance (and would read as noise, closing a drift too soon) but
  // adds only one large difference here.
  const betweenVariance = Math.max(0, successiveVariance(runMeans) - expectedFromItems);
  const rho = Math.min(0.9, Math.max(0, lagOneAutocorrelation(runMeans)));
  const windowVariance = (runs: readonly RunTotal[]): number => {
    const total = runs.reduce((a, r) => a + r.count, 0);
    const perRun = runs.reduce((a, r) => a + r.count * r.count * (betweenVariance + (itemized ? withinVariance / Math.max(1, r.count) : 0)), 0);
    return (perRun / (total * total)) * autocorrelationInflation(runs.length, rho);
  };
  return {
    difference: recentMean - referenceMean,
    standardError: Math.sqrt(windowVariance(reference) + windowVariance(recent)),
    autocorrelation: rho,
  };
}

/** Acklam's rational approximation of the standard normal quantile (relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Student's t quantile by the Cornish-Fisher expansion: the reference's spread is estimated from a few dozen runs. */
export function studentQuantile(p: number, freedom: number): number {
  const z = normalQuantile(p);
  const df = Math.max(1, freedom);
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}
