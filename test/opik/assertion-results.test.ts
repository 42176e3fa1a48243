import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpikError } from "../../src/errors.js";
import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import type { EvaluationRecord } from "../../src/opik/opik-gateway.js";
import { createUuidV7, startOpikServer, type OpikServer } from "opik-local-server";

let current: OpikServer;
let older: OpikServer;
beforeAll(async () => {
  [current, older] = await Promise.all([startOpikServer(), startOpikServer({ assertionResults: false })]);
});
afterAll(async () => Promise.all([current.close(), older.close()]));

const ASSERTIONS = ["Is polite", "Mentions the window", "Asks for the receipt"];

/** `runs` judged runs of one suite item, each with a verdict per assertion: the second assertion fails on odd runs. */
function judgedRuns(datasetItemId: string, runs: number): EvaluationRecord[] {
  return Array.from({ length: runs }, (_, run) => ({
    datasetItemId,
    traceId: createUuidV7(),
    experimentItemId: createUuidV7(),
    startTime: new Date(),
    endTime: new Date(),
    input: { input: "Can I return socks?" },
    output: { output: "Thank you" },
    scores: [],
    assertions: ASSERTIONS.map((name, index) => ({ name, passed: !(index === 1 && run % 2 === 1), reason: `run ${run}: ${name}` })),
  }));
}

async function suiteExperiment(server: OpikServer, project: string) {
  const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
  const itemId = createUuidV7();
  const [spanId, traceId] = [createUuidV7(), createUuidV7()];
  const item = {
    input: "Can I return socks?",
    expected_output: null,
    span_id: spanId,
    trace_id: traceId,
    span_name: "answer",
    start_time: new Date().toISOString(),
  };
  const dataset = await opik.createDataset(`${project}-suite`, "suite", []);
  await opik.insertDatasetItems(dataset, [{ id: itemId, spanId, traceId, data: item }]);
  const experiment = await opik.createSuiteExperiment(`${project}-suite-run`, dataset, {}, { id: createUuidV7() });
  return { opik, experiment, itemId };
}

describe("suite assertion verdicts written through the gateway", () => {
  it("are assertion results of each run's trace, sent 100 per request as the SDK's queue does, and a rewrite upserts", async () => {
    const { opik, experiment, itemId } = await suiteExperiment(current, "verdicts");
    const records = judgedRuns(itemId, 50);
    const before = current.requests.length;
    await opik.writeEvaluations(experiment, records);
    const puts = current.requests.slice(before).filter((r) => r.path === "/v1/private/assertion-results");
    expect(puts.map((r) => (r.body as { assertion_results: unknown[] }).assertion_results.length)).toEqual([100, 50]);
    expect((puts[0]!.body as { entity_type: string }).entity_type).toBe("TRACE");
    expect((puts[0]!.body as { assertion_results: unknown[] }).assertion_results[0]).toEqual({
      entity_id: records[0]!.traceId,
      project_name: "verdicts-evaluation",
      name: "Is polite",
      status: "passed",
      reason: "run 0: Is polite",
      source: "sdk",
    });

    await opik.writeEvaluations(experiment, records);
    const items = await opik.listExperimentItems(experiment);
    expect(items).toHaveLength(50);
    const odd = items.find((item) => item.traceId === records[1]!.traceId)!;
    expect(odd.feedbackScores).toEqual([]);
    expect(odd.assertionResults).toEqual([
      { name: "Asks for the receipt", passed: true, reason: "run 1: Asks for the receipt" },
      { name: "Is polite", passed: true, reason: "run 1: Is polite" },
      { name: "Mentions the window", passed: false, reason: "run 1: Mentions the window" },
    ]);
    expect(items.every((item) => item.assertionResults?.length === 3)).toBe(true);
  });

  it("fall back to suite_assertion trace scores on a backend that answers 404, asking it once", async () => {
    const { opik, experiment, itemId } = await suiteExperiment(older, "legacy");
    const records = judgedRuns(itemId, 50);
    const before = older.requests.length;
    await opik.writeEvaluations(experiment, records.slice(0, 25));
    await opik.writeEvaluations(experiment, records.slice(25));
    const requests = older.requests.slice(before);
    expect(requests.filter((r) => r.path === "/v1/private/assertion-results")).toHaveLength(1);
    const items = await opik.listExperimentItems(experiment);
    const odd = items.find((item) => item.traceId === records[1]!.traceId)!;
    expect(odd.assertionResults).toBeUndefined();
    expect(odd.feedbackScores.map((s) => [s.name, s.value])).toEqual([
      ["Asks for the receipt", 1],
      ["Is polite", 1],
      ["Mentions the window", 0],
    ]);
    const trace = (await (await fetch(`${older.url}/v1/private/traces/${records[1]!.traceId}`)).json()) as {
      feedback_scores: Array<{ category_name: string }>;
    };
    expect(trace.feedback_scores.every((s) => s.category_name === "suite_assertion")).toBe(true);
  });

  it("throw when Opik refuses them, naming the write, instead of losing them", async () => {
    const { opik, experiment, itemId } = await suiteExperiment(current, "refused");
    current.injectFault({ method: "PUT", path: "/v1/private/assertion-results", status: 400, times: 1 });
    const error = await opik.writeEvaluations(experiment, judgedRuns(itemId, 2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpikError);
    expect((error as Error).message).toMatch(/^Opik assertion results write failed at .*: HTTP 400/);
  });
});
