import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, sdkClient, startTestServer, uuid7 } from "./helpers.js";

describe("opik server: HTTP behaviour, error bodies, faults and request log", () => {
  let server: OpikServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("listens on 127.0.0.1 under /api and also without the prefix, like the backend port", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    const root = server.url.replace(/\/api$/, "");
    const created = await fetch(`${root}/v1/private/projects`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "no-prefix" }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toMatch(new RegExp(`^${root}/v1/private/projects/[0-9a-f-]{36}$`));
    const listed = await call(server, "GET", "/v1/private/projects?name=NO-PREF");
    expect(listed.json).toMatchObject({ page: 1, size: 1, total: 1, content: [{ name: "no-prefix", visibility: "private" }] });
  });

  it("answers malformed JSON, unknown routes and wrong methods with Dropwizard's bodies", async () => {
    const malformed = await call(server, "POST", "/v1/private/traces/batch", undefined, '{"traces": [');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({ code: 400, message: "Unable to process JSON" });
    expect(malformed.headers.get("content-type")).toBe("application/json");
    const wrongShape = await call(server, "POST", "/v1/private/traces/batch", ["not", "an", "object"]);
    expect(wrongShape.json).toEqual({ code: 400, message: "Unable to process JSON" });
    const noBody = await call(server, "POST", "/v1/private/spans/search");
    expect(noBody.json).toEqual({ errors: ["The request body may not be null"] });
    const unknown = await call(server, "GET", "/v1/private/nothing-here");
    expect(unknown.json).toEqual({ code: 404, message: "HTTP 404 Not Found" });
    const method = await call(server, "DELETE", "/v1/private/spans/search");
    expect(method.json).toEqual({ code: 405, message: "HTTP 405 Method Not Allowed" });
  });

  it("uses 204 without a body for batch writes and deletes", async () => {
    const response = await call(server, "POST", "/v1/private/traces/batch", { traces: [{ start_time: new Date().toISOString() }] });
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect(response.headers.get("content-type")).toBeNull();
  });

  it("retrieves projects by name (case-insensitive) and answers 404 with Opik's error list", async () => {
    const client = sdkClient(server, "errors");
    const project = await client.api.projects.retrieveProject({ name: "NO-PREFIX" });
    expect(project.name).toBe("no-prefix");
    expect(await client.api.projects.getProjectById(project.id ?? "")).toMatchObject({ name: "no-prefix" });
    const missing = await expectSdkFailure(client.api.projects.retrieveProject({ name: "ghost" }));
    expect(missing).toEqual({ statusCode: 404, body: { errors: ["Project not found"] } });
    const duplicate = await expectSdkFailure(client.api.projects.createProject({ name: "No-Prefix" }));
    expect(duplicate).toEqual({ statusCode: 409, body: { errors: ["Project already exists"] } });
  });

  it("injects faults after N matching calls, a given number of times, with a custom body", async () => {
    server.injectFault({ method: "post", path: /\/spans\/search$/, status: 503, after: 1, times: 2, body: { code: 503, message: "overloaded" } });
    const search = () => call(server, "POST", "/v1/private/spans/search", { project_name: "no-prefix" });
    expect((await search()).status).toBe(200);
    const failed = await search();
    expect(failed).toMatchObject({ status: 503, json: { code: 503, message: "overloaded" } });
    expect((await search()).status).toBe(503);
    expect((await search()).status).toBe(200);

    server.injectFault({ method: "PUT", path: "/v1/private/spans/feedback-scores", status: 500 });
    const client = sdkClient(server, "errors");
    const failure = await expectSdkFailure(
      client.api.spans.scoreBatchOfSpans({ scores: [{ id: uuid7(), name: "n", value: 1, source: "sdk" }] }, { maxRetries: 0 }),
    );
    expect(failure).toEqual({ statusCode: 500, body: { code: 500, message: "Injected fault" } });
    expect(server.store.feedbackScores.size).toBe(0);
    server.clearFaults();
    expect((await call(server, "PUT", "/v1/private/spans/feedback-scores", { scores: [{ id: uuid7(), name: "n", value: 1, source: "sdk" }] })).status).toBe(
      204,
    );
  });

  it("records every request without the /api prefix, with query, parsed body, status and the bytes sent back", async () => {
    const before = server.requests.length;
    const listed = await call(server, "GET", "/v1/private/projects?page=2&size=5&name=x");
    const rejected = await call(server, "POST", "/v1/private/traces/batch", undefined, "{oops");
    expect(server.requests.slice(before)).toEqual([
      {
        method: "GET",
        path: "/v1/private/projects",
        query: { page: "2", size: "5", name: "x" },
        body: undefined,
        status: 200,
        responseBytes: Buffer.byteLength(listed.text),
      },
      { method: "POST", path: "/v1/private/traces/batch", query: {}, body: "{oops", status: 400, responseBytes: Buffer.byteLength(rejected.text) },
    ]);
    expect(Buffer.byteLength(listed.text)).toBeGreaterThan(0);
  });
});
