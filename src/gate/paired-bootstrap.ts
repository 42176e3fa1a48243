import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL } from "./defaults.js";
import { seededRandom } from "./seeded-random.js";

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  confidence?: number;
}

export interface BootstrapResult {
  /** Mean of the differences. */
  mean: number;
  /** Percentile interval of the resampled means. */
  ci: [number, number];
}

/**
 * Percentile bootstrap of the mean of paired differences (current minus
 * baseline, one per dataset item). Resampling items, not scores, keeps each
 * item's pair together, so per-item difficulty cancels out.
 */
export function pairedBootstrap(differences: readonly number[], options: BootstrapOptions = {}): BootstrapResult {
  const n = differences.length;
  if (n === 0) throw new Error("pairedBootstrap needs at least one paired difference");
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const confidence = options.confidence ?? CONFIDENCE_LEVEL;
  const random = seededRandom(options.seed ?? BOOTSTRAP_SEED);
  const values = Float64Array.from(differences);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)] ?? 0;
    means[r] = sum / n;
  }
  means.sort();
  const tail = (1 - confidence) / 2;
  return { mean, ci: [quantile(means, tail), quantile(means, 1 - tail)] };
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
