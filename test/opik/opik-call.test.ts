import { spawn } from "node:child_process";
import { Opik } from "opik";
import { closedPort } from "../support/loopback-http.js";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AlreadyExistsError, OpikError } from "../../src/errors.js";
import { seededRandom } from "../../src/gate/seeded-random.js";
import { describeOpikFailure } from "../../src/opik/opik-call.js";
import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import { createUuidV7, startOpikServer, type OpikServer } from "opik-local-server";

let server: OpikServer;
beforeAll(async () => {
  server = await startOpikServer();
});
afterAll(async () => server.close());
afterEach(() => server.clearFaults());

function gateway(
  project: string,
  extra: { timeoutSeconds?: number; runId?: string; apiKey?: string; url?: string } = {},
): ReturnType<typeof createOpikGateway> {
  return createOpikGateway({
    url: extra.url ?? server.url,
    apiKey: extra.apiKey ?? "",
    workspace: "default",
    project,
    evaluationProject: `${project}-evaluation`,
    ...extra,
  });
}

async function ensureProject(name: string): Promise<void> {
  const response = await fetch(`${server.url}/v1/private/projects`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  expect([201, 409]).toContain(response.status);
}

describe("a failed Opik call", () => {
  it("leaves nothing behind that holds the process open", async () => {
    const port = await closedPort();
    const script = fileURLToPath(new URL("./fixtures/failed-call.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script, `http://127.0.0.1:${port}/api`], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    // The SDK's timer for the refused request used to hold the process for 120 s.
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(killer);
    expect(exit.signal, stdout).toBeNull();
    expect(stdout).toContain(`Opik trace count failed at http://127.0.0.1:${port}/api: connection refused`);
  }, 40_000);

  it("names the URL without credentials, Opik's own error and the fix, and never the API key", async () => {
    const key = "opik-key-that-must-not-be-printed";
    server.injectFault({
      method: "GET",
      path: "/v1/private/traces",
      status: 401,
      body: { code: 401, message: `User not allowed to access workspace with key ${key}` },
    });
    const error = await gateway("p", { apiKey: key })
      .countTraces([])
      .catch((e: unknown) => e);
    server.clearFaults();
    expect(error).toBeInstanceOf(OpikError);
    const message = (error as Error).message;
    expect(message).not.toContain(key);
    expect(message).toContain(`at ${server.url}: HTTP 401 User not allowed`);
    expect(message).toContain("Check opik-api-key and opik-workspace");
    expect((error as OpikError).status).toBe(401);
  });

  it("names the missing /api when the URL reaches the web UI instead of the API", async () => {
    server.injectFault({ method: "GET", path: "/v1/private/traces", status: 404, body: { code: 404, message: "HTTP 404 Not Found" } });
    const error = await gateway("p")
      .countTraces([])
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /HTTP 404 Not Found\. Check opik-url: a self-hosted Opik's URL ends in \/api .*without \/api the request reaches Opik's web UI/,
    );
  });
});

describe("transient failures", () => {
  it("retries connection resets on reads and on writes that upsert, and the writes land once", async () => {
    const project = `resets-${createUuidV7()}`;
    const opik = gateway(project);
    server.injectFault({ method: "*", path: /./, reset: true, times: 2 });
    const spanId = createUuidV7();
    await opik.scoreSpans([{ spanId, projectName: project, name: "added_to_dataset", value: 1 }]);
    expect(await opik.countTraces([])).toBe(0);
    const resets = server.requests.filter((r) => r.status === 0);
    expect(resets.length).toBeGreaterThanOrEqual(2);
    const writes = server.requests.filter((r) => r.path === "/v1/private/spans/feedback-scores");
    expect(writes.map((r) => r.status)).toEqual([0, 0, 204]);
  });

  it("reads Retry-After off Opik's answer: it waits as told, and gives up at once on a wait past its limit", async () => {
    const project = `pushed-back-${createUuidV7()}`;
    await ensureProject(project);
    const opik = gateway(project);
    const scores = () => server.requests.filter((r) => r.path === "/v1/private/spans/feedback-scores");
    const score = () => opik.scoreSpans([{ spanId: createUuidV7(), projectName: project, name: "added_to_dataset", value: 1 }]);

    // Seconds and an HTTP date, as read from the SDK's error for a real answer.
    const failure = async (retryAfter: string) => {
      server.injectFault({ method: "PUT", path: "/v1/private/spans/feedback-scores", status: 429, times: 1, headers: { "Retry-After": retryAfter } });
      const client = new Opik({ apiUrl: server.url, apiKey: "k", workspaceName: "default", projectName: project });
      const error = await client.api.spans
        .scoreBatchOfSpans({ scores: [{ id: createUuidV7(), name: "x", value: 1, source: "sdk" }] }, { maxRetries: 0 })
        .catch((e: unknown) => e);
      return describeOpikFailure(error);
    };
    expect(await failure("7")).toMatchObject({ status: 429, transient: true, retryAfterMs: 7000 });
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect((await failure(inAMinute)).retryAfterMs).toBeGreaterThan(55_000);

    // A short wait is taken and the write lands on the next attempt.
    const before = scores().length;
    server.injectFault({ method: "PUT", path: "/v1/private/spans/feedback-scores", status: 429, times: 1, headers: { "Retry-After": "0" } });
    await score();
    expect(
      scores()
        .slice(before)
        .map((r) => r.status),
    ).toEqual([429, 204]);

    // An hour is past what a run waits for a quota: one attempt, and the error names the 429.
    const hour = scores().length;
    server.injectFault({ method: "PUT", path: "/v1/private/spans/feedback-scores", status: 429, times: 1, headers: { "Retry-After": "3600" } });
    const error = await score().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpikError);
    expect((error as Error).message).toContain("HTTP 429");
    expect(scores().slice(hour)).toHaveLength(1);
  });

  it("cuts a request that hangs at opik-timeout-seconds and retries it", async () => {
    server.injectFault({ method: "POST", path: "/v1/private/spans/search", hang: true, times: 1 });
    const before = server.requests.length;
    const spans = [];
    for await (const span of gateway(`hang-${createUuidV7()}`, { timeoutSeconds: 0.5 }).searchSpans([])) spans.push(span);
    expect(spans).toEqual([]);
    const searches = server.requests.slice(before).filter((r) => r.path === "/v1/private/spans/search");
    expect(searches.map((r) => r.status)).toEqual([0, 200]);
  });

  it("does not retry a connection refused, and says so at once", async () => {
    const port = await closedPort();
    const error = await gateway("p", { url: `http://127.0.0.1:${port}/api` })
      .countTraces([])
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/connection refused: connect ECONNREFUSED .*Check opik-url: a self-hosted Opik's URL ends in \/api/);
    expect((error as Error).message).not.toContain("attempts");
  });

  it("reads a stream to the end when resets hit a fifth of the requests", async () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`reset seed ${seed}`);
    const project = `streams-${createUuidV7()}`;
    const start = new Date().toISOString();
    const traces = Array.from({ length: 30 }, () => ({ id: createUuidV7(), project_name: project, name: "t", start_time: start }));
    const ingest = await fetch(`${server.url}/v1/private/traces/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ traces }),
    });
    expect(ingest.status).toBe(204);
    server.injectFault({ method: "*", path: /./, reset: true, rate: 0.2, random: seededRandom(seed) });
    const opik = gateway(project);
    const seen: string[] = [];
    for (let i = 0; i < 5; i += 1) for await (const trace of opik.searchTraces([])) seen.push(trace.id);
    expect(seen.sort()).toEqual(traces.flatMap((t) => Array.from({ length: 5 }, () => t.id)).sort());
  });
});

describe("a create whose first attempt landed but whose answer was lost", () => {
  it("recognises its own dataset and goes on, but reports someone else's as AlreadyExistsError", async () => {
    const project = `creates-${createUuidV7()}`;
    await ensureProject(project);
    server.injectFault({ method: "POST", path: "/v1/private/datasets", status: 502, afterApplying: true, times: 1 });
    const dataset = await gateway(project, { runId: "run-a" }).createDataset("ds-1", "harvested spans", ["t"]);
    expect(dataset.name).toBe("ds-1");
    expect(dataset.description).toBe("harvested spans [opik-evaluate run run-a]");
    const creates = server.requests.filter((r) => r.method === "POST" && r.path === "/v1/private/datasets");
    expect(creates.slice(-2).map((r) => r.status)).toEqual([502, 409]);

    const error = await gateway(project, { runId: "run-b" })
      .createDataset("ds-1", "harvested spans", ["t"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyExistsError);
    expect(error).toMatchObject({ kind: "dataset", entityName: "ds-1" });
  });

  it("recognises its own experiment by its id", async () => {
    const project = `experiments-${createUuidV7()}`;
    await ensureProject(project);
    const opik = gateway(project);
    const dataset = await opik.createDataset("ds-2", "", []);
    server.injectFault({ method: "POST", path: "/v1/private/experiments", status: 502, afterApplying: true, times: 1 });
    const experiment = await opik.createExperiment("exp-1", dataset, { a: 1 });
    const listed = await opik.listExperiments(dataset);
    expect(listed.map((e) => e.id)).toEqual([experiment.id]);
    const creates = server.requests.filter((r) => r.method === "POST" && r.path === "/v1/private/experiments");
    expect(creates.slice(-2).map((r) => r.status)).toEqual([502, 409]);
  });
});
