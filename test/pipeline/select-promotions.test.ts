import { describe, expect, it } from "vitest";
import { flagItem, selectPromotions } from "../../src/pipeline/select-promotions.js";
import type { ItemOutcome } from "../../src/types.js";

function outcome(spanId: string | undefined, scores: Record<string, number>, extra: Partial<ItemOutcome> = {}): ItemOutcome {
  return {
    datasetItemId: `item-${spanId ?? "none"}`,
    ...(spanId ? { spanId } : {}),
    traceId: `eval-trace-${spanId ?? "none"}`,
    input: "input",
    output: "output",
    scores: Object.fromEntries(Object.entries(scores).map(([name, value]) => [name, { value }])),
    failedMetrics: {},
    ...extra,
  };
}

const BOUNDS = { output_format: { min: 0.5 }, hallucination: { max: 0.5 } };

describe("flagItem", () => {
  it("flags a score outside its inclusive bound, on either side, and every failed score", () => {
    expect(flagItem(outcome("a", { output_format: 0.5, hallucination: 0.5 }), BOUNDS)).toEqual([]);
    expect(flagItem(outcome("a", { output_format: 0.4, hallucination: 0.9 }), BOUNDS)).toEqual([
      { metric: "output_format", value: 0.4, bound: "min", limit: 0.5 },
      { metric: "hallucination", value: 0.9, bound: "max", limit: 0.5 },
    ]);
    expect(flagItem(outcome("a", { output_format: 1 }, { failedMetrics: { hallucination: "judge answered no JSON" } }), BOUNDS)).toEqual([
      { metric: "hallucination", error: "judge answered no JSON" },
    ]);
  });

  it("keeps the judge's reason, ignores unbounded metrics, and does not flag an item whose task failed", () => {
    const reasoned: ItemOutcome = { ...outcome("a", { levenshtein_ratio: 0 }), scores: { output_format: { value: 0, reason: "no JSON" } } };
    expect(flagItem(reasoned, BOUNDS)).toEqual([{ metric: "output_format", value: 0, bound: "min", limit: 0.5, reason: "no JSON" }]);
    expect(flagItem(outcome("a", { levenshtein_ratio: 0 }), BOUNDS)).toEqual([]);
    expect(flagItem(outcome("a", { output_format: 0 }, { taskError: "503" }), BOUNDS)).toEqual([]);
  });
});

describe("selectPromotions", () => {
  const spans = (selection: ReturnType<typeof selectPromotions>): string[] => selection.chosen.map((c) => c.outcome.spanId);

  it("orders worst first: furthest past a bound, then most flags, then span id; failed scores after every crossing", () => {
    const outcomes = [
      outcome("s-failed", { output_format: 1 }, { failedMetrics: { hallucination: "timeout" } }),
      outcome("s-d", { output_format: 0.3 }),
      outcome("s-c", { output_format: 0.3 }),
      outcome("s-b", { output_format: 0.3, hallucination: 0.6 }),
      outcome("s-a", { output_format: 0 }),
      outcome("s-ok", { output_format: 0.9, hallucination: 0.1 }),
    ];
    expect(spans(selectPromotions(outcomes, BOUNDS, new Set(), 10))).toEqual(["s-a", "s-b", "s-c", "s-d", "s-failed"]);
    // The same scores in another order choose the same items in the same order.
    expect(spans(selectPromotions([...outcomes].reverse(), BOUNDS, new Set(), 10))).toEqual(["s-a", "s-b", "s-c", "s-d", "s-failed"]);
  });

  it("caps at maxPerRun, counting what it left out", () => {
    const outcomes = ["e", "d", "c", "b", "a"].map((id, index) => outcome(id, { output_format: index / 10 }));
    const selection = selectPromotions(outcomes, BOUNDS, new Set(), 2);
    expect(spans(selection)).toEqual(["e", "d"]);
    expect(selection).toMatchObject({ overCap: 3, alreadyInSuite: 0 });
  });

  it("skips spans the suite already holds before capping, and a span evaluated twice is counted once", () => {
    const outcomes = [
      outcome("a", { output_format: 0 }),
      outcome("b", { output_format: 0.1 }),
      outcome("c", { output_format: 0.2 }),
      outcome("a", { output_format: 0 }),
    ];
    const selection = selectPromotions(outcomes, BOUNDS, new Set(["a"]), 1);
    expect(spans(selection)).toEqual(["b"]);
    expect(selection).toMatchObject({ alreadyInSuite: 1, overCap: 1 });
  });

  it("leaves out items with no source span: nothing could dedup them", () => {
    expect(selectPromotions([outcome(undefined, { output_format: 0 })], BOUNDS, new Set(), 10).chosen).toEqual([]);
  });
});
