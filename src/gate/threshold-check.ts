import { SCORE_EPSILON } from "./defaults.js";
import type { Threshold } from "./types.js";

export function withinThreshold(mean: number, threshold: Threshold): boolean {
  return (threshold.min === undefined || mean >= threshold.min - SCORE_EPSILON) && (threshold.max === undefined || mean <= threshold.max + SCORE_EPSILON);
}
