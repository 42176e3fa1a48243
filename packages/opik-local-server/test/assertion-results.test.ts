import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, readNdjsonStream, sdkClient, startTestServer, uuid7, watchSdkErrors } from "./helpers.js";

const PROJECT = "suite-assertions";
const POLITE = "Is polite";
const WINDOW = "Says 30 days";

type Row = Record<string, unknown>;

/** One run of a suite item: a trace the task produced, linked to the experiment, and the verdicts runTests would queue. */
interface Run {
  item: string;
  verdicts: Record<string, boolean>;
}

async function logRun(client: Opik, experiment: { insert: (refs: { datasetItemId: string; traceId: string }[]) => Promise<void> }, datasetItemId: string) {
  const trace = client.trace({ name: "evaluation_task", projectName: PROJECT, input: { datasetItemId }, output: { answer: "..." } });
  trace.end();
  await experiment.insert([{ datasetItemId, traceId: trace.data.id }]);
  return trace.data.id;
}

/** The SDK's own path: `client.traceAssertionResultsBatchQueue`, as evaluateTestSuite's scoring step queues it. */
function queueVerdicts(client: Opik, traceId: string, verdicts: Record<string, boolean>): void {
  for (const [name, passed] of Object.entries(verdicts)) {
    client.traceAssertionResultsBatchQueue.create({
      entityId: traceId,
      projectName: PROJECT,
      name,
      status: passed ? "passed" : "failed",
      reason: passed ? "fine" : `fails ${name}`,
      source: "sdk",
    });
  }
}

async function streamItems(client: Opik, experimentName: string): Promise<Row[]> {
  return readNdjsonStream(await client.api.experiments.streamExperimentItems({ experimentName, limit: 100, truncate: false }));
}

async function suiteWithItems(client: Opik, name: string) {
  const suite = await client.createTestSuite({ name, projectName: PROJECT, globalAssertions: [POLITE, WINDOW] });
  await suite.insert([
    { data: { input: "Can I return shoes?" } },
    // The flaky item: three runs, two must pass.
    { data: { input: "Where is my parcel?" }, executionPolicy: { runsPerItem: 3, passThreshold: 2 } },
    { data: { input: "Can I gift a voucher?" }, executionPolicy: { runsPerItem: 3, passThreshold: 2 } },
    { data: { input: "Hello" } },
  ]);
  const items = await suite.getItems();
  const idOf = (input: string) => items.find((i) => i.data.input === input)?.id ?? "";
  const version = (await suite.getVersionInfo()) as { id?: string } | undefined;
  return {
    suite,
    version,
    ids: { shoes: idOf("Can I return shoes?"), parcel: idOf("Where is my parcel?"), gift: idOf("Can I gift a voucher?"), hello: idOf("Hello") },
  };
}

