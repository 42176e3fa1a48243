import type { PromotionFlag } from "../run-result.js";
import type { ItemOutcome } from "../types.js";

/** Metric → the inclusive bounds an item must stay within (PromoteSettings.bounds). */
export type ItemBounds = Record<string, { min?: number; max?: number }>;

export interface PromotionCandidate {
  outcome: ItemOutcome & { spanId: string };
  flags: PromotionFlag[];
}

export interface PromotionSelection {
  /** At most maxPerRun, worst first. */
  chosen: PromotionCandidate[];
  alreadyInSuite: number;
  overCap: number;
}

/**
 * Why an item belongs in the suite: each bounded metric it scored outside of, and each metric whose score could not be
 * computed (a judge that failed on it is as much a case to look at as a low score). An item whose task failed is not
 * flagged: the failure was this run's task model, not the production output.
 */
export function flagItem(outcome: ItemOutcome, bounds: ItemBounds): PromotionFlag[] {
  if (outcome.taskError !== undefined) return [];
  const flags: PromotionFlag[] = [];
  for (const [metric, bound] of Object.entries(bounds)) {
    const score = outcome.scores[metric];
    if (!score) continue;
    const crossed =
      bound.min !== undefined && score.value < bound.min
        ? ({ bound: "min", limit: bound.min } as const)
        : bound.max !== undefined && score.value > bound.max
          ? ({ bound: "max", limit: bound.max } as const)
          : undefined;
    if (crossed) flags.push({ metric, value: score.value, ...crossed, ...(score.reason ? { reason: score.reason } : {}) });
  }
  for (const [metric, error] of Object.entries(outcome.failedMetrics)) flags.push({ metric, error });
  return flags;
}

/** How far past its bound the item's worst score is; a failed score has no distance, so it ranks after every crossing. */
function severity(flags: readonly PromotionFlag[]): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (const flag of flags) if ("value" in flag) worst = Math.max(worst, flag.bound === "min" ? flag.limit - flag.value : flag.value - flag.limit);
  return worst;
}

/**
 * The items to promote: flagged, not already in the suite (by source span), at most maxPerRun of them. Worst first:
 * the furthest past a bound, then the most flags, then by span id, so the same scores always choose the same items.
 */
export function selectPromotions(outcomes: readonly ItemOutcome[], bounds: ItemBounds, inSuite: ReadonlySet<string>, maxPerRun: number): PromotionSelection {
  const flagged: Array<PromotionCandidate & { severity: number }> = [];
  const seen = new Set<string>();
  let alreadyInSuite = 0;
  for (const outcome of outcomes) {
    const spanId = outcome.spanId;
    if (spanId === undefined || seen.has(spanId)) continue;
    const flags = flagItem(outcome, bounds);
    if (flags.length === 0) continue;
    seen.add(spanId);
    if (inSuite.has(spanId)) {
      alreadyInSuite += 1;
      continue;
    }
    flagged.push({ outcome: { ...outcome, spanId }, flags, severity: severity(flags) });
  }
  // Severities may be -Infinity (failed scores only), so they are compared, never subtracted.
  const order = (x: number | string, y: number | string): number => (x < y ? -1 : x > y ? 1 : 0);
  flagged.sort((a, b) => order(b.severity, a.severity) || order(b.flags.length, a.flags.length) || order(a.outcome.spanId, b.outcome.spanId));
  const chosen = flagged.slice(0, maxPerRun).map(({ outcome, flags }) => ({ outcome, flags }));
  return { chosen, alreadyInSuite, overCap: flagged.length - chosen.length };
}
