import { findMetric } from "../metrics/metric-catalog.js";
import type { Direction } from "./types.js";

/** A metric the catalog does not know reads as higher-is-better, like most scores; callers note the guess. */
export function directionOf(metric: string): Direction {
  return findMetric(metric)?.direction ?? "higher-is-better";
}

export function isKnownMetric(metric: string): boolean {
  return findMetric(metric) !== undefined;
}

/** How much worse a difference (current minus reference) is: positive when worse, whichever way the metric reads. */
export function worsening(direction: Direction, delta: number): number {
  return direction === "higher-is-better" ? -delta : delta;
}
