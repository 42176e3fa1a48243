import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, sdkClient, startTestServer, watchSdkErrors } from "./helpers.js";

const PROJECT = "suites";

/** The assertions an evaluator holds: the SDK stores each as a BOOLEAN member of its LLM judge's `config.schema`. */
function assertionsOf(evaluators: unknown): string[] {
  return ((evaluators ?? []) as { config: { schema: { name: string }[] } }[]).flatMap((e) => e.config.schema.map((s) => s.name));
}

describe("opik server: test suites (datasets of type evaluation_suite) through the unmodified SDK", () => {
  let server: OpikServer;
  let client: Opik;

  beforeAll(async () => {
    // The SDK builds an LLM judge object per assertion list, which wants a key; it is never called here.
    process.env.OPENAI_API_KEY ??= "not-used-by-these-tests";
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
  });

  afterAll(async () => {
    await server.close();
  });

  it("createTestSuite keeps type, description and the suite-level assertions and policy; insert and getItems keep item-level ones", async () => {
    const errors = watchSdkErrors();
    const suite = await client.createTestSuite({
      name: "refunds",
      description: "refund answers",
      projectName: PROJECT,
      globalAssertions: ["Is polite", "Mentions the refund window"],
      globalExecutionPolicy: { runsPerItem: 3, passThreshold: 2 },
    });
    const dataset = [...server.store.datasets.values()].find((d) => d.name === "refunds");
    expect(dataset).toMatchObject({ type: "evaluation_suite", description: "refund answers" });

    // The first version is metadata only, sent with override=true and no base version.
    const first = server.requests.find((r) => r.path.endsWith("/items/changes"));
    expect(first).toMatchObject({ method: "POST", query: { override: "true" }, status: 201 });
    expect(first?.body).not.toHaveProperty("base_version");

    await suite.insert([
      { data: { input: "Can I return shoes?" }, description: "shoes", assertions: ["Says 30 days"], executionPolicy: { runsPerItem: 1, passThreshold: 1 } },
      { data: { input: "Where is my parcel?" } },
    ]);
    const items = await suite.getItems();
    expect(items).toHaveLength(2);
    const shoes = items.find((i) => i.data.input === "Can I return shoes?");
    const parcel = items.find((i) => i.data.input === "Where is my parcel?");
    expect(shoes).toMatchObject({ description: "shoes", assertions: ["Says 30 days"], executionPolicy: { runsPerItem: 1, passThreshold: 1 } });
    // An item without its own policy falls back to the suite's, which the insert's version inherited.
    expect(parcel).toMatchObject({ assertions: [], executionPolicy: { runsPerItem: 3, passThreshold: 2 } });
    expect(await suite.getGlobalAssertions()).toEqual(["Is polite", "Mentions the refund window"]);
    expect(await suite.getGlobalExecutionPolicy()).toEqual({ runsPerItem: 3, passThreshold: 2 });
    expect(await suite.getCurrentVersionName()).toBe("v2");

    // The wire format: items stream with evaluators/execution_policy/description, versions carry the suite defaults.
    const raw = await call(server, "GET", `/v1/private/datasets/${suite.id}/items`);
    const rawShoes = (raw.json as { content: Record<string, unknown>[] }).content.find((i) => i.description === "shoes");
    expect(rawShoes).toMatchObject({ execution_policy: { runs_per_item: 1, pass_threshold: 1 } });
    expect(assertionsOf(rawShoes?.evaluators)).toEqual(["Says 30 days"]);
    const versions = (await call(server, "GET", `/v1/private/datasets/${suite.id}/versions`)).json as { content: Record<string, unknown>[] };
    expect(versions.content.map((v) => v.version_name)).toEqual(["v2", "v1"]);
    for (const version of versions.content) {
      expect(version.execution_policy).toEqual({ runs_per_item: 3, pass_threshold: 2 });
      expect(assertionsOf(version.evaluators)).toEqual(["Is polite", "Mentions the refund window"]);
    }
    expect(errors.messages()).toEqual([]);
  });

  it("suite.update edits items in place and updateTestSettings sends a change set on the latest version", async () => {
    const suite = await client.getTestSuite("refunds", PROJECT);
    const before = await suite.getItems();
    const shoes = before.find((i) => i.data.input === "Can I return shoes?");
    await suite.update([{ id: shoes?.id ?? "", data: { input: "Can I return boots?" }, assertions: ["Says 30 days", "Offers a label"] }]);
    const after = await suite.getItems();
    expect(after).toHaveLength(2);
    expect(after.find((i) => i.id === shoes?.id)).toMatchObject({ data: { input: "Can I return boots?" }, assertions: ["Says 30 days", "Offers a label"] });

    await suite.updateTestSettings({ globalExecutionPolicy: { runsPerItem: 5 } });
    const changes = server.requests.filter((r) => r.path.endsWith("/items/changes")).at(-1);
    expect(changes).toMatchObject({ query: { override: "false" }, status: 201 });
    expect(await suite.getGlobalExecutionPolicy()).toEqual({ runsPerItem: 5, passThreshold: 2 });
    // Evaluators the change set re-sends unchanged, items carried over.
    expect(await suite.getGlobalAssertions()).toEqual(["Is polite", "Mentions the refund window"]);
    expect(await suite.getItemsCount()).toBe(2);

    await suite.updateItemExecutionPolicy(shoes?.id ?? "", { runsPerItem: 2, passThreshold: 1 });
    expect((await suite.getItems()).find((i) => i.id === shoes?.id)?.executionPolicy).toEqual({ runsPerItem: 2, passThreshold: 1 });
  });

  it("getTestSuites lists only evaluation suites; getOrCreateTestSuite finds or creates", async () => {
    await client.createDataset("plain", "not a suite");
    await client.api.datasets.createDataset({ name: "plain-in-project", projectName: PROJECT });
    const again = await client.getOrCreateTestSuite({ name: "refunds", projectName: PROJECT });
    expect(await again.getItemsCount()).toBe(2);
    const fresh = await client.getOrCreateTestSuite({ name: "greetings", projectName: PROJECT });
    expect(await fresh.getVersionInfo()).toBeUndefined();
    const suites = await client.getTestSuites(100, PROJECT);
    expect(suites.map((s) => s.name).sort()).toEqual(["greetings", "refunds"]);
    const listed = (await call(server, "GET", "/v1/private/datasets?size=100")).json as { content: { name: string; type: string }[] };
    expect(Object.fromEntries(listed.content.map((d) => [d.name, d.type]))).toMatchObject({ plain: "dataset", refunds: "evaluation_suite" });
  });

  it("items/changes: 201 with the version and a relative Location, 409 on a stale base, 400 without one, 404 and 422", async () => {
    const suite = await client.getTestSuite("refunds", PROJECT);
    const id = suite.id;
    // The SDK declares this return type through a module lint cannot resolve.
    const latest = (await suite.getVersionInfo()) as { id?: string } | undefined;
    const path = `/v1/private/datasets/${id}/items/changes`;
    const made = await call(server, "POST", path, {
      base_version: latest?.id,
      added_items: [{ source: "manual", data: { input: "new" }, description: "added" }],
      deleted_ids: [],
      change_description: "one more",
      tags: ["reviewed"],
    });
    expect(made.status).toBe(201);
    const version = made.json as Record<string, unknown>;
    expect(made.headers.get("location")).toBe(`/v1/private/datasets/${id}/versions/${String(version.id)}`);
    expect(version).toMatchObject({
      dataset_id: id,
      items_total: 3,
      items_added: 1,
      change_description: "one more",
      is_latest: true,
      tags: ["latest", "reviewed"],
    });
    expect(version.execution_policy).toEqual({ runs_per_item: 5, pass_threshold: 2 });

    expect((await call(server, "POST", path, { base_version: latest?.id, deleted_ids: [] })).json).toEqual({
      errors: ["Version conflict: baseVersion is not the latest. Use override=true to force creation."],
    });
    // override=true branches from the stale base: the added item is gone again.
    const branched = await call(server, "POST", `${path}?override=true`, { base_version: latest?.id });
    expect(branched.status).toBe(201);
    expect((branched.json as { items_total: number }).items_total).toBe(2);
    expect(await call(server, "POST", path, {})).toMatchObject({
      status: 400,
      json: { code: 400, message: "baseVersion is required. Use override=true to create the first version without a base." },
    });
    expect((await call(server, "POST", `${path}?override=true`, {})).json).toMatchObject({
      message: "baseVersion is required when the dataset already has versions.",
    });
    expect((await call(server, "POST", path, { base_version: String(version.id), execution_policy: { runs_per_item: 2, pass_threshold: 3 } })).json).toEqual({
      errors: ["executionPolicy pass_threshold must be less than or equal to runs_per_item"],
    });
    expect((await call(server, "POST", `/v1/private/datasets/${"0".repeat(8)}-0000-7000-8000-${"0".repeat(12)}/items/changes`, {})).status).toBe(404);
  });
});

