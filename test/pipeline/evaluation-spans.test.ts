import { describe, expect, it } from "vitest";
import { CompletionCache, type CompletionStore } from "../../src/cache/completion-cache.js";
import { harvestExperimentId } from "../../src/pipeline/derived-id.js";
import { createEvaluationTask } from "../../src/pipeline/evaluation-task.js";
import { runExperiment, type ExperimentOptions } from "../../src/pipeline/run-experiment.js";
import { recordModelCalls } from "../../src/pipeline/span-recorder.js";
import type { ChatModel, Completion, DatasetItemRecord, DatasetRecord, Metric } from "../../src/types.js";
import { AdaptiveLimiter } from "../../src/util/adaptive-limiter.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";

const log = { info: () => undefined, warning: () => undefined, progress: () => undefined };

/** A priced model answering with fixed usage, as a provider reports it. */
function model(name: string, text: string): ChatModel & { calls: number } {
  const chat = {
    provider: "openai" as const,
    model: name,
    calls: 0,
    complete: () => {
      chat.calls += 1;
      return Promise.resolve({ text, model: `${name}-2024-07-18`, usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 } });
    },
  };
  return chat;
}

/** A judge metric that asks its model once per item; fails on prose. */
function judged(judge: ChatModel): Metric {
  return {
    name: "judged",
    score: async (input) => {
      await judge.complete([{ role: "user", content: `judge ${input.output}` }], { json: true });
      return input.output.startsWith("{") ? { name: "judged", ok: true, value: 1, reason: "valid" } : { name: "judged", ok: false, error: "prose" };
    },
  };
}

async function dataset(opik: FakeOpikGateway, count: number): Promise<{ record: DatasetRecord; items: DatasetItemRecord[] }> {
  const record = await opik.createDataset("charters-20260204-143052", "", []);
  await opik.insertDatasetItems(
    record,
    Array.from({ length: count }, (_, i) => ({ id: `item-${i}`, spanId: `span-${i}`, traceId: `trace-${i}`, data: { input: `charter ${i}` } })) as never,
  );
  return { record, items: await opik.listDatasetItems(record) };
}

function options(record: DatasetRecord, items: DatasetItemRecord[], extra: Partial<ExperimentOptions>): ExperimentOptions {
  return {
    name: "charter_validation-eval-20260204-143052",
    dataset: record,
    items,
    metrics: [],
    task: createEvaluationTask(undefined),
    limiter: new AdaptiveLimiter(4),
    metadata: {},
    directions: { judged: "higher-is-better" },
    resume: true,
    experimentId: harvestExperimentId(record),
    log,
    ...extra,
  };
}

