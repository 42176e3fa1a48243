import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, readNdjsonStream, sdkClient, startTestServer, uuid7, watchSdkErrors } from "./helpers.js";

describe("opik server: trace and span ingestion", () => {
  let server: OpikServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("accepts the high-level trace()/span() + flush() path and merges updates into the rows", async () => {
    const errors = watchSdkErrors();
    const client = sdkClient(server, "ingest-high-level");
    const trace = client.trace({ name: "conversation", input: { question: "hi" }, tags: ["t1"] });
    const span = trace.span({ name: "chat", type: "llm", input: { messages: [{ role: "user", content: "hi" }] }, model: "gpt-4o-mini", provider: "openai" });
    span.update({ output: { content: "hello" }, usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } });
    span.end();
    const tool = trace.span({ name: "lookup", type: "tool", input: { q: "x" } });
    tool.end();
    trace.update({ output: { answer: "hello" } });
    trace.end();
    await client.flush();

    const stored = server.store.traces.get(trace.data.id);
    expect(stored?.output).toEqual({ answer: "hello" });
    expect(stored?.end_time).toBeDefined();
    expect(server.store.spansOfTrace(trace.data.id)).toHaveLength(2);
    expect(server.store.projectByName("ingest-high-level")).toBeDefined();

    const fetched = await client.api.traces.getTraceById(trace.data.id);
    expect(fetched.spanCount).toBe(2);
    expect(fetched.llmSpanCount).toBe(1);
    expect(fetched.hasToolSpans).toBe(true);
    expect(fetched.providers).toEqual(["openai"]);
    expect(fetched.usage).toEqual({ prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 });
    expect(fetched.tags).toEqual(["t1"]);
    const spanRow = await client.api.spans.getSpanById(span.data.id);
    expect(spanRow).toMatchObject({
      name: "chat",
      type: "llm",
      model: "gpt-4o-mini",
      provider: "openai",
      traceId: trace.data.id,
      output: { content: "hello" },
    });
    expect(typeof spanRow.duration).toBe("number");
    expect(errors.messages()).toEqual([]);
  });

  it("accepts the raw batch calls, defaults the project and upserts by id", async () => {
    const client = sdkClient(server, "unused");
    const traceId = uuid7();
    const start = new Date(Date.now() - 5_000);
    await client.api.traces.createTraces({ traces: [{ id: traceId, name: "raw", startTime: start, input: { a: 1 } }] });
    await client.api.spans.createSpans({
      spans: [{ id: uuid7(), traceId, name: "s", type: "general", startTime: start, endTime: new Date(start.getTime() + 1_500), totalEstimatedCost: 0.25 }],
    });
    const trace = server.store.traces.get(traceId);
    expect(server.store.projects.get(trace?.project_id ?? "")?.name).toBe("Default Project");
    const [span] = server.store.spansOfTrace(traceId);
    expect(span?.total_estimated_cost).toBe(0.25);

    // A re-sent id replaces the row, as ClickHouse's ReplacingMergeTree does.
    await client.api.traces.createTraces({ traces: [{ id: traceId, name: "raw-2", startTime: start }] });
    expect(server.store.traces.get(traceId)?.name).toBe("raw-2");
    expect(server.store.traces.get(traceId)?.input).toBeUndefined();

    const spanRow = await client.api.spans.getSpanById(span?.id ?? "");
    expect(spanRow.duration).toBe(1500);
    const traceRow = await client.api.traces.getTraceById(traceId);
    expect(traceRow.totalEstimatedCost).toBe(0.25);
  });

  it("applies PATCH updates partially and answers 404 for unknown ids", async () => {
    const client = sdkClient(server, "ingest-patch");
    const traceId = uuid7();
    const spanId = uuid7();
    await client.api.traces.createTraces({ traces: [{ id: traceId, projectName: "ingest-patch", name: "p", startTime: new Date(), input: { keep: true } }] });
    await client.api.spans.createSpans({ spans: [{ id: spanId, traceId, projectName: "ingest-patch", name: "s", type: "llm", startTime: new Date() }] });
    await client.api.traces.updateTrace(traceId, { body: { projectName: "ingest-patch", output: { done: true }, tags: ["x"] } });
    await client.api.spans.updateSpan(spanId, { body: { traceId, projectName: "ingest-patch", output: { text: "out" }, usage: { total_tokens: 4 } } });
    expect(server.store.traces.get(traceId)).toMatchObject({ input: { keep: true }, output: { done: true }, tags: ["x"] });
    expect(server.store.spans.get(spanId)).toMatchObject({ output: { text: "out" }, usage: { total_tokens: 4 }, type: "llm" });

    const missing = await expectSdkFailure(client.api.traces.getTraceById(uuid7()));
    expect(missing).toEqual({ statusCode: 404, body: { code: 404, message: "Trace not found" } });
    expect((await expectSdkFailure(client.api.spans.getSpanById(uuid7()))).statusCode).toBe(404);
    expect((await expectSdkFailure(client.api.traces.updateTrace(uuid7(), { body: { name: "x" } }))).statusCode).toBe(404);
    // A path id that is not a UUID does not match the route at all (Jersey answers 404).
    expect((await call(server, "GET", "/v1/private/traces/not-a-uuid")).status).toBe(404);
  });

  it("validates bodies like the backend: 422 lists violations, 400 for ids that are not UUIDv7", async () => {
    const now = new Date().toISOString();
    const traceId = uuid7();
    const noStart = await call(server, "POST", "/v1/private/spans/batch", {
      spans: [
        { id: uuid7(), trace_id: traceId, name: "a" },
        { id: uuid7(), start_time: now },
      ],
    });
    expect(noStart.status).toBe(422);
    expect(noStart.json).toEqual({ errors: ["spans[0].startTime must not be null", "spans[1].traceId must not be null"] });

    const badType = await call(server, "POST", "/v1/private/spans/batch", { spans: [{ trace_id: traceId, start_time: now, type: "chain" }] });
    expect(badType.status).toBe(422);
    expect(badType.json).toEqual({ errors: ["spans[0].type must be one of [general, tool, llm, guardrail]"] });

    const blankTraceback = await call(server, "POST", "/v1/private/traces/batch", {
      traces: [{ start_time: now, error_info: { exception_type: "Timeout", message: "boom", traceback: "" } }],
    });
    expect(blankTraceback.status).toBe(422);
    expect(blankTraceback.json).toEqual({ errors: ["traces[0].errorInfo.traceback must not be blank"] });

    const empty = await call(server, "POST", "/v1/private/traces/batch", { traces: [] });
    expect(empty.json).toEqual({ errors: ["traces size must be between 1 and 1000"] });

    const v4 = await call(server, "POST", "/v1/private/traces/batch", { traces: [{ id: "4f8e2a3c-2b1d-4c5e-9f00-112233445566", start_time: now }] });
    expect(v4.status).toBe(400);
    expect(v4.json).toEqual({ errors: ["trace id must be a version 7 UUID"] });

    const badDate = await call(server, "POST", "/v1/private/traces/batch", { traces: [{ start_time: "yesterday" }] });
    expect(badDate.status).toBe(400);
    expect(badDate.json).toEqual({ code: 400, message: "Unable to process JSON" });

    const numberInput = await call(server, "POST", "/v1/private/traces/batch", { traces: [{ start_time: now, input: 42 }] });
    expect(numberInput.status).toBe(400);
    expect(server.store.traces.size).toBeGreaterThan(0);
  });

  it("keeps a trace's and a span's source, filters on it and refuses a value outside the enum", async () => {
    const client = sdkClient(server, "ingest-source");
    const traceIds = [uuid7(), uuid7()];
    await client.api.traces.createTraces({
      traces: [
        // What the action writes for an evaluated item.
        { id: traceIds[0] ?? "", projectName: "ingest-source", name: "evaluation_task", startTime: new Date(), source: "experiment" },
        { id: traceIds[1] ?? "", projectName: "ingest-source", name: "chat", startTime: new Date() },
      ],
    });
    expect((await client.api.traces.getTraceById(traceIds[0] ?? "")).source).toBe("experiment");
    expect((await client.api.traces.getTraceById(traceIds[1] ?? "")).source).toBeUndefined();
    const experimentTraces = await client.api.traces.searchTraces({
      projectName: "ingest-source",
      filters: [{ field: "source", operator: "=", value: "experiment" }],
    });
    expect((await readNdjsonStream(experimentTraces)).map((t) => t.id)).toEqual([traceIds[0]]);
    const bad = await call(server, "POST", "/v1/private/traces/batch", {
      traces: [{ project_name: "ingest-source", start_time: new Date().toISOString(), source: "cli" }],
    });
    expect(bad).toMatchObject({ status: 400, json: { code: 400, message: "Unable to process JSON" } });
  });

  it("rejects span deletion like the backend (declared, not implemented)", async () => {
    const response = await call(server, "DELETE", `/v1/private/spans/${uuid7()}`);
    expect(response.status).toBe(501);
  });

  it("deletes traces with their spans and their own scores, 1 to 1000 ids per call", async () => {
    const client = sdkClient(server, "ingest-delete");
    const traceIds = [uuid7(), uuid7()];
    const spanIds = [uuid7(), uuid7(), uuid7()];
    await client.api.traces.createTraces({ traces: traceIds.map((id) => ({ id, projectName: "ingest-delete", startTime: new Date() })) });
    await client.api.spans.createSpans({
      spans: spanIds.map((id, i) => ({ id, traceId: traceIds[i % 2] ?? "", projectName: "ingest-delete", startTime: new Date() })),
    });
    await client.api.spans.scoreBatchOfSpans({ scores: spanIds.map((id) => ({ id, name: "q", value: 1, source: "sdk", projectName: "ingest-delete" })) });
    await client.api.traces.scoreBatchOfTraces({ scores: [{ id: traceIds[0] ?? "", name: "q", value: 1, source: "sdk", projectName: "ingest-delete" }] });

    await client.api.traces.deleteTraces({ ids: [traceIds[0] ?? ""] });
    expect(server.store.traces.has(traceIds[0] ?? "")).toBe(false);
    expect(spanIds.filter((id) => server.store.spans.has(id))).toEqual([spanIds[1]]);
    expect(server.store.scoresOf("trace", traceIds[0] ?? "")).toEqual([]);
    expect(server.store.scoresOf("span", spanIds[1] ?? "")).toHaveLength(1);
    // The deleted spans' scores stay behind (TraceDeletedListener deletes trace scores, comments,
    // attachments and spans, never span scores): a span re-logged under its id shows them again.
    expect(server.store.scoresOf("span", spanIds[0] ?? "")).toHaveLength(1);
    expect(await client.api.spans.getSpanById(spanIds[0] ?? "").catch((e: unknown) => (e as { statusCode: number }).statusCode)).toBe(404);
    await client.api.traces.createTraces({ traces: [{ id: traceIds[0] ?? "", projectName: "ingest-delete", startTime: new Date() }] });
    await client.api.spans.createSpans({ spans: [{ id: spanIds[0] ?? "", traceId: traceIds[0] ?? "", projectName: "ingest-delete", startTime: new Date() }] });
    expect((await client.api.spans.getSpanById(spanIds[0] ?? "")).feedbackScores?.map((s) => s.name)).toEqual(["q"]);
    expect((await client.api.traces.getTraceById(traceIds[0] ?? "")).feedbackScores).toBeUndefined();

    const none = await expectSdkFailure(client.api.traces.deleteTraces({ ids: [] }));
    expect(none).toEqual({ statusCode: 422, body: { errors: ["ids size must be between 1 and 1000"] } });
    const tooMany = await call(server, "POST", "/v1/private/traces/delete", { ids: Array.from({ length: 1001 }, () => uuid7()) });
    expect(tooMany.status).toBe(422);
  });

  it("lists traces and spans page by page with filters passed as a JSON query string", async () => {
    const client = sdkClient(server, "ingest-list");
    const traceId = uuid7();
    await client.api.traces.createTraces({ traces: [{ id: traceId, projectName: "ingest-list", startTime: new Date() }] });
    await client.api.spans.createSpans({
      spans: Array.from({ length: 25 }, (_, i) => ({
        id: uuid7(),
        traceId,
        projectName: "ingest-list",
        name: i % 5 === 0 ? "special" : "plain",
        type: "llm" as const,
        startTime: new Date(),
        metadata: { env: i % 2 === 0 ? "prod" : "dev" },
      })),
    });
    const page2 = await client.api.spans.getSpansByProject({ projectName: "ingest-list", page: 2, size: 10 });
    expect(page2).toMatchObject({ page: 2, size: 10, total: 25 });
    const filtered = await client.api.spans.getSpansByProject({
      projectName: "ingest-list",
      filters: JSON.stringify([
        { field: "name", operator: "=", value: "special" },
        { field: "metadata", key: "env", operator: "=", value: "prod" },
      ]),
      size: 100,
    });
    expect(filtered.total).toBe(3);
    expect(filtered.content?.every((s) => s.name === "special")).toBe(true);
    const traces = await client.api.traces.getTracesByProject({
      projectName: "ingest-list",
      filters: JSON.stringify([{ field: "llm_span_count", operator: ">=", value: "25" }]),
    });
    expect(traces.total).toBe(1);
    expect(traces.content?.[0]?.spanCount).toBe(25);

    const noProject = await call(server, "GET", "/v1/private/spans");
    expect(noProject.status).toBe(400);
    const unknownProject = await call(server, "GET", "/v1/private/spans?project_name=nope");
    expect(unknownProject.status).toBe(404);
    const badPage = await call(server, "GET", "/v1/private/spans?project_name=ingest-list&page=0");
    expect(badPage.json).toEqual({ errors: ["query param page must be greater than or equal to 1"] });
  });
});
