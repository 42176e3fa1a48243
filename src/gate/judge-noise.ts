import { normalQuantile } from "./detectable-effect.js";
import type { JudgeNoise } from "./types.js";

/**
 * How far the mean over `items` paired items moves from judge noise alone, at
 * 95%: each side's item means carry the judge's per-judgment variance divided
 * by that side's repeats, so the band is z · sd · √(1/r₁ + 1/r₂) / √n. A change
 * inside it could be the judge disagreeing with itself, not the code.
 */
export function judgeNoiseBand(noise: JudgeNoise, items: number, currentRepeats = 1, baselineRepeats = 1): number {
  if (items < 1) return Number.POSITIVE_INFINITY;
  return (normalQuantile(0.975) * noise.sd * Math.sqrt(1 / currentRepeats + 1 / baselineRepeats)) / Math.sqrt(items);
}

/**
 * The judge's noise from re-judged outputs: the pooled within-output standard
 * deviation (each output's judgments around their own mean), so differences
 * between outputs do not count as noise.
 */
export function measureJudgeNoise(judgmentsPerOutput: readonly (readonly number[])[]): JudgeNoise | undefined {
  const groups = judgmentsPerOutput.filter((judgments) => judgments.length >= 2);
  if (!groups.length) return undefined;
  let squares = 0;
  let freedom = 0;
  for (const judgments of groups) {
    const mean = judgments.reduce((a, b) => a + b, 0) / judgments.length;
    squares += judgments.reduce((sum, value) => sum + (value - mean) ** 2, 0);
    freedom += judgments.length - 1;
  }
  const judgments = Math.round(groups.reduce((sum, g) => sum + g.length, 0) / groups.length);
  return { sd: Math.sqrt(squares / freedom), outputs: groups.length, judgments };
}
