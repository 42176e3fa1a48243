import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from "./defaults.js";
import { seededRandom } from "./seeded-random.js";

/** One dataset item's runs: the current run's repeats and the baseline's, each a list of scores. */
export interface ItemCluster {
  current: readonly number[];
  baseline: readonly number[];
}

export interface ClusterBootstrapResult {
  /** Mean over items of (mean of current runs − mean of baseline runs). */
  mean: number;
  /** Percentile interval of the resampled means. */
  ci: [number, number];
  /** Share of resampled means at or below 0, and at or above 0: the one-sided p-values of "it rose" and "it fell". */
  shareAtMostZero: number;
  shareAtLeastZero: number;
  /** Standard deviation of the per-item differences, for the detectable effect. */
  itemSd: number;
}

/**
 * Cluster bootstrap of the paired difference: an item and all of its repeats
 * are drawn together, so repeats of one item never pass for independent
 * items (which would narrow the interval), and per-item difficulty cancels.
 */
export function clusterBootstrap(
  clusters: readonly ItemCluster[],
  options: { resamples?: number; seed?: number; confidence?: number } = {},
): ClusterBootstrapResult {
  const n = clusters.length;
  if (n === 0) throw new Error("clusterBootstrap needs at least one item with scores in both runs");
  const differences = Float64Array.from(clusters, (cluster) => average(cluster.current) - average(cluster.baseline));
  if (differences.some((d) => !Number.isFinite(d))) throw new Error("clusterBootstrap needs at least one score per run of every item");
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? CONFIDENCE_LEVEL;
  const random = seededRandom(options.seed ?? BOOTSTRAP_SEED);
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[Math.floor(random() * n)] ?? 0;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  // +1 in numerator and denominator: a bootstrap p-value is never exactly 0.
  const share = (count: number): number => (count + 1) / (resamples + 1);
  return {
    mean,
    ci: [quantile(means, tail), quantile(means, 1 - tail)],
    shareAtMostZero: share(means.filter((m) => m <= 0).length),
    shareAtLeastZero: share(means.filter((m) => m >= 0).length),
    itemSd: standardDeviation([...differences]),
  };
}

export function average(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = average(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1));
}

/** Linear interpolation between the closest ranks (type 7, as numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const low = sorted[below] ?? 0;
  const high = sorted[above] ?? low;
  return low + (high - low) * (position - below);
}
