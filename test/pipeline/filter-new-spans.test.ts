import { describe, expect, it } from "vitest";
import { filterNewSpans } from "../../src/pipeline/filter-new-spans.js";
import type { SpanRecord } from "../../src/types.js";

function span(id: string, scores: string[] = []): SpanRecord {
  return { id, traceId: `t${id}`, name: "chat", type: "llm", startTime: "2026-01-01T00:00:00Z", feedbackScores: scores.map((name) => ({ name, value: 1 })) };
}

async function* stream(spans: SpanRecord[]): AsyncGenerator<SpanRecord> {
  for (const s of spans) yield await Promise.resolve(s);
}

describe("filterNewSpans", () => {
  it("keeps the oldest new ones up to the limit, and never a span that carries the mark", async () => {
    // Opik streams newest first.
    const spans = [span("9"), span("8", ["added_to_dataset"]), span("7"), span("6", ["Added_To_Dataset"]), span("5"), span("4"), span("3", ["other"])];
    const selection = await filterNewSpans(stream(spans), 3);
    expect(selection.selected.map((s) => s.id)).toEqual(["3", "4", "5"]);
    expect(selection.deferred).toBe(2);
    expect(selection.sampledOut).toBe(0);
  });

  it("samples deterministically by span id, close to the rate", async () => {
    const spans = Array.from({ length: 2000 }, (_, i) => span(`0190a1b2-0000-7000-8000-${String(i).padStart(12, "0")}`));
    const first = await filterNewSpans(stream(spans), 5000, { samplingRate: 0.25 });
    const second = await filterNewSpans(stream(spans), 5000, { samplingRate: 0.25 });
    expect(second.selected.map((s) => s.id)).toEqual(first.selected.map((s) => s.id));
    expect(first.selected.length).toBeGreaterThan(400);
    expect(first.selected.length).toBeLessThan(600);
    expect(first.sampledOut + first.selected.length).toBe(2000);
  });

  it("leaves out excluded ids without counting them as new", async () => {
    const selection = await filterNewSpans(stream([span("3"), span("2"), span("1")]), 5, { exclude: new Set(["2"]) });
    expect(selection.selected.map((s) => s.id)).toEqual(["1", "3"]);
    expect(selection.deferred).toBe(0);
  });

  it("selects nothing from an empty stream", async () => {
    expect(await filterNewSpans(stream([]), 5)).toEqual({ selected: [], deferred: 0, sampledOut: 0 });
  });
});
