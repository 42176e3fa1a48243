import { describe, expect, it } from "vitest";
import { runEvaluationIds, evaluationIds, harvestExperimentId } from "../../src/pipeline/derived-id.js";
import { runExperiment, type ExperimentOptions } from "../../src/pipeline/run-experiment.js";
import { combineRuns } from "../../src/pipeline/combine-runs.js";
import type { DatasetItemRecord, DatasetRecord, Metric } from "../../src/types.js";
import { AdaptiveLimiter } from "../../src/util/adaptive-limiter.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";

const log = { info: () => undefined, warning: () => undefined, progress: () => undefined };

/** Scores 1 when the output is JSON; counts its calls, so a test sees what a repeat or a re-judgment costs. */
function isJsonMetric(): Metric & { calls: number } {
  const metric = {
    name: "is_json",
    calls: 0,
    score: (input: { output: string }) => {
      metric.calls += 1;
      return Promise.resolve({ name: "is_json", ok: true as const, value: input.output.startsWith("{") ? 1 : 0 });
    },
  };
  return metric;
}

async function dataset(opik: FakeOpikGateway, count: number): Promise<{ record: DatasetRecord; items: DatasetItemRecord[] }> {
  const record = await opik.createDataset("charters-20260204-143052", "", []);
  await opik.insertDatasetItems(
    record,
    Array.from({ length: count }, (_, i) => ({
      id: `item-${i}`,
      spanId: `span-${i}`,
      traceId: `trace-${i}`,
      data: { input: `charter ${i}`, expected_output: "{}" },
    })) as never,
  );
  return { record, items: await opik.listDatasetItems(record) };
}

function options(record: DatasetRecord, items: DatasetItemRecord[], metric: Metric, extra: Partial<ExperimentOptions>): ExperimentOptions {
  let calls = 0;
  return {
    name: "charter_validation-eval-20260204-143052",
    dataset: record,
    items,
    metrics: [metric],
    // Every third task call answers in prose: the same code, outcomes that flip between repeats.
    task: () => Promise.resolve({ output: ++calls % 3 === 0 ? "prose" : '{"verdict":"valid"}' }),
    limiter: new AdaptiveLimiter(4),
    metadata: {},
    directions: { is_json: "higher-is-better" },
    resume: true,
    experimentId: harvestExperimentId(record),
    log,
    ...extra,
  };
}

describe("runExperiment with repeats", () => {
  it("runs and judges each item `repeats` times, one experiment item per run with ids derived from the run index", async () => {
    const opik = new FakeOpikGateway();
    const { record, items } = await dataset(opik, 4);
    const metric = isJsonMetric();
    const run = await runExperiment(opik, options(record, items, metric, { repeats: 3 }));
    expect(metric.calls).toBe(12);
    const written = await opik.listExperimentItems({ id: run.result.id, name: run.result.name });
    expect(written).toHaveLength(12);
    for (const item of items) {
      const ids = written.filter((w) => w.datasetItemId === item.id).map((w) => w.id);
      expect(ids.sort()).toEqual([0, 1, 2].map((r) => runEvaluationIds(run.result.id, item.id, r).experimentItemId).sort());
    }
    // The first run keeps a single run's ids, so repeats 1 writes what it always did.
    expect(runEvaluationIds(run.result.id, "item-0", 0)).toEqual(evaluationIds(run.result.id, "item-0"));
    for (const outcome of run.outcomes) {
      expect(outcome.runs).toHaveLength(3);
      const values = outcome.runs!.map((r) => r.scores.is_json!);
      expect(outcome.scores.is_json!.value).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 3, 12);
    }
    expect(run.outcomes.some((o) => new Set(o.runs!.map((r) => r.scores.is_json)).size > 1)).toBe(true);
  });

  it("rerun on the same dataset finds every run written and adds nothing", async () => {
    const opik = new FakeOpikGateway();
    const { record, items } = await dataset(opik, 3);
    const first = await runExperiment(opik, options(record, structuredClone(items), isJsonMetric(), { repeats: 2 }));
    const metric = isJsonMetric();
    const again = await runExperiment(opik, options(record, structuredClone(items), metric, { repeats: 2 }));
    expect(metric.calls).toBe(0);
    expect(again.result.itemsResumed).toBe(3);
    expect(await opik.listExperimentItems({ id: first.result.id, name: first.result.name })).toHaveLength(6);
    expect(again.outcomes.every((o) => o.runs?.length === 2)).toBe(true);
  });

  it("re-judges the first outputs for judge-noise-sample, the run's judgment first, and measures each metric's noise", async () => {
    const opik = new FakeOpikGateway();
    const { record, items } = await dataset(opik, 5);
    let judged = 0;
    const perOutput = new Map<string, number>();
    // A judge that answers 1, then 0.5, then 1... about each output it is asked about.
    const wavering: Metric = {
      name: "usefulness",
      score: (input) => {
        judged += 1;
        const count = (perOutput.get(input.input) ?? 0) + 1;
        perOutput.set(input.input, count);
        return Promise.resolve({ name: "usefulness", ok: true, value: count % 2 ? 1 : 0.5 });
      },
    };
    const run = await runExperiment(opik, {
      ...options(record, items, wavering, { judgeNoise: { sample: 2, judgments: 3 } }),
      directions: { usefulness: "higher-is-better" },
    });
    // 5 judgments in the run, then 2 more of each of the 2 sampled outputs: 3 judgments of each, 1, 0.5, 1.
    expect(judged).toBe(5 + 2 * 2);
    expect(run.judgeNoise?.usefulness).toEqual({ outputs: 2, judgments: 3, sd: Math.sqrt(((0.5 / 3) ** 2 * 2 + (1 / 3) ** 2) / 2) });
  });
});

describe("combineRuns", () => {
  it("means each metric over the runs that scored it; a failure counts only when every run failed", () => {
    const combined = combineRuns([
      { scores: [{ name: "a", value: 1, reason: "first" }], failedMetrics: { b: "timeout" } },
      { scores: [{ name: "a", value: 0 }], failedMetrics: { b: "timeout again" } },
      { scores: [], failedMetrics: {}, taskError: "503" },
    ]);
    expect(combined.scores).toEqual({ a: { value: 0.5, reason: "first" } });
    expect(combined.failedMetrics).toEqual({ b: "timeout" });
    expect(combined.taskError).toBeUndefined();
    expect(combined.runs).toEqual([{ scores: { a: 1 } }, { scores: { a: 0 } }, { scores: {}, taskError: "503" }]);
    expect(combineRuns([{ scores: [], failedMetrics: {}, taskError: "503" }]).taskError).toBe("503");
  });
});
