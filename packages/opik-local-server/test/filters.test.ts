import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, oqlFilters, readNdjsonStream, sdkClient, searchSpanIds, startTestServer, uuid7, watchSdkErrors } from "./helpers.js";

const PROJECT = "filters";

type RawFilter = { field: string; operator: string; value: string | null; key?: string };

describe("opik server: filters with the backend's semantics", () => {
  let server: OpikServer;
  let client: Opik;
  const base = Date.now();
  const at = (minutesBefore: number, plusMs = 0) => new Date(base - minutesBefore * 60_000 + plusMs);
  const ids = { s1: uuid7(), s2: uuid7(), s3: uuid7(), s4: uuid7(), t1: uuid7(), t2: uuid7(), t3: uuid7() };
  const nameOf = new Map<string, string>();

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
    await client.api.traces.createTraces({
      traces: [
        { id: ids.t1, projectName: PROJECT, name: "t1", startTime: at(50), endTime: at(29), output: { error: null, text: "ok" } },
        { id: ids.t2, projectName: PROJECT, name: "t2", startTime: at(10), output: { text: "fine" } },
        { id: ids.t3, projectName: PROJECT, name: "t3", startTime: at(5), endTime: at(5, 50), output: { text: "errorless" } },
      ],
    });
    await client.api.spans.createSpans({
      spans: [
        {
          id: ids.s1,
          traceId: ids.t1,
          projectName: PROJECT,
          name: "Chat",
          type: "llm",
          model: "GPT-4o",
          provider: "openai",
          startTime: at(50),
          endTime: at(50, 1200),
          input: { messages: [{ role: "user", content: "Rate limit hit?" }] },
          output: { error: null, text: "fine" },
          metadata: { env: "prod", retries: 3, nested: { k: "v" }, "hyphen-key": "yes" },
          tags: ["Alpha", "beta"],
          usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
          totalEstimatedCost: 0.5,
        },
        {
          id: ids.s2,
          traceId: ids.t1,
          projectName: PROJECT,
          name: "chat",
          type: "llm",
          model: "claude-3",
          provider: "anthropic",
          startTime: at(30),
          endTime: at(30, 300),
          input: { q: "hello" },
          output: { text: "an error occurred" },
          metadata: { env: "dev", retries: "12" },
          usage: { total_tokens: 5 },
          errorInfo: { exceptionType: "TimeoutError", message: "slow", traceback: "at x" },
        },
        {
          id: ids.s3,
          traceId: ids.t2,
          projectName: PROJECT,
          name: "tool_call",
          type: "tool",
          startTime: at(10),
          input: "plain string input",
          output: { result: "rate_limit" },
          metadata: { env: null },
          tags: ["gamma"],
        },
        {
          id: ids.s4,
          traceId: ids.t3,
          projectName: PROJECT,
          name: "other",
          type: "general",
          startTime: at(5),
          endTime: at(5, 50),
          output: { text: "errorless" },
          metadata: { env: "", tier: "a b" },
        },
      ],
    });
    await client.api.spans.scoreBatchOfSpans({
      scores: [
        { id: ids.s1, name: "Quality", value: 0.9, source: "sdk", projectName: PROJECT },
        { id: ids.s1, name: "added_to_dataset", value: 1, source: "sdk", projectName: PROJECT },
        { id: ids.s2, name: "quality", value: 0.3, source: "sdk", projectName: PROJECT },
        { id: ids.s4, name: "relevance", value: 0.5, source: "sdk", projectName: PROJECT },
      ],
    });
    await client.api.traces.scoreBatchOfTraces({ scores: [{ id: ids.t2, name: "hallucination", value: 0.2, source: "sdk", projectName: PROJECT }] });
    for (const [key, id] of Object.entries(ids)) nameOf.set(id, key);
  });

  afterAll(async () => {
    await server.close();
  });

  /** Ids of matching spans, by their short names, through the SDK's OQL. */
  async function oql(filterString: string): Promise<string[]> {
    const spans = await client.searchSpans({ projectName: PROJECT, filterString, truncate: false });
    return spans.map((s) => nameOf.get(s.id ?? "") ?? "?").sort();
  }

  /** Through the raw stream call with a hand-written `filters` array. */
  async function raw(...filters: RawFilter[]): Promise<string[]> {
    const stream = await client.api.spans.searchSpans({ projectName: PROJECT, filters: filters as never, truncate: false });
    return (await readNdjsonStream(stream)).map((s) => nameOf.get(String(s.id)) ?? "?").sort();
  }

  async function traces(filterString: string): Promise<string[]> {
    const rows = await client.searchTraces({ projectName: PROJECT, filterString });
    return rows.map((t) => nameOf.get(t.id ?? "") ?? "?").sort();
  }

  /** OQL for is_empty / is_not_empty, sent with `""` instead of the SDK's null (see oqlFilters). */
  async function oqlEmpty(filterString: string): Promise<string[]> {
    return (await searchSpanIds(client, PROJECT, oqlFilters(filterString))).map((id) => nameOf.get(id) ?? "?").sort();
  }

  async function tracesEmpty(filterString: string): Promise<string[]> {
    const stream = await client.api.traces.searchTraces({ projectName: PROJECT, filters: oqlFilters(filterString, "traces") as never });
    return (await readNdjsonStream(stream)).map((t) => nameOf.get(String(t.id)) ?? "?").sort();
  }

  it("STRING fields compare case-insensitively; contains is ILIKE with live wildcards", async () => {
    const errors = watchSdkErrors();
    expect(await oql('name = "chat"')).toEqual(["s1", "s2"]);
    expect(await oql('name contains "HA"')).toEqual(["s1", "s2"]);
    expect(await oql('name starts_with "TOOL"')).toEqual(["s3"]);
    expect(await oql('name ends_with "call"')).toEqual(["s3"]);
    expect(await oql('name != "chat"')).toEqual(["s3", "s4"]);
    expect(await raw({ field: "name", operator: ">", value: "d" })).toEqual(["s3", "s4"]);
    expect(await oql('model = "gpt-4o" AND provider = "OPENAI"')).toEqual(["s1"]);
    expect(await raw({ field: "trace_id", operator: "=", value: ids.t1.toUpperCase() })).toEqual(["s1", "s2"]);
    // `_` is a LIKE wildcard the backend does not escape: "rate_limit" also finds "Rate limit".
    expect(await oql('input contains "rate_limit"')).toEqual(["s1"]);
    expect(errors.messages()).toEqual([]);
  });

  it("input/output filters run over the serialized JSON text, keys included", async () => {
    expect(await oql('output contains "error"')).toEqual(["s1", "s2", "s4"]);
    expect(await oql('output not_contains "error"')).toEqual(["s3"]);
    expect(await raw({ field: "output", operator: "contains", value: '"error":null' })).toEqual(["s1"]);
    // Stored text is compact JSON, so the pretty-printed form does not match.
    expect(await raw({ field: "output", operator: "contains", value: '"error": null' })).toEqual([]);
    expect(await raw({ field: "input", operator: "contains", value: '"plain string' })).toEqual(["s3"]);
    expect(await traces('output contains "error"')).toEqual(["t1", "t3"]);
  });

  it("DATE_TIME fields take ISO instants; an absent end_time never matches", async () => {
    expect(await oql(`start_time >= "${at(40).toISOString()}"`)).toEqual(["s2", "s3", "s4"]);
    expect(await oql(`end_time < "${at(20).toISOString()}"`)).toEqual(["s1", "s2"]);
    expect(await raw({ field: "start_time", operator: "=", value: at(10).toISOString() })).toEqual(["s3"]);
    // Values are URL-decoded a second time, so "+00:00" turns into " 00:00" and is rejected.
    const failure = await expectSdkFailure(
      client.api.spans.searchSpans({ projectName: PROJECT, filters: [{ field: "start_time", operator: ">=", value: "2025-01-01T00:00:00+00:00" }] }),
    );
    expect(failure).toEqual({
      statusCode: 400,
      body: { code: 400, message: "Invalid value '2025-01-01T00:00:00 00:00' or key 'null' for field 'start_time' of type 'DATE_TIME'" },
    });
    expect(
      (await call(server, "POST", "/v1/private/spans/search", { project_name: PROJECT, filters: [{ field: "end_time", operator: "<", value: "2025-01-01" }] }))
        .status,
    ).toBe(400);
  });

  it("NUMBER fields treat missing usage and cost as 0 and compute duration from the times", async () => {
    expect(await oql("usage.total_tokens > 10")).toEqual(["s1"]);
    expect(await oql("usage.total_tokens = 0")).toEqual(["s3", "s4"]);
    expect(await oql("total_estimated_cost >= 0.5")).toEqual(["s1"]);
    expect(await oql("duration > 1000")).toEqual(["s1"]);
    expect(await oql("duration < 100")).toEqual(["s3", "s4"]);
    expect(
      (
        await call(server, "POST", "/v1/private/spans/search", {
          project_name: PROJECT,
          filters: [{ field: "usage.total_tokens", operator: "=", value: "1e3" }],
        })
      ).json,
    ).toEqual({
      code: 400,
      message: "Invalid value '1e3' or key 'null' for field 'usage.total_tokens' of type 'NUMBER'",
    });
  });

  it("DICTIONARY fields read JSON_VALUE at the key path", async () => {
    expect(await oql('metadata.env = "PROD"')).toEqual(["s1"]);
    expect(await oql('metadata.env contains "d"')).toEqual(["s1", "s2"]);
    expect(await oql("metadata.retries > 5")).toEqual(["s2"]);
    expect(await raw({ field: "metadata", key: "nested.k", operator: "=", value: "v" })).toEqual(["s1"]);
    expect(await raw({ field: "metadata", key: "$.nested['k']", operator: "=", value: "V" })).toEqual(["s1"]);
    expect(await raw({ field: "metadata", key: "hyphen-key", operator: "=", value: "yes" })).toEqual(["s1"]);
    // null, '' and a missing key are all "empty"; so is an object, which JSON_VALUE renders as ''.
    expect(await raw({ field: "metadata", key: "env", operator: "is_empty", value: "" })).toEqual(["s3", "s4"]);
    expect(await raw({ field: "metadata", key: "env", operator: "is_not_empty", value: "" })).toEqual(["s1", "s2"]);
    expect(await raw({ field: "metadata", key: "nested", operator: "is_empty", value: "" })).toEqual(["s1", "s2", "s3", "s4"]);
    expect(await raw({ field: "input_json", key: "messages[0].role", operator: "=", value: "user" })).toEqual(["s1"]);
    expect(await raw({ field: "custom", key: "input.messages[0].content", operator: "contains", value: "limit" })).toEqual(["s1"]);
    // Non-string values are URL-decoded again: "a+b" and "a%20b" both mean "a b".
    expect(await raw({ field: "metadata", key: "tier", operator: "=", value: "a+b" })).toEqual(["s4"]);
    expect(await raw({ field: "metadata", key: "tier", operator: "=", value: "a%20b" })).toEqual(["s4"]);
    expect(
      (await call(server, "POST", "/v1/private/spans/search", { project_name: PROJECT, filters: [{ field: "metadata", operator: "=", value: "x" }] })).json,
    ).toEqual({
      code: 400,
      message: "Invalid value 'x' or key 'null' for field 'metadata' of type 'DICTIONARY'",
    });
  });

  it("LIST (tags) and ENUM (type) fields", async () => {
    expect(await oql('tags contains "ALP"')).toEqual(["s1"]);
    expect(await oql('tags = "beta"')).toEqual(["s1"]);
    expect(await oql('tags = "Beta"')).toEqual([]);
    expect(await raw({ field: "tags", operator: "is_empty", value: "" })).toEqual(["s2", "s4"]);
    expect(await oql('tags not_contains "a"')).toEqual(["s2", "s4"]);
    expect(await oql('type = "llm"')).toEqual(["s1", "s2"]);
    expect(await oql('type != "llm"')).toEqual(["s3", "s4"]);
    expect(await raw({ field: "type", operator: "in", value: "tool, general" })).toEqual(["s3", "s4"]);
    expect(await raw({ field: "type", operator: "=", value: "LLM" })).toEqual([]);
  });

  it("feedback_scores: key is the score name (case-insensitive); value operators need at least one score", async () => {
    expect(await oql("feedback_scores.quality >= 0.5")).toEqual(["s1"]);
    expect(await oql("feedback_scores.QUALITY < 0.5")).toEqual(["s2"]);
    expect(await oqlEmpty("feedback_scores.added_to_dataset is_empty")).toEqual(["s2", "s3", "s4"]);
    expect(await oqlEmpty("feedback_scores.added_to_dataset is_not_empty")).toEqual(["s1"]);
    // != matches entities with scores but no (name, value) pair; a span without any score never matches.
    expect(await oql("feedback_scores.quality != 0.9")).toEqual(["s2", "s4"]);
    expect(await raw({ field: "feedback_scores", key: "quality", operator: "=", value: "0.3" })).toEqual(["s2"]);
    const bad = await call(server, "POST", "/v1/private/spans/search", {
      project_name: PROJECT,
      filters: [{ field: "feedback_scores", key: "q", operator: ">", value: "abc" }],
    });
    expect(bad.json).toEqual({ code: 400, message: "Invalid value 'abc' or key 'q' for field 'feedback_scores' of type 'FEEDBACK_SCORES_NUMBER'" });
  });

  it("error_info only supports is_empty / is_not_empty; filters are ANDed", async () => {
    expect(await oqlEmpty("error_info is_not_empty")).toEqual(["s2"]);
    expect(await oqlEmpty("error_info is_empty")).toEqual(["s1", "s3", "s4"]);
    expect(await oql('type = "llm" AND metadata.env = "prod" AND feedback_scores.quality > 0.5')).toEqual(["s1"]);
    const bad = await expectSdkFailure(client.api.spans.searchSpans({ projectName: PROJECT, filters: [{ field: "error_info", operator: "=", value: "x" }] }));
    expect(bad).toEqual({ statusCode: 400, body: { code: 400, message: "Invalid operator '=' for field 'error_info' of type 'ERROR_CONTAINER'" } });
  });

  it("needs a value for is_empty / is_not_empty: null, as the SDK's OQL sends it, fails the request", async () => {
    const search = (filters: unknown) => call(server, "POST", "/v1/private/spans/search", { project_name: PROJECT, filters });
    const internal = { code: 500, message: "There was an error processing your request. It has been logged." };
    // Every non-string value is URL-decoded first; URLDecoder.decode(null) throws a NullPointerException.
    expect(await search([{ field: "feedback_scores", key: "added_to_dataset", operator: "is_empty", value: null }])).toMatchObject({
      status: 500,
      json: internal,
    });
    expect(await search([{ field: "error_info", operator: "is_not_empty", value: null }])).toMatchObject({ status: 500, json: internal });
    expect(await search([{ field: "custom", key: "input.q", operator: "=", value: null }])).toMatchObject({ status: 500, json: internal });
    // A string field is not decoded: a null value fails the value check instead.
    expect((await search([{ field: "name", operator: "=", value: null }])).json).toEqual({
      code: 400,
      message: "Invalid value 'null' or key 'null' for field 'name' of type 'STRING'",
    });
    // `value` itself must be present.
    expect((await search([{ field: "error_info", operator: "is_empty" }])).json).toEqual({ code: 400, message: "Unable to process JSON" });
    // So the SDK's high-level search with an is_empty OQL expression fails against Opik...
    const sdk = await expectSdkFailure(
      client.api.spans.searchSpans(
        { projectName: PROJECT, filters: oqlFilters("error_info is_empty").map((f) => ({ ...f, value: null })) as never },
        { maxRetries: 0 },
      ),
    );
    expect(sdk.statusCode).toBe(500);
    // ...while `""` works, and is still URL-decoded (a broken escape is a 400).
    expect(await raw({ field: "error_info", operator: "is_empty", value: "" })).toEqual(["s1", "s3", "s4"]);
    expect((await search([{ field: "error_info", operator: "is_empty", value: "%" }])).json).toEqual({ code: 400, message: "Invalid filter '%'" });
  });

  it("rejects unknown fields and operators and operators outside the field's type with 400", async () => {
    const search = (filters: unknown) => call(server, "POST", "/v1/private/spans/search", { project_name: PROJECT, filters });
    expect((await search([{ field: "name", operator: ">=", value: "a" }])).json).toEqual({
      code: 400,
      message: "Invalid operator '>=' for field 'name' of type 'STRING'",
    });
    expect((await search([{ field: "tags", operator: ">", value: "a" }])).json).toEqual({
      code: 400,
      message: "Invalid operator '>' for field 'tags' of type 'LIST'",
    });
    expect((await search([{ field: "colour", operator: "=", value: "a" }])).json).toEqual({ code: 400, message: "Unable to process JSON" });
    expect((await search([{ field: "name", operator: "like", value: "a" }])).status).toBe(400);
    expect((await search([{ field: "name", operator: "=", value: "" }])).json).toEqual({
      code: 400,
      message: "Invalid value '' or key 'null' for field 'name' of type 'STRING'",
    });
    // GET list endpoints name the query parameter instead.
    const filters = JSON.stringify([{ field: "colour", operator: "=", value: "a" }]);
    const listed = await call(server, "GET", `/v1/private/spans?project_name=${PROJECT}&filters=${encodeURIComponent(filters)}`);
    expect(listed.json).toEqual({ code: 400, message: `Invalid filters query parameter '${filters}'` });
    // The SDK's own OQL parser refuses what it does not know before any request is made.
    await expect(client.searchSpans({ projectName: PROJECT, filterString: 'colour = "red"' })).rejects.toThrow();
  });

  it("trace filters see span aggregates: usage, llm_span_count, span_feedback_scores", async () => {
    expect(await traces("usage.total_tokens = 35")).toEqual(["t1"]);
    expect(await traces("llm_span_count = 2")).toEqual(["t1"]);
    expect(await traces("span_feedback_scores.quality >= 0.6")).toEqual(["t1"]);
    expect(await traces("feedback_scores.hallucination < 0.5")).toEqual(["t2"]);
    expect(await tracesEmpty("feedback_scores.hallucination is_empty")).toEqual(["t1", "t3"]);
    expect(await traces(`start_time < "${at(20).toISOString()}"`)).toEqual(["t1"]);
  });
});
