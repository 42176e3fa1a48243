import { describe, expect, it } from "vitest";
import { recordModelCalls } from "../../src/pipeline/span-recorder.js";
import { runSuite, type SuiteRunOptions } from "../../src/suite/run-suite.js";
import type { ChatModel } from "../../src/types.js";
import { AdaptiveLimiter } from "../../src/util/adaptive-limiter.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";
import { judgeEvaluator } from "./fixtures.js";

const SUITE_ID = "0190a000-0000-7000-8000-0000000000aa";
const VERSION_ID = "0190a000-0000-7000-8000-0000000000bb";

function gatewayWithSuite(): FakeOpikGateway {
  const opik = new FakeOpikGateway("shop");
  opik.addTestSuite({
    dataset: { id: SUITE_ID, name: "refunds", tags: [] },
    type: "evaluation_suite",
    version: {
      id: VERSION_ID,
      name: "v3",
      evaluators: [judgeEvaluator(["Mentions the 30-day window"])],
      executionPolicy: { runsPerItem: 2, passThreshold: 1 },
    },
    items: [
      { id: "0190a000-0000-7000-8000-000000000001", data: { input: "Can I return shoes?", expected_output: "Within 30 days." } },
      { id: "0190a000-0000-7000-8000-000000000002", data: { input: "Can I return socks?", expected_output: "No." } },
      { id: "0190a000-0000-7000-8000-000000000003", data: { input: "boom" } },
    ],
  });
  return opik;
}

/** Judges "Mentions the 30-day window" by the output's text, as the SDK's reply shape. */
const judge: ChatModel = {
  provider: "openai",
  model: "judge",
  complete: (messages) => {
    const user = messages[1]?.content ?? "";
    const passed = /---BEGIN OUTPUT---\n[^\n]*30 days/.test(user);
    return Promise.resolve({
      text: JSON.stringify({ assertion_1: { score: passed, reason: passed ? "says 30 days" : "no window", confidence: 1 } }),
      model: "judge",
    });
  },
};

function options(extra: Partial<SuiteRunOptions> = {}): SuiteRunOptions {
  return {
    suiteName: "refunds",
    minPassRate: 1,
    experimentPrefix: "refunds",
    task: (item) => (item.data.input === "boom" ? Promise.reject(new Error("task exploded")) : Promise.resolve({ output: item.data.expected_output })),
    judge,
    limiter: new AdaptiveLimiter(4),
    metadata: { branch: "feature" },
    runContext: { git_sha: "abcdef1234567890", pr_number: 7 },
    runId: "run-1",
    now: new Date("2026-11-29T06:00:00Z"),
    progress: () => undefined,
    ...extra,
  };
}

describe("runSuite against the typed fake gateway", () => {
  it("records each run's task and judge as spans, the judge's model call under its span, and a rerun upserts the same span ids", async () => {
    const opik = gatewayWithSuite();
    const recordedJudge = recordModelCalls(judge);
    const run = await runSuite(opik, options({ judge: recordedJudge }));
    if ("problem" in run) throw new Error(run.problem);
    const spans = [...opik.evaluationSpans.values()];
    // Four runs reach the judge (task, metrics_calculation, llm_judge, its call); the two whose task threw have only llm_task.
    expect(spans).toHaveLength(4 * 4 + 2);
    const failedTask = spans.filter((s) => s.name === "llm_task" && s.error);
    expect(failedTask.map((s) => s.error?.message)).toEqual(["task exploded", "task exploded"]);
    const judgeSpan = spans.find((s) => s.name === "llm_judge");
    const calculation = spans.find((s) => s.id === judgeSpan?.parentSpanId);
    expect(calculation?.name).toBe("metrics_calculation");
    expect(spans.find((s) => s.type === "llm" && s.traceId === judgeSpan?.traceId)).toMatchObject({ parentSpanId: judgeSpan?.id, model: "judge" });
    const ids = new Set(opik.evaluationSpans.keys());
    await runSuite(opik, options({ judge: recordedJudge }));
    expect(new Set(opik.evaluationSpans.keys())).toEqual(ids);
  });

  it("writes a suite experiment on the current version, one record per run, each run's verdicts as assertion results", async () => {
    const opik = gatewayWithSuite();
    const run = await runSuite(opik, options());
    if ("problem" in run) throw new Error(run.problem);
    expect(run.outcome).toMatchObject({
      name: "refunds",
      versionName: "v3",
      experimentName: "refunds-suite-abcdef12-pr7",
      itemsPassed: 1,
      itemsFailed: 2,
      passRate: 1 / 3,
    });
    expect(opik.suiteExperiments.get(run.outcome.experimentId)).toEqual({ evaluationMethod: "evaluation_suite", datasetVersionId: VERSION_ID });
    const stored = opik.experiments.get(run.outcome.experimentId);
    expect(stored?.summary.metadata).toMatchObject({ branch: "feature", test_suite: "refunds", suite_version: "v3" });
    expect(stored?.items.size).toBe(6);
    expect(run.taskErrors).toEqual([
      "test suite item 0190a000-0000-7000-8000-000000000003 run 1: task exploded",
      "test suite item 0190a000-0000-7000-8000-000000000003 run 2: task exploded",
    ]);
    // A task error fails its run, with the SDK's task error score, so a later baseline read counts it failed.
    const boom = [...(stored?.items.values() ?? [])].filter((i) => i.datasetItemId.endsWith("003"));
    expect(boom.map((i) => i.feedbackScores.map((s) => [s.name, s.value]))).toEqual([[["__opik_task_error__", 0]], [["__opik_task_error__", 0]]]);
    expect(boom.every((i) => i.assertionResults === undefined)).toBe(true);
    // A judged run's verdicts are assertion results, as runTests records them, and no feedback scores.
    const judged = [...(stored?.items.values() ?? [])].filter((i) => !i.datasetItemId.endsWith("003"));
    expect(judged.every((i) => i.feedbackScores.length === 0 && (i.assertionResults?.length ?? 0) > 0)).toBe(true);
    expect(judged.flatMap((i) => i.assertionResults ?? []).map((a) => a.name)).toContain("Mentions the 30-day window");
  });

  it("a rerun of the same commit writes the same experiment and records again, never a second experiment", async () => {
    const opik = gatewayWithSuite();
    const first = await runSuite(opik, options());
    const second = await runSuite(opik, options({ runId: "run-2" }));
    if ("problem" in first || "problem" in second) throw new Error("suite missing");
    expect(second.outcome.experimentId).toBe(first.outcome.experimentId);
    expect(opik.experiments.size).toBe(1);
    expect(opik.experiments.get(first.outcome.experimentId)?.items.size).toBe(6);
  });

  it("names a missing suite and a plain dataset as problems", async () => {
    const opik = gatewayWithSuite();
    expect(await runSuite(opik, options({ suiteName: "nowhere" }))).toEqual({
      problem: 'test-suite: no test suite "nowhere" in project shop (create it in Opik or with the SDK\'s createTestSuite)',
    });
    opik.addTestSuite({ dataset: { id: "d", name: "plain", tags: [] }, type: "dataset", items: [] });
    expect(await runSuite(opik, options({ suiteName: "plain" }))).toEqual({
      problem: 'test-suite: "plain" is a dataset of type dataset, not a test suite (evaluation_suite)',
    });
  });
});
