import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, oqlFilters, sdkClient, searchSpanIds, startTestServer, uuid7 } from "./helpers.js";

const PROJECT = "scores";

describe("opik server: feedback scores", () => {
  let server: OpikServer;
  let client: Opik;
  const traceId = uuid7();
  const spanIds = [uuid7(), uuid7(), uuid7()];

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
    await client.api.traces.createTraces({ traces: [{ id: traceId, projectName: PROJECT, startTime: new Date() }] });
    await client.api.spans.createSpans({
      spans: spanIds.map((id) => ({ id, traceId, projectName: PROJECT, name: "chat", type: "llm" as const, startTime: new Date() })),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it("logs span scores through the SDK queue, upserting by (span, name)", async () => {
    client.logSpansFeedbackScores([
      { id: spanIds[0] ?? "", name: "added_to_dataset", value: 1, reason: "first" },
      { id: spanIds[1] ?? "", name: "Added_To_Dataset", value: 0 },
    ]);
    await client.flush();
    client.logSpansFeedbackScores([{ id: spanIds[0] ?? "", name: "added_to_dataset", value: 0.5, reason: "second", categoryName: "cat" }]);
    await client.flush();

    const scores = server.store.scoresOf("span", spanIds[0] ?? "");
    expect(scores).toHaveLength(1);
    expect(scores[0]).toMatchObject({ name: "added_to_dataset", value: 0.5, reason: "second", category_name: "cat", source: "sdk" });
    const batch = server.requests.filter((r) => r.path === "/v1/private/spans/feedback-scores");
    expect(batch[0]?.body).toMatchObject({
      scores: [{ id: spanIds[0], name: "added_to_dataset", value: 1, project_name: PROJECT, source: "sdk" }, { id: spanIds[1] }],
    });

    const span = await client.api.spans.getSpanById(spanIds[0] ?? "");
    expect(span.feedbackScores).toEqual([
      expect.objectContaining({ name: "added_to_dataset", value: 0.5, reason: "second", categoryName: "cat", source: "sdk", createdBy: "admin" }),
    ]);
  });

  it("matches score names case-insensitively in filters", async () => {
    const marked = await searchSpanIds(client, PROJECT, oqlFilters("feedback_scores.ADDED_TO_DATASET is_not_empty"));
    expect(marked.sort()).toEqual([spanIds[0], spanIds[1]].sort());
    const unmarked = await searchSpanIds(client, PROJECT, oqlFilters("feedback_scores.added_to_dataset is_empty"));
    expect(unmarked).toEqual([spanIds[2]]);

    // The page endpoint's total applies the same filters, sent as a query parameter: one row tells the count.
    const total = async (filterString: string) =>
      (await client.api.spans.getSpansByProject({ projectName: PROJECT, filters: JSON.stringify(oqlFilters(filterString)), page: 1, size: 1, truncate: true }))
        .total;
    expect(await total("feedback_scores.ADDED_TO_DATASET is_not_empty")).toBe(2);
    expect(await total("feedback_scores.added_to_dataset is_empty")).toBe(1);
    expect(await total('name = "chat" AND feedback_scores.Added_To_Dataset is_empty')).toBe(1);
  });

  it("keeps a score logged under another project invisible to the span, as the backend's join on project does", async () => {
    await client.api.spans.scoreBatchOfSpans({
      scores: [{ id: spanIds[2] ?? "", name: "added_to_dataset", value: 1, source: "sdk", projectName: "elsewhere" }],
    });
    expect(server.store.scoresOf("span", spanIds[2] ?? "")).toHaveLength(1);
    const stillUnmarked = await searchSpanIds(client, PROJECT, oqlFilters("feedback_scores.added_to_dataset is_empty"));
    expect(stillUnmarked).toEqual([spanIds[2]]);
    expect((await client.api.spans.getSpanById(spanIds[2] ?? "")).feedbackScores).toBeUndefined();
  });

  it("scores single entities, deletes scores, lists names and logs trace scores", async () => {
    await client.api.spans.addSpanFeedbackScore(spanIds[2] ?? "", { body: { name: "relevance", value: 0.7, source: "ui" } });
    expect((await client.api.spans.getSpanById(spanIds[2] ?? "")).feedbackScores?.map((s) => [s.name, s.value, s.source])).toEqual([["relevance", 0.7, "ui"]]);
    await client.api.spans.deleteSpanFeedbackScore(spanIds[2] ?? "", { body: { name: "relevance" } });
    expect((await client.api.spans.getSpanById(spanIds[2] ?? "")).feedbackScores).toBeUndefined();
    expect((await expectSdkFailure(client.api.spans.addSpanFeedbackScore(uuid7(), { body: { name: "x", value: 1, source: "sdk" } }))).statusCode).toBe(404);

    client.logTracesFeedbackScores([{ id: traceId, name: "hallucination", value: 0.25 }]);
    await client.flush();
    await client.api.traces.addTraceFeedbackScore(traceId, { body: { name: "manual", value: 1, source: "ui" } });
    const trace = await client.api.traces.getTraceById(traceId);
    expect(trace.feedbackScores?.map((s) => s.name)).toEqual(["hallucination", "manual"]);
    // Span scores are averaged per exact name over the trace's spans.
    expect(trace.spanFeedbackScores?.map((s) => [s.name, s.value]).sort()).toEqual([
      ["Added_To_Dataset", 0],
      ["added_to_dataset", 0.5],
    ]);

    const project = server.store.projectByName(PROJECT);
    const names = await client.api.spans.findFeedbackScoreNames1({ projectId: project?.id ?? "" });
    expect(names.scores?.map((s) => s.name)).toEqual(["Added_To_Dataset", "added_to_dataset"]);
  });

  it("validates score batches: 1..1000 items, name/value/source required", async () => {
    const tooMany = await call(server, "PUT", "/v1/private/spans/feedback-scores", {
      scores: Array.from({ length: 1001 }, () => ({ id: spanIds[0], name: "n", value: 1, source: "sdk" })),
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.json).toEqual({ errors: ["scores size must be between 1 and 1000"] });
    const incomplete = await call(server, "PUT", "/v1/private/traces/feedback-scores", { scores: [{ id: traceId, name: " " }] });
    expect(incomplete.json).toEqual({ errors: ["scores[0].name must not be blank", "scores[0].value must not be null", "scores[0].source must not be null"] });
    const badSource = await call(server, "PUT", "/v1/private/traces/feedback-scores", { scores: [{ id: traceId, name: "n", value: 1, source: "robot" }] });
    expect(badSource.status).toBe(400);
  });
});