describe("evaluation traces' spans", () => {
  it("records llm_task and metrics_calculation with one llm span per task and judge call, priced, with ids from the trace", async () => {
    const opik = new FakeOpikGateway();
    const { record, items } = await dataset(opik, 3);
    const task = recordModelCalls(model("gpt-4o-mini", '{"verdict":"valid"}'));
    const judge = recordModelCalls(model("gpt-4o-mini", '{"score":1}'));
    const run = await runExperiment(opik, options(record, items, { task: createEvaluationTask(task), metrics: [judged(judge)] }));
    expect(run.result.status).toBe("success");

    const spans = [...opik.evaluationSpans.values()];
    expect(spans).toHaveLength(3 * 5);
    const trace = run.outcomes[0]!.traceId;
    const ofTrace = spans.filter((s) => s.traceId === trace);
    const byName = (name: string) => ofTrace.filter((s) => s.name === name);
    const [llmTask] = byName("llm_task");
    const [calculation] = byName("metrics_calculation");
    const [metric] = byName("judged");
    expect(llmTask).toMatchObject({ type: "general", input: { input: "charter 0" }, output: { output: '{"verdict":"valid"}' } });
    expect(llmTask!.parentSpanId).toBeUndefined();
    expect(calculation).toMatchObject({ type: "general", output: { scores: [{ name: "judged", value: 1 }] } });
    expect(metric).toMatchObject({ type: "general", parentSpanId: calculation!.id, output: { name: "judged", value: 1, reason: "valid" } });
    const calls = byName("openai.chat");
    expect(calls.map((c) => c.parentSpanId).sort()).toEqual([llmTask!.id, metric!.id].sort());
    for (const call of calls) {
      expect(call).toMatchObject({
        type: "llm",
        model: "gpt-4o-mini-2024-07-18",
        provider: "openai",
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      });
      // gpt-4o-mini: $0.15 per million prompt tokens, $0.60 per million completion tokens.
      expect(call.totalEstimatedCost).toBeCloseTo((100 * 0.15 + 20 * 0.6) / 1e6, 12);
      expect(call.endTime.getTime()).toBeGreaterThanOrEqual(call.startTime.getTime());
      expect(call.input).toHaveProperty("messages");
    }

    // A run whose judge failed leaves the items unscored; the rerun evaluates them again under the same traces, upserting the same spans.
    const retried = new FakeOpikGateway();
    const again = await dataset(retried, 3);
    const failingJudge: Metric = {
      name: "judged",
      score: async (input) => ({ ...(await judged(judge).score(input)), ok: false, error: "judge down" }) as never,
    };
    const first = await runExperiment(retried, options(again.record, again.items, { task: createEvaluationTask(task), metrics: [failingJudge] }));
    const firstIds = new Set(retried.evaluationSpans.keys());
    expect(firstIds.size).toBe(3 * 5);
    const second = await runExperiment(retried, options(again.record, again.items, { task: createEvaluationTask(task), metrics: [judged(judge)] }));
    expect(second.result.itemsResumed).toBe(0);
    expect(second.outcomes.map((o) => o.traceId).sort()).toEqual(first.outcomes.map((o) => o.traceId).sort());
    expect(new Set(retried.evaluationSpans.keys())).toEqual(firstIds);
    expect([...retried.evaluationSpans.values()].find((s) => s.name === "judged")?.output).toMatchObject({ value: 1 });
  });

  it("marks a failed metric's span with its error, and replay's llm_task with no llm span under it", async () => {
    const opik = new FakeOpikGateway();
    const { record, items } = await dataset(opik, 1);
    const judge = recordModelCalls(model("unpriced-model", "{}"));
    await runExperiment(opik, options(record, items, { task: () => Promise.resolve({ output: "prose" }), metrics: [judged(judge)] }));
    const spans = [...opik.evaluationSpans.values()];
    expect(spans.map((s) => s.name).sort()).toEqual(["judged", "llm_task", "metrics_calculation", "openai.chat"]);
    expect(spans.find((s) => s.name === "judged")).toMatchObject({ output: { error: "prose" }, error: { message: "prose" } });
    // An unpriced model's call carries its tokens and no cost.
    expect(spans.find((s) => s.name === "openai.chat")).not.toHaveProperty("totalEstimatedCost");
  });

  it("records a cache hit as a cached llm span costing 0", async () => {
    const entries = new Map<string, Completion>();
    const store: CompletionStore = { read: (key) => Promise.resolve(entries.get(key)), write: (key, c) => Promise.resolve(void entries.set(key, c)) };
    const inner = model("gpt-4o-mini", '{"verdict":"valid"}');
    const opik = new FakeOpikGateway();
    const { record, items } = await dataset(opik, 1);
    await runExperiment(
      opik,
      options(record, items, { task: createEvaluationTask(recordModelCalls(new CompletionCache(store).wrap(inner, "task", { temperature: 0 }))) }),
    );
    const second = new FakeOpikGateway();
    const again = await dataset(second, 1);
    await runExperiment(
      second,
      options(again.record, again.items, { task: createEvaluationTask(recordModelCalls(new CompletionCache(store).wrap(inner, "task", { temperature: 0 }))) }),
    );
    expect(inner.calls).toBe(1);
    const first = [...opik.evaluationSpans.values()].find((s) => s.type === "llm");
    const hit = [...second.evaluationSpans.values()].find((s) => s.type === "llm");
    expect(first?.metadata).toBeUndefined();
    expect(first?.totalEstimatedCost).toBeGreaterThan(0);
    expect(hit).toMatchObject({ metadata: { cached: true }, totalEstimatedCost: 0, usage: { total_tokens: 120 } });
  });
});
