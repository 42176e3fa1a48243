import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, sdkClient, startTestServer, streamRows, uuid7 } from "./helpers.js";

/**
 * Field names per schema, extracted once from Opik's published OpenAPI description
 * (see `source` in the fixture) so this test runs without the reference material.
 */
interface SchemaFixture {
  source: string;
  schemas: Record<string, { properties: string[]; required: string[] }>;
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/openapi-fields.json", import.meta.url), "utf8")) as SchemaFixture;

/**
 * Members newer than the pinned description that current backends return and that
 * SDK 2.0.40 declares; anything else outside the schema fails the test.
 */
const NEWER_THAN_SPEC: Record<string, string[]> = {
  // evaluation_method: ExperimentPublic.evaluationMethod in SDK 2.0.40 (dataset | evaluation_suite);
  // pass_rate, passed_count, total_count, assertion_scores: ExperimentPublic.passRate / passedCount /
  // totalCount / assertionScores (AssertionScoreAveragePublic), test suite experiments only.
  Experiment_Public: ["dataset_item_count", "evaluation_method", "pass_rate", "passed_count", "total_count", "assertion_scores"],
  // ExperimentItem / ExperimentItemCompare .assertionResults (AssertionResult) and .status (passed | failed) in SDK 2.0.40.
  ExperimentItem: ["assertion_results", "status"],
  ExperimentItem_Compare: ["assertion_results", "status"],
  // Span_Public / Trace_Public `source` (sdk | experiment | playground | optimization).
  Span_Public: ["source", "environment"],
  Trace_Public: ["source", "environment"],
  // Test suites (SDK 2.0.40): the dataset type, item- and version-level evaluators and execution policy.
  Dataset_Public: ["type"],
  DatasetItem_Public: ["description", "evaluators", "execution_policy"],
  DatasetVersion_Public: ["metadata", "evaluators", "execution_policy"],
};

/**
 * Schemas the pinned description does not have at all, as SDK 2.0.40 declares them: AssertionResult
 * and AssertionResultCompare (value, passed, reason; all optional) and AssertionScoreAveragePublic
 * (name, value; both required).
 */
const SDK_ONLY_SCHEMAS: SchemaFixture["schemas"] = {
  AssertionResult: { properties: ["value", "passed", "reason"], required: [] },
  AssertionResult_Compare: { properties: ["value", "passed", "reason"], required: [] },
  AssertionScoreAverage_Public: { properties: ["name", "value"], required: ["name", "value"] },
};

type Row = Record<string, unknown>;

function conforms(value: unknown, schema: string): void {
  const definition = fixture.schemas[schema] ?? SDK_ONLY_SCHEMAS[schema];
  if (!definition) throw new Error(`schema ${schema} missing from the fixture`);
  expect(value, schema).toBeTypeOf("object");
  const row = value as Row;
  const allowed = new Set([...definition.properties, ...(NEWER_THAN_SPEC[schema] ?? [])]);
  expect(
    Object.keys(row).filter((key) => !allowed.has(key)),
    `members of ${schema} not in the schema`,
  ).toEqual([]);
  expect(
    definition.required.filter((key) => !(key in row)),
    `required members of ${schema}`,
  ).toEqual([]);
}

function each(rows: unknown, schema: string): void {
  expect(Array.isArray(rows), `${schema} list`).toBe(true);
  expect((rows as unknown[]).length, `${schema} list is not empty`).toBeGreaterThan(0);
  for (const row of rows as unknown[]) conforms(row, schema);
}

describe("opik server: responses only use members declared by Opik's OpenAPI schemas", () => {
  let server: OpikServer;
  const PROJECT = "schemas";
  const traceId = uuid7();
  const spanId = uuid7();
  let datasetId = "";
  let experimentId = "";
  let projectId = "";

  beforeAll(async () => {
    server = await startTestServer();
    const client = sdkClient(server, PROJECT);
    await client.api.traces.createTraces({
      traces: [
        {
          id: traceId,
          projectName: PROJECT,
          name: "t",
          startTime: new Date(Date.now() - 10),
          endTime: new Date(),
          input: { q: 1 },
          output: { a: 2 },
          tags: ["x"],
          threadId: "th",
          source: "experiment",
        },
      ],
    });
    await client.api.spans.createSpans({
      spans: [
        {
          id: spanId,
          traceId,
          projectName: PROJECT,
          name: "s",
          type: "llm",
          startTime: new Date(Date.now() - 10),
          endTime: new Date(),
          model: "m",
          provider: "p",
          usage: { total_tokens: 3 },
          totalEstimatedCost: 0.1,
          tags: ["y"],
          metadata: { k: "v" },
          errorInfo: { exceptionType: "E", message: "m", traceback: "tb" },
          parentSpanId: uuid7(),
          source: "sdk",
        },
      ],
    });
    await client.api.spans.scoreBatchOfSpans({
      scores: [{ id: spanId, name: "q", value: 1, reason: "r", categoryName: "c", source: "sdk", projectName: PROJECT }],
    });
    await client.api.traces.scoreBatchOfTraces({ scores: [{ id: traceId, name: "h", value: 0.5, source: "sdk", projectName: PROJECT }] });
    await client.api.datasets.createDataset({ name: "schema-ds", projectName: PROJECT, description: "d", tags: ["t"] });
    const dataset = await client.getDataset("schema-ds", PROJECT);
    datasetId = dataset.id;
    await dataset.insert([{ input: "a", expected: "b", spanId, traceId, source: "span" as const }]);
    const experiment = await client.createExperiment({ datasetName: "schema-ds", name: "schema-exp", projectName: PROJECT, experimentConfig: { k: 1 } });
    experimentId = experiment.id;
    const itemId = server.store.itemsOfDataset(datasetId)[0]?.id ?? "";
    await experiment.insert([{ datasetItemId: itemId, traceId }]);
    projectId = server.store.projectByName(PROJECT)?.id ?? "";
  });

  afterAll(async () => {
    await server.close();
  });

  it("projects", async () => {
    const page = (await call(server, "GET", "/v1/private/projects")).json as Row;
    conforms(page, "ProjectPage_Public");
    each(page.content, "Project_Public");
    conforms((await call(server, "GET", `/v1/private/projects/${projectId}`)).json, "Project_Public");
    conforms((await call(server, "POST", "/v1/private/projects/retrieve", { name: PROJECT })).json, "Project_Detailed");
  });

  it("spans", async () => {
    const rows = await streamRows(server, "/v1/private/spans/search", { project_name: PROJECT });
    each(rows, "Span_Public");
    each(rows[0]?.feedback_scores, "FeedbackScore_Public");
    conforms(rows[0]?.error_info, "ErrorInfo_Public");
    const page = (await call(server, "GET", `/v1/private/spans?project_name=${PROJECT}`)).json as Row;
    conforms(page, "SpanPage_Public");
    each(page.content, "Span_Public");
    conforms((await call(server, "GET", `/v1/private/spans/${spanId}`)).json, "Span_Public");
  });

  it("traces", async () => {
    const rows = await streamRows(server, "/v1/private/traces/search", { project_name: PROJECT });
    each(rows, "Trace_Public");
    each(rows[0]?.feedback_scores, "FeedbackScore_Public");
    each(rows[0]?.span_feedback_scores, "FeedbackScore_Public");
    const page = (await call(server, "GET", `/v1/private/traces?project_name=${PROJECT}`)).json as Row;
    conforms(page, "TracePage_Public");
    each(page.content, "Trace_Public");
    conforms((await call(server, "GET", `/v1/private/traces/${traceId}`)).json, "Trace_Public");
  });

  it("datasets, items and versions", async () => {
    const page = (await call(server, "GET", "/v1/private/datasets")).json as Row;
    conforms(page, "DatasetPage_Public");
    each(page.content, "Dataset_Public");
    const dataset = (await call(server, "POST", "/v1/private/datasets/retrieve", { dataset_name: "schema-ds", project_name: PROJECT })).json as Row;
    conforms(dataset, "Dataset_Public");
    conforms(dataset.latest_version, "DatasetVersionSummary_Public");
    conforms((await call(server, "GET", `/v1/private/datasets/${datasetId}`)).json, "Dataset_Public");

    const streamed = await streamRows(server, "/v1/private/datasets/items/stream", { dataset_name: "schema-ds", project_name: PROJECT });
    each(streamed, "DatasetItem");
    each(streamed, "DatasetItem_Public");
    const items = (await call(server, "GET", `/v1/private/datasets/${datasetId}/items`)).json as Row;
    conforms(items, "DatasetItemPage_Public");
    each(items.content, "DatasetItem_Public");
    each(items.columns, "Column_Public");
    conforms((await call(server, "GET", `/v1/private/datasets/items/${String(streamed[0]?.id)}`)).json, "DatasetItem_Public");

    const versions = (await call(server, "GET", `/v1/private/datasets/${datasetId}/versions`)).json as Row;
    conforms(versions, "DatasetVersionPage_Public");
    each(versions.content, "DatasetVersion_Public");
    const summary = await call(server, "PUT", "/v1/private/datasets/items?respond_with_latest_version=true", {
      dataset_id: datasetId,
      items: [{ source: "manual", data: { x: 1 } }],
    });
    expect(summary.status).toBe(200);
    conforms(summary.json, "DatasetVersionSummary");
  });

  it("experiments and experiment items", async () => {
    const page = (await call(server, "GET", "/v1/private/experiments")).json as Row;
    conforms(page, "ExperimentPage_Public");
    each(page.content, "Experiment_Public");
    const experiment = (await call(server, "GET", `/v1/private/experiments/${experimentId}`)).json as Row;
    conforms(experiment, "Experiment_Public");
    each(experiment.feedback_scores, "FeedbackScoreAverage_Public");
    conforms(experiment.duration, "PercentageValues_Public");
    conforms(experiment.dataset_version_summary, "DatasetVersionSummary_Public");
    each(await streamRows(server, "/v1/private/experiments/stream", { name: "schema-exp" }), "Experiment_Public");

    const items = await streamRows(server, "/v1/private/experiments/items/stream", { experiment_name: "schema-exp" });
    each(items, "ExperimentItem");
    each(items, "ExperimentItem_Compare");
    each(items[0]?.feedback_scores, "FeedbackScore");
    conforms((await call(server, "GET", `/v1/private/experiments/items/${String(items[0]?.id)}`)).json, "ExperimentItem_Public");
  });

  it("test suite experiments and their items, with assertion results", async () => {
    const client = sdkClient(server, PROJECT);
    const suiteRun = await client.createExperiment({
      datasetName: "schema-ds",
      name: "schema-suite-exp",
      projectName: PROJECT,
      evaluationMethod: "evaluation_suite",
    });
    const itemId = server.store.itemsOfDataset(datasetId)[0]?.id ?? "";
    await suiteRun.insert([{ datasetItemId: itemId, traceId }]);
    await client.api.assertionResults.storeAssertionsBatch({
      entityType: "TRACE",
      assertionResults: [
        { entityId: traceId, projectName: PROJECT, name: "Is polite", status: "passed", reason: "yes", source: "sdk" },
        { entityId: traceId, projectName: PROJECT, name: "Is short", status: "failed", source: "sdk" },
      ],
    });

    const experiment = (await call(server, "GET", `/v1/private/experiments/${suiteRun.id}`)).json as Row;
    conforms(experiment, "Experiment_Public");
    expect(experiment).toMatchObject({ pass_rate: 0, passed_count: 0, total_count: 1 });
    each(experiment.assertion_scores, "AssertionScoreAverage_Public");
    const page = (await call(server, "GET", "/v1/private/experiments")).json as Row;
    each(page.content, "Experiment_Public");
    each(await streamRows(server, "/v1/private/experiments/stream", { name: "schema-suite-exp" }), "Experiment_Public");

    const items = await streamRows(server, "/v1/private/experiments/items/stream", { experiment_name: "schema-suite-exp" });
    each(items, "ExperimentItem");
    each(items, "ExperimentItem_Compare");
    expect(items[0]).toMatchObject({ status: "failed" });
    each(items[0]?.assertion_results, "AssertionResult");
    each(items[0]?.assertion_results, "AssertionResult_Compare");
    // ExperimentItemPublic has neither member in SDK 2.0.40.
    conforms((await call(server, "GET", `/v1/private/experiments/items/${String(items[0]?.id)}`)).json, "ExperimentItem_Public");
  });

  it("error bodies", async () => {
    conforms((await call(server, "GET", `/v1/private/traces/${uuid7()}`)).json, "ErrorMessage");
    conforms(
      (await call(server, "POST", "/v1/private/spans/search", { project_name: PROJECT, filters: [{ field: "name", operator: ">=", value: "a" }] })).json,
      "ErrorMessage_Public",
    );
    conforms((await call(server, "POST", "/v1/private/traces/batch", { traces: [] })).json, "ErrorMessage_Detailed");
    conforms((await call(server, "POST", "/v1/private/datasets/retrieve", { dataset_name: "nope" })).json, "ErrorMessage_Detailed");
    conforms((await call(server, "PUT", "/v1/private/assertion-results", { entity_type: "TRACE", assertion_results: [] })).json, "ErrorMessage_Detailed");
  });
});
