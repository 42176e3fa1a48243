import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../../src/opik-server/index.js";
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
      spans: [{ id: longSpanId, traceId, projectName: "streams-long", name: "long", startTime: new Date(), input: { text: longText }, output: longText, metadata: { note: longText } }],
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
      const stream = await client.api.spans.searchSpans({ projectName: PROJECT, limit: 2000, truncate: false, ...(lastRetrievedId ? { lastRetrievedId } : {}) });
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

  it("rejects limit > 2000 with 400, surfaced by the SDK as statusCode 400", async () => {
    const raw = await expectSdkFailure(client.api.spans.searchSpans({ projectName: PROJECT, limit: 2001 }));
    expect(raw).toEqual({ statusCode: 400, body: { errors: ["limit must be less than or equal to 2000"] } });
    const highLevel = await expectSdkFailure(client.searchSpans({ projectName: PROJECT, maxResults: 2500 }));
    expect(highLevel.statusCode).toBe(400);
    expect((await call(server, "POST", "/v1/private/traces/search", { project_name: PROJECT, limit: 0 })).status).toBe(400);
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
