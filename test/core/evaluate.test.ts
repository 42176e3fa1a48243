import { randomUUID } from "node:crypto";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { ADDED_TO_DATASET_SCORE, DATASET_TAG, EVALUATION_WRITE_BATCH, PENDING_TAG } from "../../src/constants.js";
import type { RawInputs } from "../../src/config/raw-inputs.js";
import { evaluate, type EvaluateDeps } from "../../src/core/evaluate.js";
import { toItemData } from "../../src/pipeline/create-dataset.js";
import { datasetItemId } from "../../src/pipeline/derived-id.js";
import type { ChatMessage, ChatModel, Completion, SpanRecord } from "../../src/types.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";
import { PREFIX, SPAN_NAME, fakeDeps, harvestInputs } from "./core-fixtures.js";

const NOW = new Date("2026-03-10T12:00:00Z");

/** A task model that answers after a pause, counting the calls in flight; each call costs $0.15 at gpt-4o-mini's price. */
class CountingModel implements ChatModel {
  readonly provider = "openai" as const;
  readonly model = "gpt-4o-mini";
  calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly delayMs = 5) {}

  async complete(messages: ChatMessage[]): Promise<Completion> {
    this.calls += 1;
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await sleep(this.delayMs);
    this.inFlight -= 1;
    return {
      text: `answer to ${messages.at(-1)?.content ?? ""}`,
      model: this.model,
      usage: { promptTokens: 1_000_000, completionTokens: 0, totalTokens: 1_000_000 },
    };
  }
}

function addSpans(opik: FakeOpikGateway, count: number): SpanRecord[] {
  const spans = Array.from({ length: count }, (_, i): SpanRecord => ({
    id: randomUUID(),
    traceId: randomUUID(),
    name: SPAN_NAME,
    type: "llm",
    startTime: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString(),
    input: { messages: [{ role: "user", content: `charter question ${i}` }] },
    output: `charter answer ${i}`,
    feedbackScores: [],
  }));
  opik.spans.push(...spans);
  return spans;
}

function rawInputs(overrides: Partial<RawInputs>): RawInputs {
  return harvestInputs({ model: "gpt-4o-mini", ...overrides });
}

function depsFor(opik: FakeOpikGateway, model: ChatModel): EvaluateDeps & { warnings: string[] } {
  return fakeDeps(opik, model, NOW);
}

const run = { runContext: {}, run: { id: "core-test" }, tempDir: os.tmpdir() };

function markedSpans(opik: FakeOpikGateway): string[] {
  return opik.spans.filter((span) => span.feedbackScores.some((score) => score.name === ADDED_TO_DATASET_SCORE)).map((span) => span.id);
}