describe("opik server: assertion results (PUT /v1/private/assertion-results) through the unmodified SDK", () => {
  const servers: OpikServer[] = [];
  const dir = mkdtempSync(join(tmpdir(), "opik-assertions-"));

  beforeAll(() => {
    // createTestSuite builds the suite's LLM judge, which wants a key it never uses here.
    process.env.OPENAI_API_KEY ??= "not-used-by-these-tests";
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a suite run's verdicts on its items and pass figures on its experiment, with runs_per_item 3 / pass_threshold 2 and an upserting rerun", async () => {
    const errors = watchSdkErrors();
    const server = await startTestServer({ persistPath: join(dir, "state.json") });
    servers.push(server);
    const client = sdkClient(server, PROJECT);
    const { version, ids } = await suiteWithItems(client, "refunds");
    // The createExperiment call runTests makes (evaluateTestSuite in the SDK).
    const experiment = await client.createExperiment({
      name: "suite-run",
      datasetName: "refunds",
      projectName: PROJECT,
      datasetVersionId: version?.id,
      evaluationMethod: "evaluation_suite",
    });

    const runs: Run[] = [
      { item: ids.shoes, verdicts: { [POLITE]: true, [WINDOW]: true } },
      // parcel passes 2 of 3 runs: it passes; gift passes 1 of 3: it fails.
      { item: ids.parcel, verdicts: { [POLITE]: true, [WINDOW]: true } },
      { item: ids.parcel, verdicts: { [POLITE]: true, [WINDOW]: false } },
      { item: ids.parcel, verdicts: { [POLITE]: true, [WINDOW]: true } },
      { item: ids.gift, verdicts: { [POLITE]: true, [WINDOW]: true } },
      { item: ids.gift, verdicts: { [POLITE]: true, [WINDOW]: false } },
      { item: ids.gift, verdicts: { [POLITE]: true, [WINDOW]: false } },
      // hello has a run but no assertion results: it is not counted.
      { item: ids.hello, verdicts: {} },
    ];
    const traceIds: string[] = [];
    for (const run of runs) {
      const traceId = await logRun(client, experiment, run.item);
      traceIds.push(traceId);
      queueVerdicts(client, traceId, run.verdicts);
    }
    await client.flush();
    const puts = server.requests.filter((r) => r.path === "/v1/private/assertion-results");
    expect(puts.length).toBeGreaterThan(0);
    expect(puts.every((r) => r.method === "PUT" && r.status === 204 && r.responseBytes === 0)).toBe(true);
    expect(server.store.assertionResults.size).toBe(14);

    const rows = await streamItems(client, "suite-run");
    expect(rows).toHaveLength(8);
    const byTrace = new Map(rows.map((row) => [String(row.trace_id), row]));
    expect(byTrace.get(traceIds[1] ?? "")).toMatchObject({
      status: "passed",
      assertion_results: [
        { value: POLITE, passed: true, reason: "fine" },
        { value: WINDOW, passed: true, reason: "fine" },
      ],
    });
    expect(byTrace.get(traceIds[2] ?? "")).toMatchObject({
      status: "failed",
      assertion_results: [
        { value: POLITE, passed: true, reason: "fine" },
        { value: WINDOW, passed: false, reason: `fails ${WINDOW}` },
      ],
    });
    const silent = byTrace.get(traceIds[7] ?? "");
    expect(silent).not.toHaveProperty("assertion_results");
    expect(silent).not.toHaveProperty("status");
    // The SDK's own parser (ExperimentItemCompare) takes every row.
    expect(await experiment.getItems()).toHaveLength(8);

    const read = await client.api.experiments.getExperimentById(experiment.id);
    expect(read).toMatchObject({
      evaluationMethod: "evaluation_suite",
      passRate: 2 / 3,
      passedCount: 2,
      totalCount: 3,
      assertionScores: [
        { name: POLITE, value: 1 },
        { name: WINDOW, value: 4 / 7 },
      ],
    });
    const [listed] = await client.getTestSuiteExperiments("refunds", 10, PROJECT);
    expect(listed).toMatchObject({ id: experiment.id, passRate: 2 / 3, passedCount: 2, totalCount: 3 });
    const streamed = await readNdjsonStream(await client.api.experiments.streamExperiments({ name: "suite-run" }));
    expect(streamed[0]).toMatchObject({ pass_rate: 2 / 3, passed_count: 2, total_count: 3 });

    // A rerun of gift's last run overwrites its verdict: gift now passes 2 of 3, nothing is duplicated.
    queueVerdicts(client, traceIds[6] ?? "", { [WINDOW]: true });
    await client.flush();
    expect(server.store.assertionResults.size).toBe(14);
    expect(await client.api.experiments.getExperimentById(experiment.id)).toMatchObject({
      passRate: 1,
      passedCount: 3,
      totalCount: 3,
      assertionScores: [
        { name: POLITE, value: 1 },
        { name: WINDOW, value: 5 / 7 },
      ],
    });

    // A regular experiment over the same traces shows the verdicts but no status and no pass figures.
    const plain = await client.createExperiment({ name: "plain-run", datasetName: "refunds", projectName: PROJECT });
    await plain.insert([{ datasetItemId: ids.shoes, traceId: traceIds[0] ?? "" }]);
    const [plainRow] = await streamItems(client, "plain-run");
    expect(plainRow).toMatchObject({
      assertion_results: [
        { value: POLITE, passed: true },
        { value: WINDOW, passed: true },
      ],
    });
    expect(plainRow).not.toHaveProperty("status");
    const plainRead = (await call(server, "GET", `/v1/private/experiments/${plain.id}`)).json as Row;
    for (const member of ["pass_rate", "passed_count", "total_count", "assertion_scores"]) expect(plainRead).not.toHaveProperty(member);

    // Deleting a trace takes its results with it, as its scores.
    await client.api.traces.deleteTraces({ ids: [traceIds[0] ?? ""] });
    expect(server.store.assertionResultsOf("TRACE", traceIds[0] ?? "")).toEqual([]);
    expect(server.store.assertionResults.size).toBe(12);

    // The results are persisted with the rest of the state.
    await server.close();
    servers.pop();
    const reloaded = await startTestServer({ persistPath: join(dir, "state.json") });
    servers.push(reloaded);
    expect(reloaded.store.assertionResults.size).toBe(12);
    expect((await call(reloaded, "GET", `/v1/private/experiments/${experiment.id}`)).json).toMatchObject({ passed_count: 2, total_count: 2 });
    expect(errors.messages()).toEqual([]);
  });

  it("with assertionResults: false answers 404 like an unknown route, and the same SDK queue falls back to suite_assertion feedback scores", async () => {
    const server = await startTestServer({ assertionResults: false });
    servers.push(server);
    const client = sdkClient(server, PROJECT);
    const { version, ids } = await suiteWithItems(client, "legacy");
    const experiment = await client.createExperiment({
      name: "legacy-run",
      datasetName: "legacy",
      projectName: PROJECT,
      datasetVersionId: version?.id,
      evaluationMethod: "evaluation_suite",
    });
    const traceId = await logRun(client, experiment, ids.shoes);
    queueVerdicts(client, traceId, { [POLITE]: true, [WINDOW]: false });
    await client.flush();

    const attempt = server.requests.find((r) => r.path === "/v1/private/assertion-results");
    expect(attempt).toMatchObject({ method: "PUT", status: 404 });
    const raw = await call(server, "PUT", "/v1/private/assertion-results", { entity_type: "TRACE", assertion_results: [] });
    const unknown = await call(server, "PUT", "/v1/private/no-such-route", {});
    expect({ status: raw.status, body: raw.json }).toEqual({ status: unknown.status, body: unknown.json });
    expect(raw).toMatchObject({ status: 404, json: { code: 404, message: "HTTP 404 Not Found" } });

    expect(server.store.assertionResults.size).toBe(0);
    const trace = await client.api.traces.getTraceById(traceId);
    expect(trace.feedbackScores?.map((s) => ({ name: s.name, value: s.value, categoryName: s.categoryName, reason: s.reason }))).toEqual([
      { name: POLITE, value: 1, categoryName: "suite_assertion", reason: "fine" },
      { name: WINDOW, value: 0, categoryName: "suite_assertion", reason: `fails ${WINDOW}` },
    ]);
    const [row] = await streamItems(client, "legacy-run");
    expect(row).not.toHaveProperty("assertion_results");
    expect(row).not.toHaveProperty("status");
  });

  it("answers a malformed batch with the backend's validation errors, as the feedback-score batch does", async () => {
    const server = await startTestServer();
    servers.push(server);
    const path = "/v1/private/assertion-results";

    const empty = await call(server, "PUT", path, { assertion_results: [] });
    expect(empty).toMatchObject({ status: 422, json: { errors: ["entityType must not be null", "assertionResults size must be between 1 and 1000"] } });
    const emptyScores = await call(server, "PUT", "/v1/private/traces/feedback-scores", { scores: [] });
    expect(Object.keys(emptyScores.json as Row)).toEqual(Object.keys(empty.json as Row));

    const blank = await call(server, "PUT", path, { entity_type: "TRACE", assertion_results: [{ entity_id: " ", name: "" }] });
    expect(blank).toMatchObject({
      status: 422,
      json: {
        errors: [
          "assertionResults[0].entityId must not be blank",
          "assertionResults[0].name must not be blank",
          "assertionResults[0].status must not be null",
          "assertionResults[0].source must not be null",
        ],
      },
    });
    const badStatus = await call(server, "PUT", path, {
      entity_type: "TRACE",
      assertion_results: [{ entity_id: uuid7(), name: "a", status: "maybe", source: "sdk" }],
    });
    expect(badStatus).toMatchObject({ status: 400, json: { code: 400, message: "Unable to process JSON" } });
    const badEntity = await call(server, "PUT", path, {
      entity_type: "DATASET",
      assertion_results: [{ entity_id: uuid7(), name: "a", status: "passed", source: "sdk" }],
    });
    expect(badEntity.status).toBe(400);
    expect((await call(server, "PUT", path, undefined, "{")).status).toBe(400);
    expect(await call(server, "PUT", path)).toMatchObject({ status: 422, json: { errors: ["The request body may not be null"] } });
    expect(server.store.assertionResults.size).toBe(0);

    const stored = await call(server, "PUT", path, {
      entity_type: "TRACE",
      assertion_results: [{ entity_id: uuid7(), name: "a", status: "passed", source: "sdk" }],
    });
    expect(stored).toMatchObject({ status: 204, text: "" });
    expect(server.store.assertionResults.size).toBe(1);
  });
});
