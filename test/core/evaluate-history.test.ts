import { randomUUID } from "node:crypto";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { HEALTH_METADATA_KEY } from "../../src/constants.js";
import type { RawInputs } from "../../src/config/raw-inputs.js";
import { evaluate, type EvaluateDeps } from "../../src/core/evaluate.js";
import type { ChatModel, Completion } from "../../src/types.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";
import { SPAN_NAME, fakeDeps, harvestInputs } from "./core-fixtures.js";

const model: ChatModel = {
  provider: "openai",
  model: "gpt-4o-mini",
  complete: (): Promise<Completion> => Promise.resolve({ text: "answer", model: "gpt-4o-mini" }),
};

function addSpans(opik: FakeOpikGateway, count: number, now: Date): void {
  for (let i = 0; i < count; i += 1) {
    opik.spans.push({
      id: randomUUID(),
      traceId: randomUUID(),
      name: SPAN_NAME,
      type: "llm",
      startTime: new Date(now.getTime() - (i + 1) * 60_000).toISOString(),
      input: { messages: [{ role: "user", content: `question ${i}` }] },
      output: `answer ${i}`,
      feedbackScores: [],
    });
  }
}

const rawInputs = harvestInputs;

function depsFor(opik: FakeOpikGateway, now: Date): EvaluateDeps & { warnings: string[] } {
  return fakeDeps(opik, model, now);
}

const run = { runContext: {}, run: { id: "history-test" }, tempDir: os.tmpdir() };

/** A scheduled run at `now`, over `spans` new spans. */
async function scheduledRun(opik: FakeOpikGateway, now: Date, spans: number, raw: Partial<RawInputs> = {}) {
  addSpans(opik, spans, now);
  const deps = depsFor(opik, now);
  const outcome = await evaluate({ raw: rawInputs(raw), ...run }, deps);
  return { outcome, warnings: deps.warnings };
}

describe("evaluate reads the feature's history after the run", () => {
  it("records each scheduled run's health on its experiment and returns the history with the run itself last", async () => {
    const opik = new FakeOpikGateway();
    await scheduledRun(opik, new Date("2026-03-10T12:00:00Z"), 3);
    const { outcome, warnings } = await scheduledRun(opik, new Date("2026-03-10T12:30:00Z"), 5);

    expect(warnings).toEqual([]);
    expect(outcome.result.status).toBe("success");
    expect(outcome.history?.runs.map((r) => r.health.spansHarvested)).toEqual([3, 5]);
    expect(outcome.history?.runs.at(-1)?.experimentId).toBe(outcome.result.experiment?.id);
    expect(outcome.history?.runs.at(-1)).toMatchObject({ health: { items: 5, errorTracesDeleted: 0, judgeFailures: 0 } });
    const stored = opik.experiments.get(outcome.result.experiment!.id)!.summary.metadata;
    expect(stored).toMatchObject({ mode: "harvest", [HEALTH_METADATA_KEY]: { items: 5, spans_harvested: 5, metric_counts: { levenshtein_ratio: 5 } } });
    expect(outcome.summary).toContain("## Trends");
    expect(outcome.summary).toContain('title "levenshtein_ratio: mean per run"');
  });

  it("reads at most trend-runs runs", async () => {
    const opik = new FakeOpikGateway();
    for (let i = 0; i < 3; i += 1) await scheduledRun(opik, new Date(Date.UTC(2026, 2, 10, 12, 30 * i)), 2);
    const { outcome } = await scheduledRun(opik, new Date("2026-03-10T14:00:00Z"), 2, { "trend-runs": "2" });
    expect(outcome.history?.runs).toHaveLength(2);
    expect(outcome.summary).toContain("The last 2 scheduled run(s)");
  });

  it("warns, and still succeeds, when the history cannot be read or the health cannot be recorded", async () => {
    const opik = new FakeOpikGateway();
    opik.fail("findExperimentsPage", "Opik answered 503");
    opik.fail("addExperimentMetadata", "Opik answered 500");
    const { outcome, warnings } = await scheduledRun(opik, new Date("2026-03-10T12:00:00Z"), 2);
    expect(outcome.result.status).toBe("success");
    expect(outcome.exit.failed).toBe(false);
    expect(outcome.history).toBeUndefined();
    expect(outcome.summary).not.toContain("## Trends");
    expect(warnings).toEqual([
      "The run's health could not be recorded on its experiment: Opik answered 500",
      "The trend charts are left out: the feature's earlier runs could not be read from Opik: Opik answered 503",
    ]);
    expect(outcome.result.warnings).toEqual(warnings);
  });

  it("rejects a trend-runs that is not a whole number from 1 to 500, naming the input", async () => {
    const opik = new FakeOpikGateway();
    const { outcome } = await scheduledRun(opik, new Date("2026-03-10T12:00:00Z"), 1, { "trend-runs": "0" });
    expect(outcome.exit.failed).toBe(true);
    expect(outcome.result.errors.join("\n")).toMatch(/trend-runs: expected a whole number from 1 to 500/);
  });
});