describe("evaluate (the core, in process, on a fake Opik)", () => {
  it("keeps at most `concurrency` items in flight, and uses all of them", async () => {
    const opik = new FakeOpikGateway();
    const spans = addSpans(opik, 12);
    const model = new CountingModel(20);

    const outcome = await evaluate({ raw: rawInputs({ concurrency: "3" }), ...run }, depsFor(opik, model));

    expect(outcome.exit).toEqual({ failed: false, message: "Opik evaluation success; gate pass" });
    expect(model.calls).toBe(12);
    expect(model.maxInFlight).toBe(3);
    expect(outcome.outputs["spans-new"]).toBe("12");
    expect(outcome.outputs.status).toBe("success");
    expect(markedSpans(opik).sort()).toEqual(spans.map((span) => span.id).sort());
    const [experiment] = opik.experiments.values();
    expect(experiment?.items.size).toBe(12);
    expect(outcome.summary).toContain(`Opik evaluation: charter_optimization — success`);
  });

  it("writes finished items before their payloads crowd the heap, whatever their count", async () => {
    const opik = new FakeOpikGateway();
    const spans = addSpans(opik, 24);
    for (const span of spans) span.input = { messages: [{ role: "user", content: "x".repeat(3 * 1024 * 1024) }] };

    const outcome = await evaluate({ raw: rawInputs({ concurrency: "4" }), ...run }, depsFor(opik, new CountingModel(1)));

    expect(outcome.exit.failed).toBe(false);
    // 24 items of 3 MiB: far fewer than EVALUATION_WRITE_BATCH.items, but more than its bytes.
    const perWrite = Math.ceil(EVALUATION_WRITE_BATCH.bytes / (3 * 1024 * 1024)) + 4;
    expect(opik.evaluationWrites.length).toBeGreaterThanOrEqual(3);
    for (const count of opik.evaluationWrites) expect(count).toBeLessThanOrEqual(perWrite);
    expect(opik.evaluationWrites.reduce((a, b) => a + b, 0)).toBe(24);
  });

  it("stops starting items once max-cost-usd is spent, and leaves the dataset pending for the next run", async () => {
    const opik = new FakeOpikGateway();
    addSpans(opik, 5);
    const model = new CountingModel();
    const deps = depsFor(opik, model);

    // $0.15 a call: the second call reaches $0.30, over the $0.25 budget, so no third starts.
    const outcome = await evaluate({ raw: rawInputs({ concurrency: "1", "max-cost-usd": "0.25" }), ...run }, deps);

    expect(model.calls).toBe(2);
    expect(outcome.result.budgetLimited).toBe(true);
    expect(outcome.result.experiment).toMatchObject({ itemsTotal: 5, itemsNotStarted: 3 });
    expect(outcome.result.usage.costUsd).toBeCloseTo(0.3);
    expect(outcome.result.warnings.join("\n")).toContain("max-cost-usd (0.25) reached: 3 item(s)");
    const dataset = opik.datasets.get(outcome.result.datasetName ?? "");
    expect(dataset?.record.tags).toContain(PENDING_TAG);
    expect(outcome.exit.failed).toBe(false);
  });

  it("finishes a dataset an earlier run left pending before harvesting anything new", async () => {
    const opik = new FakeOpikGateway();
    const [first, second] = addSpans(opik, 2);
    const pending = await opik.createDataset(`${PREFIX}-20260310-000000`, "left by a run that died", [DATASET_TAG, PENDING_TAG]);
    await opik.insertDatasetItems(
      pending,
      [first, second].map((span) => ({ id: datasetItemId(pending, span!.id), spanId: span!.id, traceId: span!.traceId, data: toItemData(span!) })),
    );
    const fresh = addSpans(opik, 1);
    const model = new CountingModel();

    const outcome = await evaluate({ raw: rawInputs({}), ...run }, depsFor(opik, model));

    expect(outcome.exit.failed, outcome.exit.message).toBe(false);
    expect(outcome.result).toMatchObject({ resumed: true, datasetName: pending.name, spansNew: 3 });
    expect(outcome.result.warnings).toContain(`Finishing dataset ${pending.name}, left incomplete by an earlier run (2 items)`);
    // No second dataset: the new span went into the pending one, which is now complete.
    expect([...opik.datasets.keys()].filter((name) => name.startsWith(`${PREFIX}-`))).toEqual([pending.name]);
    expect(opik.datasets.get(pending.name)?.items.size).toBe(3);
    expect(opik.datasets.get(pending.name)?.record.tags).toEqual([DATASET_TAG]);
    expect(markedSpans(opik)).toHaveLength(3);
    expect(markedSpans(opik)).toContain(fresh[0]?.id);
    expect(model.calls).toBe(3);
  });

  it("fails the run when Opik refuses the dataset items, and marks no span without its item", async () => {
    const opik = new FakeOpikGateway();
    addSpans(opik, 4);
    opik.fail("insertDatasetItems", "Opik refused the dataset items (HTTP 500)");
    const model = new CountingModel();

    const outcome = await evaluate({ raw: rawInputs({}), ...run }, depsFor(opik, model));

    expect(outcome.exit).toEqual({ failed: true, message: "Opik evaluation failed: Opik refused the dataset items (HTTP 500)" });
    expect(outcome.outputs.status).toBe("failed");
    expect(JSON.parse(outcome.outputs["result-json"])).toMatchObject({ status: "failed", errors: ["Opik refused the dataset items (HTTP 500)"] });
    expect(markedSpans(opik)).toEqual([]);
    expect(model.calls).toBe(0);
  });

  it("fails the run when Opik refuses the evaluations, leaving the dataset pending and unleased for the next run", async () => {
    const opik = new FakeOpikGateway();
    addSpans(opik, 3);
    opik.fail("writeEvaluations", "Opik refused the experiment items (HTTP 503)");

    const outcome = await evaluate({ raw: rawInputs({}), ...run }, depsFor(opik, new CountingModel()));

    expect(outcome.exit).toEqual({ failed: true, message: "Opik evaluation failed: Opik refused the experiment items (HTTP 503)" });
    const dataset = opik.datasets.get(outcome.result.datasetName ?? "");
    // Every marked span has its item; the next run resumes the dataset at once, its lease released.
    expect(dataset?.items.size).toBe(3);
    expect(markedSpans(opik)).toHaveLength(3);
    expect(dataset?.record.tags).toEqual([DATASET_TAG, PENDING_TAG]);
  });

  it("turns a rejected configuration into a failed outcome that lists the problems", async () => {
    const opik = new FakeOpikGateway();
    const outcome = await evaluate({ raw: rawInputs({ "max-items": "many" }), ...run }, depsFor(opik, new CountingModel()));

    expect(outcome.exit.failed).toBe(true);
    expect(outcome.exit.message).toMatch(/^Invalid configuration:\n\s+- max-items: expected a whole number/);
    expect(outcome.outputs.status).toBe("failed");
    expect(outcome.summary).toContain("configuration rejected");
    expect(opik.datasets.size).toBe(0);
  });
});
