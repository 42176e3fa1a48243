import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, readNdjsonStream, sdkClient, startTestServer, streamRows, uuid7, watchSdkErrors } from "./helpers.js";

const PROJECT = "streams";
const TOTAL = 4500;

describe("opik server: NDJSON streams, paging and payload options", () => {
  let server: OpikServer;
  let client: Opik;
  const longText = "x".repeat(12_000);
  let longSpanId = "";

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
    const traceId = uuid7();
    await client.api.traces.createTraces({ traces: [{ id: traceId, projectName: PROJECT, name: "bulk", startTime: new Date() }] });
    for (let batch = 0; batch < TOTAL / 900; batch += 1) {
      const spans = Array.from({ length: 900 }, (_, i) => ({
        id: uuid7(),
        traceId,
        projectName: PROJECT,
        name: `span-${batch * 900 + i}`,
        type: i % 3 === 0 ? ("llm" as const) : ("general" as const),
        startTime: new Date(),
        input: { n: batch * 900 + i },
      }));
      await client.api.spans.createSpans({ spans });
    }
    longSpanId = uuid7();
    await client.api.spans.createSpans({
      spans: [
        {
          id: longSpanId,
          traceId,
          projectName: "streams-long",
          name: "long",
          startTime: new Date(),
          input: { text: longText },
          output: longText,
          metadata: { note: longText },
        },
      ],
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it("pages past 2000 rows with last_retrieved_id, newest first, without gaps or repeats", async () => {
    const seen: string[] = [];
    let lastRetrievedId: string | undefined;
    let calls = 0;
    for (;;) {
      const stream = await client.api.spans.searchSpans({
        projectName: PROJECT,
        limit: 2000,
        truncate: false,
        ...(lastRetrievedId ? { lastRetrievedId } : {}),
      });
      const rows = await readNdjsonStream(stream);
      calls += 1;
      seen.push(...rows.map((row) => String(row.id)));
      if (rows.length < 2000) break;
      lastRetrievedId = String(rows.at(-1)?.id);
    }
    expect(calls).toBe(3);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen).size).toBe(TOTAL);
    expect([...seen].sort().reverse()).toEqual(seen);
    const searches = server.requests.filter((r) => r.path === "/v1/private/spans/search");
    expect(searches.at(-1)?.body).toMatchObject({ project_name: PROJECT, limit: 2000, last_retrieved_id: lastRetrievedId });
  });

  it("defaults to 500 rows and applies filters before the limit", async () => {
    const rows = await readNdjsonStream(await client.api.spans.searchSpans({ projectName: PROJECT }));
    expect(rows).toHaveLength(500);
    const llm = await readNdjsonStream(await client.api.spans.searchSpans({ projectName: PROJECT, limit: 2000, type: "llm" }));
    expect(llm).toHaveLength(TOTAL / 3);
  });

  it("rejects a limit outside 1..2000 as a body constraint violation (422), surfaced by the SDK as statusCode 422", async () => {
    const raw = await expectSdkFailure(client.api.spans.searchSpans({ projectName: PROJECT, limit: 2001 }));
    expect(raw).toEqual({ statusCode: 422, body: { errors: ["limit must be less than or equal to 2000"] } });
    const highLevel = await expectSdkFailure(client.searchSpans({ projectName: PROJECT, maxResults: 2500 }));
    expect(highLevel.statusCode).toBe(422);
    expect(await call(server, "POST", "/v1/private/traces/search", { project_name: PROJECT, limit: 0 })).toMatchObject({
      status: 422,
      json: { errors: ["limit must be greater than or equal to 1"] },
    });
  });

  it("ends every row with \\r\\n, as the backend's ChunkedOutput does", async () => {
    const response = await call(server, "POST", "/v1/private/spans/search", { project_name: PROJECT, limit: 3 });
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    const lines = response.text.split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, 3).every((line) => !line.includes("\n") && typeof (JSON.parse(line) as { id: unknown }).id === "string")).toBe(true);
  });

  it("answers a span search on an unknown project with an empty stream, a trace search with 404", async () => {
    // SpanService.search resolves the project inside the streamed Flux and the Streamer closes the
    // stream on the error without a row; the trace search resolves it before streaming.
    expect(await call(server, "POST", "/v1/private/spans/search", { project_name: "no-such-project" })).toMatchObject({ status: 200, text: "" });
    expect(await readNdjsonStream(await client.api.spans.searchSpans({ projectName: "no-such-project" }))).toEqual([]);
    const traces = await expectSdkFailure(client.api.traces.searchTraces({ projectName: "no-such-project" }));
    expect(traces).toEqual({ statusCode: 404, body: { code: 404, message: "Project name: no-such-project not found" } });
    const listed = await call(server, "GET", "/v1/private/spans?project_name=no-such-project");
    expect(listed).toMatchObject({ status: 404, json: { code: 404, message: "Project name: no-such-project not found" } });
    // Neither names a project: 400 before anything else.
    expect((await call(server, "POST", "/v1/private/spans/search", {})).json).toEqual({
      code: 400,
      message: "Either 'project_name' or 'project_id' query params must be provided",
    });
  });

  it("the high-level search parses every row it receives (none dropped by the SDK schema)", async () => {
    const errors = watchSdkErrors();
    const spans = await client.searchSpans({ projectName: PROJECT, maxResults: 2000 });
    expect(spans).toHaveLength(2000);
    expect(spans.every((s) => s.startTime instanceof Date && typeof s.traceId === "string")).toBe(true);
    const traces = await client.searchTraces({ projectName: PROJECT, maxResults: 10 });
    expect(traces).toHaveLength(1);
    expect(traces[0]?.spanCount).toBe(TOTAL);
    expect(errors.messages()).toEqual([]);
  });

  it("truncates long strings unless truncate is false", async () => {
    const truncated = await client.searchSpans({ projectName: "streams-long" });
    expect(truncated).toHaveLength(1);
    expect((truncated[0]?.input as { text: string }).text).toHaveLength(10_000);
    expect(truncated[0]?.output).toHaveLength(10_000);
    expect((truncated[0]?.metadata as { note: string }).note).toHaveLength(10_000);

    const full = await client.searchSpans({ projectName: "streams-long", truncate: false });
    expect((full[0]?.input as { text: string }).text).toBe(longText);
    // A body without `truncate` reads as false: the backend's `@DefaultValue("true") boolean` is lost on Jackson.
    const [omitted] = await streamRows(server, "/v1/private/spans/search", { project_name: "streams-long" });
    expect(omitted?.output).toBe(longText);
    // GET by id and the paged list default to full payloads.
    expect((await client.api.spans.getSpanById(longSpanId)).output).toBe(longText);
    expect((await client.api.spans.getSpansByProject({ projectName: "streams-long" })).content?.[0]?.output).toBe(longText);
    expect((await client.api.spans.getSpansByProject({ projectName: "streams-long", truncate: true })).content?.[0]?.output).toHaveLength(10_000);
  });

  it("drops excluded fields", async () => {
    const rows = await readNdjsonStream(await client.api.spans.searchSpans({ projectName: "streams-long", exclude: ["input", "metadata", "feedback_scores"] }));
    expect(rows[0]).not.toHaveProperty("input");
    expect(rows[0]).not.toHaveProperty("metadata");
    expect(rows[0]).toHaveProperty("output");
    const listed = await call(server, "GET", `/v1/private/spans?project_name=streams-long&exclude=${encodeURIComponent('["output"]')}`);
    expect((listed.json as { content: Record<string, unknown>[] }).content[0]).not.toHaveProperty("output");
    expect((await call(server, "POST", "/v1/private/spans/search", { project_name: "streams-long", exclude: ["bogus"] })).status).toBe(400);
  });
});