describe("opik server: ping, environments and the trace environment", () => {
  let server: OpikServer;
  let client: Opik;

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, "envs");
  });

  afterAll(async () => {
    await server.close();
  });

  it("answers GET /is-alive/ping under the API root", async () => {
    expect(await call(server, "GET", "/is-alive/ping")).toMatchObject({ status: 200, json: { message: "Healthy Server", healthy: true } });
  });

  it("creates, lists, updates and deletes environments with the backend's statuses", async () => {
    expect((await call(server, "GET", "/v1/private/environments")).json).toEqual({ page: 1, size: 0, total: 0, content: [], sortable_by: ["created_at"] });
    await client.api.environments.createEnvironment({ name: "production", description: "live" });
    const staging = await call(server, "POST", "/v1/private/environments", { name: "staging", color: "blue", position: 2 });
    expect(staging.status).toBe(201);
    const stagingId = staging.headers.get("location")?.split("/").at(-1) ?? "";
    const page = await client.api.environments.findEnvironments();
    expect(page.content?.map((e) => [e.name, e.color, e.position])).toEqual([
      ["production", "default", 0],
      ["staging", "blue", 2],
    ]);
    expect((await call(server, "POST", "/v1/private/environments", { name: "PRODUCTION" })).json).toEqual({
      errors: ["Environment with name 'PRODUCTION' already exists in the workspace"],
    });
    expect((await call(server, "POST", "/v1/private/environments", { name: "has space" })).json).toEqual({ errors: ["name must match '^[A-Za-z0-9_-]+$'"] });
    await client.api.environments.updateEnvironment(stagingId, { description: "pre-prod" });
    expect(await client.api.environments.getEnvironmentById(stagingId)).toMatchObject({ name: "staging", description: "pre-prod", color: "blue" });
    await client.api.environments.deleteEnvironmentsBatch({ ids: [stagingId] });
    expect((await call(server, "GET", `/v1/private/environments/${stagingId}`)).json).toEqual({ errors: ["Environment not found"] });
  });

  it("keeps a trace's environment and filters on it", async () => {
    client.trace({ name: "live", environment: "production", input: { q: 1 } }).end();
    client.trace({ name: "dev", input: { q: 2 } }).end();
    await client.flush();
    const traces = await client.searchTraces({ projectName: "envs", filterString: 'environment = "production"', waitForAtLeast: 1 });
    expect(traces.map((t) => t.name)).toEqual(["live"]);
    expect(traces[0]?.environment).toBe("production");
    const spans = [...server.store.traces.values()].map((t) => [t.name, t.environment]);
    expect(spans).toContainEqual(["dev", undefined]);
  });
});
