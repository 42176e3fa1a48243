import { ExactMatch, type Opik, evaluate } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, readNdjsonStream, sdkClient, startTestServer, uuid7, watchSdkErrors } from "./helpers.js";

const PROJECT = "experiments";

describe("opik server: experiments", () => {
  let server: OpikServer;
  let client: Opik;
  let datasetId = "";
  let itemIds: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
    await client.api.datasets.createDataset({ name: "eval-set", projectName: PROJECT });
    const dataset = await client.getDataset("eval-set", PROJECT);
    datasetId = dataset.id;
    itemIds = [uuid7(), uuid7(), uuid7()];
    await client.api.datasets.createOrUpdateDatasetItems({
      datasetId,
      items: itemIds.map((id, n) => ({ id, source: "sdk" as const, data: { input: `q${n}`, expected: n === 0 ? "yes" : "no" } })),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it("creates experiments, stores items and aggregates their traces' scores", async () => {
    const errors = watchSdkErrors();
    const experiment = await client.createExperiment({ datasetName: "eval-set", name: "exp-1", experimentConfig: { judge: "none" }, projectName: PROJECT });
    const created = server.requests.find((r) => r.method === "POST" && r.path === "/v1/private/experiments");
    expect(created?.status).toBe(201);
    expect(server.store.experiments.get(experiment.id)).toMatchObject({ name: "exp-1", dataset_id: datasetId, metadata: { judge: "none" }, type: "regular" });

    const traceIds = itemIds.map(() => uuid7());
    await client.api.traces.createTraces({
      traces: traceIds.map((id, n) => ({
        id,
        projectName: PROJECT,
        name: "evaluation_task",
        startTime: new Date(Date.now() - 1_000),
        endTime: new Date(),
        input: { input: `q${n}` },
        output: { output: `answer ${n}` },
      })),
    });
    await client.api.traces.scoreBatchOfTraces({
      scores: traceIds.flatMap((id, n) => [
        { id, name: "hallucination", value: n === 0 ? 1 : 0, source: "sdk" as const, projectName: PROJECT },
        { id, name: "relevance", value: 0.5, source: "sdk" as const, projectName: PROJECT },
      ]),
    });
    await experiment.insert(traceIds.map((traceId, n) => ({ datasetItemId: itemIds[n] ?? "", traceId, projectName: PROJECT })));

    const publicView = await client.api.experiments.getExperimentById(experiment.id);
    expect(publicView).toMatchObject({ id: experiment.id, name: "exp-1", datasetName: "eval-set", datasetId, traceCount: 3, datasetItemCount: 3 });
    expect(publicView.feedbackScores).toEqual([
      { name: "hallucination", value: 1 / 3 },
      { name: "relevance", value: 0.5 },
    ]);
    expect(publicView.duration?.p50).toBeGreaterThan(0);

    const byId = await client.getExperimentById(experiment.id);
    const items = await byId.getItems();
    expect(items).toHaveLength(3);
    const first = items.find((item) => item.datasetItemId === itemIds[0]);
    expect(first?.datasetItemData).toEqual({ input: "q0" });
    expect(first?.evaluationTaskOutput).toEqual({ output: "answer 0" });
    expect(first?.feedbackScores.map((s) => [s.name, s.value])).toEqual([
      ["hallucination", 1],
      ["relevance", 0.5],
    ]);

    const byName = await client.getExperiment("exp-1", PROJECT);
    expect(byName.id).toBe(experiment.id);
    expect(errors.messages()).toEqual([]);
  });

  it("streams experiment items in pages and enforces the limit bound", async () => {
    const first = await readNdjsonStream(await client.api.experiments.streamExperimentItems({ experimentName: "exp-1", limit: 2 }));
    expect(first).toHaveLength(2);
    const rest = await readNdjsonStream(
      await client.api.experiments.streamExperimentItems({ experimentName: "exp-1", limit: 2, lastRetrievedId: String(first.at(-1)?.id) }),
    );
    expect(rest).toHaveLength(1);
    expect(rest[0]).toHaveProperty("input");
    const tooMany = await expectSdkFailure(client.api.experiments.streamExperimentItems({ experimentName: "exp-1", limit: 2001 }));
    expect(tooMany.statusCode).toBe(422);
    expect(await readNdjsonStream(await client.api.experiments.streamExperimentItems({ experimentName: "no-such" }))).toEqual([]);
  });

  it("streams the items of every experiment of that name, page by id but rows ordered by experiment id", async () => {
    // Two experiments share a name (names are unique nowhere); their items interleave in time.
    const older = await client.createExperiment({ datasetName: "twin-set", name: "twin", projectName: PROJECT });
    const newer = await client.createExperiment({ datasetName: "twin-set", name: "twin", projectName: "elsewhere" });
    const items: { id: string; experimentId: string }[] = [];
    for (const [n, experiment] of [older, newer, newer, newer, older, older].entries()) {
      const id = uuid7();
      items.push({ id, experimentId: experiment.id });
      await client.api.experiments.createExperimentItems({
        experimentItems: [{ id, experimentId: experiment.id, datasetItemId: itemIds[n % 3] ?? "", traceId: uuid7() }],
      });
    }
    const page = await readNdjsonStream(await client.api.experiments.streamExperimentItems({ experimentName: "twin", limit: 4 }));
    // The page is the 4 newest item ids; the rows come newer experiment first (ExperimentItemDAO: ORDER BY ei.experiment_id DESC).
    const newestFour = items
      .map((i) => i.id)
      .sort()
      .reverse()
      .slice(0, 4);
    expect(page.map((row) => String(row.id)).sort()).toEqual([...newestFour].sort());
    expect(page.map((row) => row.experiment_id)).toEqual([newer.id, newer.id, older.id, older.id]);
    expect(page.every((row) => typeof row.dataset_item_id === "string" && typeof row.trace_id === "string" && Array.isArray(row.feedback_scores))).toBe(true);
    // The last row is not the oldest id of the page: paging from it repeats rows (a client must page from the smallest id it saw).
    const lastId = String(page.at(-1)?.id);
    const smallest = page.map((row) => String(row.id)).sort()[0] ?? "";
    expect(lastId > smallest).toBe(true);
    const fromLast = await readNdjsonStream(await client.api.experiments.streamExperimentItems({ experimentName: "twin", limit: 4, lastRetrievedId: lastId }));
    expect(fromLast.some((row) => page.some((seen) => seen.id === row.id))).toBe(true);
    const fromSmallest = await readNdjsonStream(
      await client.api.experiments.streamExperimentItems({ experimentName: "twin", limit: 4, lastRetrievedId: smallest }),
    );
    expect(fromSmallest.map((row) => String(row.id)).sort()).toEqual(
      items
        .map((i) => i.id)
        .sort()
        .reverse()
        .slice(4)
        .sort(),
    );
  });

  it("finds experiments by name and dataset, newest first; updates and deletes them", async () => {
    await client.createExperiment({ datasetName: "eval-set", name: "exp-2", projectName: PROJECT });
    const page = await client.api.experiments.findExperiments({ name: "EXP-", datasetId, page: 1, size: 10 });
    expect(page.content?.map((e) => e.name)).toEqual(["exp-2", "exp-1"]);
    expect(page.total).toBe(2);
    expect(server.requests.at(-1)?.query).toMatchObject({ datasetId, name: "EXP-" });
    // The backend's query parameter is camelCase `datasetId`; a snake_case `dataset_id` filters nothing.
    const snake = (await call(server, "GET", `/v1/private/experiments?dataset_id=${uuid7()}&name=exp-`)).json as { total: number };
    expect(snake.total).toBe(2);
    expect((await call(server, "GET", "/v1/private/experiments?datasetId=not-a-uuid")).status).toBe(404);
    const exp2 = page.content?.[0]?.id ?? "";
    await client.api.experiments.updateExperiment(exp2, { body: { status: "completed", name: "exp-2b" } });
    expect(server.store.experiments.get(exp2)).toMatchObject({ status: "completed", name: "exp-2b" });
    expect((await expectSdkFailure(client.api.experiments.getExperimentById(uuid7()))).statusCode).toBe(404);
    expect((await client.api.datasets.getDatasetById(datasetId)).experimentCount).toBe(2);

    await client.api.experiments.deleteExperimentsById({ ids: [exp2] });
    expect(server.store.experiments.has(exp2)).toBe(false);
  });

  it("refuses experiment items pointing at unknown experiments", async () => {
    const orphan = await expectSdkFailure(
      client.api.experiments.createExperimentItems({
        experimentItems: [{ id: uuid7(), experimentId: uuid7(), datasetItemId: itemIds[0] ?? "", traceId: uuid7() }],
      }),
    );
    expect(orphan.statusCode).toBe(409);
    const missing = await call(server, "POST", "/v1/private/experiments/items", { experiment_items: [{ id: uuid7() }] });
    expect(missing.json).toEqual({
      errors: [
        "experimentItems[0].experimentId must not be null",
        "experimentItems[0].datasetItemId must not be null",
        "experimentItems[0].traceId must not be null",
      ],
    });
  });

  it("accepts the bulk upload: experiment, traces, scores and items in one call", async () => {
    await client.api.experiments.experimentItemsBulk({
      experimentName: "bulk-exp",
      datasetName: "eval-set",
      items: [
        { datasetItemId: itemIds[0] ?? "", evaluateTaskResult: { output: "yes" }, feedbackScores: [{ name: "exact", value: 1, source: "sdk" }] },
        { datasetItemId: itemIds[1] ?? "", evaluateTaskResult: { output: "yes" }, feedbackScores: [{ name: "exact", value: 0, source: "sdk" }] },
      ],
    });
    const [experiment] = [...server.store.experiments.values()].filter((e) => e.name === "bulk-exp");
    const view = await client.api.experiments.getExperimentById(experiment?.id ?? "");
    expect(view).toMatchObject({ traceCount: 2, feedbackScores: [{ name: "exact", value: 0.5 }] });
  });

  it("serves evaluate() end to end", async () => {
    const dataset = await client.getDataset("eval-set", PROJECT);
    const result = await evaluate({
      client,
      dataset,
      projectName: PROJECT,
      experimentName: "evaluate-run",
      task: (item) => ({ output: item.input === "q0" ? "yes" : "maybe" }),
      scoringMetrics: [new ExactMatch("exact_match", false)],
      scoringKeyMapping: { expected: "expected" },
    });
    expect(result.testResults).toHaveLength(3);
    const view = await client.api.experiments.getExperimentById(result.experimentId);
    expect(view).toMatchObject({ name: "evaluate-run", traceCount: 3, datasetItemCount: 3 });
    expect(view.feedbackScores).toEqual([{ name: "exact_match", value: 1 / 3 }]);
    expect(view.datasetVersionId).toBe(server.store.versionsOfDataset(datasetId)[0]?.id);
  });
});
