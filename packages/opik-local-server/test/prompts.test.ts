import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Opik } from "opik";
import type { OpikServer } from "../src/index.js";
import { call, sdkClient, startTestServer, uuid7 } from "./helpers.js";

type Row = Record<string, unknown>;

describe("opik server: prompts through the SDK", () => {
  let server: OpikServer;
  let client: Opik;

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, "prompts");
  });
  afterAll(async () => {
    await server.close();
  });

  it("createPrompt reuses an unchanged template's version and commits a changed one", async () => {
    const first = await client.createPrompt({ name: "greeting", prompt: "Hello {{name}}", metadata: { team: "qa" }, description: "says hi", tags: ["a"] });
    expect(first.synced).toBe(true);
    expect(first.commit).toBe(first.versionId?.slice(-8));
    expect(first.metadata).toEqual({ team: "qa" });
    expect(first.description).toBe("says hi");

    const again = await client.createPrompt({ name: "greeting", prompt: "Hello {{name}}", metadata: { team: "qa" } });
    expect(again.versionId).toBe(first.versionId);
    expect(again.commit).toBe(first.commit);

    const changed = await client.createPrompt({ name: "greeting", prompt: "Hi {{name}}!", metadata: { team: "qa" } });
    expect(changed.id).toBe(first.id);
    expect(changed.commit).not.toBe(first.commit);

    // Changed metadata alone is a new version too (the SDK compares template, metadata and type).
    const remeta = await client.createPrompt({ name: "greeting", prompt: "Hi {{name}}!", metadata: { team: "dev" } });
    expect(remeta.commit).not.toBe(changed.commit);

    const versions = await remeta.getVersions();
    expect(versions.map((v) => v.commit)).toEqual([remeta.commit, changed.commit, first.commit]);
    expect(versions[2]?.metadata).toEqual({ team: "qa" });

    const detail = (await call(server, "GET", `/v1/private/prompts/${first.id}`)).json as Row;
    expect(detail).toMatchObject({ name: "greeting", description: "says hi", tags: ["a"], template_structure: "text", version_count: 3 });
    expect(detail.latest_version).toMatchObject({ commit: remeta.commit, template: "Hi {{name}}!", variables: ["name"], metadata: { team: "dev" } });
  });

  it("getPrompt reads the latest version or a commit, and formats it", async () => {
    const v1 = await client.createPrompt({ name: "summary", prompt: "Summarise {{text}}" });
    const v2 = await client.createPrompt({ name: "summary", prompt: "Summarise {{text}} briefly" });
    const latest = await client.getPrompt({ name: "summary" });
    expect(latest?.commit).toBe(v2.commit);
    expect(latest?.format({ text: "this" })).toBe("Summarise this briefly");
    const old = await client.getPrompt({ name: "summary", commit: v1.commit });
    expect(old?.prompt).toBe("Summarise {{text}}");
    expect(await client.getPrompt({ name: "no-such-prompt" })).toBeNull();
    expect(await latest?.getVersion("zzzzzzzz")).toBeNull();
  });

  it("createChatPrompt keeps the messages and the chat structure", async () => {
    const messages = [
      { role: "system", content: "You are {{persona}}" },
      { role: "user", content: "{{question}}" },
    ];
    const chat = await client.createChatPrompt({ name: "chat-assistant", messages });
    const same = await client.createChatPrompt({ name: "chat-assistant", messages });
    expect(same.commit).toBe(chat.commit);
    const read = await client.getChatPrompt({ name: "chat-assistant" });
    expect(read?.messages).toEqual(messages);
    expect(read?.format({ persona: "a pirate", question: "why?" })).toEqual([
      { role: "system", content: "You are a pirate" },
      { role: "user", content: "why?" },
    ]);
    // A text prompt of the same name is refused by the SDK, from the structure the server reports.
    await expect(client.getPrompt({ name: "chat-assistant" })).rejects.toThrow();
  });

  it("searchPrompts filters with OQL and returns text and chat prompts", async () => {
    await client.createPrompt({ name: "search-me-text", prompt: "x {{y}}", tags: ["searchable"] });
    await client.createChatPrompt({ name: "search-me-chat", messages: [{ role: "user", content: "{{q}}" }], tags: ["searchable"] });
    const tagged = await client.searchPrompts('tags contains "searchable"');
    expect(tagged.map((p) => p.name).sort()).toEqual(["search-me-chat", "search-me-text"]);
    const byName = await client.searchPrompts('name = "search-me-text"');
    expect(byName).toHaveLength(1);
    expect(byName[0]?.constructor.name).toBe((await client.getPrompt({ name: "search-me-text" }))?.constructor.name);
    expect((await client.searchPrompts()).length).toBeGreaterThanOrEqual(5);
  });

  it("updateProperties, version tags, restore and delete", async () => {
    const prompt = await client.createPrompt({ name: "lifecycle", prompt: "one" });
    const two = await client.createPrompt({ name: "lifecycle", prompt: "two" });
    await two.updateProperties({ name: "lifecycle-renamed", description: "renamed", tags: ["x"] });
    const listed = (await client.api.prompts.getPrompts({ name: "lifecycle-renamed" })).content ?? [];
    expect(listed.map((p) => [p.name, p.description, p.tags])).toEqual([["lifecycle-renamed", "renamed", ["x"]]]);

    await client.updatePromptVersionTags([two.versionId ?? ""], { tags: ["prod"] });
    await client.updatePromptVersionTags([two.versionId ?? ""], { tags: ["stable"], mergeTags: true });
    const [latest] = await two.getVersions();
    expect(latest?.tags?.slice().sort()).toEqual(["prod", "stable"]);

    const [, first] = await two.getVersions();
    const restored = await two.useVersion(first!);
    expect(restored.prompt).toBe("one");
    expect(restored.commit).not.toBe(prompt.commit);
    expect(restored.changeDescription).toBe(`Restored from version ${prompt.commit}`);

    await restored.delete();
    expect(await client.getPrompt({ name: "lifecycle-renamed" })).toBeNull();
    expect((await call(server, "GET", `/v1/private/prompts/${prompt.id}`)).status).toBe(404);
  });

  it("an experiment created with prompts reads its prompt_versions back", async () => {
    const prompt = await client.createPrompt({ name: "experiment-prompt", prompt: "Answer {{q}}" });
    await client.createDataset("prompt-experiments");
    await client.flush();
    const experiment = await client.createExperiment({ datasetName: "prompt-experiments", name: "with-prompt", prompts: [prompt] });
    const read = await client.api.experiments.getExperimentById(experiment.id);
    expect(read.promptVersions).toEqual([{ id: prompt.versionId, commit: prompt.commit, promptId: prompt.id, promptName: "experiment-prompt" }]);
    const stored = server.store.experiments.get(experiment.id);
    expect(stored?.prompt_versions).toEqual([{ id: prompt.versionId }]);
  });
});

describe("opik server: prompts over raw REST", () => {
  let server: OpikServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("POST /prompts answers 201 with a Location, commits its template, and 409s a duplicate name", async () => {
    const response = await call(server, "POST", "/v1/private/prompts", { name: "raw", template: "Hi {{who}}", change_description: "first" });
    expect(response.status).toBe(201);
    const id = String(response.headers.get("location")).split("/").pop() ?? "";
    const detail = (await call(server, "GET", `/v1/private/prompts/${id}`)).json as Row;
    expect(detail).toMatchObject({ id, name: "raw", version_count: 1, template_structure: "text" });
    expect(detail.latest_version).toMatchObject({ template: "Hi {{who}}", change_description: "first", type: "mustache", variables: ["who"] });
    expect(await call(server, "POST", "/v1/private/prompts", { name: "RAW" })).toMatchObject({
      status: 409,
      json: { code: 409, message: "Prompt id or name already exists" },
    });
    expect((await call(server, "POST", "/v1/private/prompts", { name: " " })).json).toEqual({ errors: ["name must not be blank"] });
  });

  it("versions: validation, commit conflicts, retrieve, by-commit and the version list", async () => {
    expect(await call(server, "POST", "/v1/private/prompts/versions", { name: "v", version: { template: "" } })).toMatchObject({
      status: 422,
      json: { errors: ["version.template must not be blank"] },
    });
    const created = await call(server, "POST", "/v1/private/prompts/versions", { name: "v", version: { template: "t1", commit: "abcd1234" } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ commit: "abcd1234", template: "t1", template_structure: "text", variables: [] });
    expect(await call(server, "POST", "/v1/private/prompts/versions", { name: "v", version: { template: "t2", commit: "abcd1234" } })).toMatchObject({
      status: 409,
      json: { code: 409, message: "Prompt version already exists" },
    });
    const chat = await call(server, "POST", "/v1/private/prompts/versions", { name: "v", version: { template: "[]", template_structure: "chat" } });
    expect(chat.status).toBe(400);

    const latest = await call(server, "POST", "/v1/private/prompts/versions/retrieve", { name: "v" });
    expect(latest.json).toMatchObject({ commit: "abcd1234" });
    expect(latest.json).not.toHaveProperty("variables");
    expect((await call(server, "POST", "/v1/private/prompts/versions/retrieve", { name: "v", commit: "nope1234" })).json).toEqual({
      code: 404,
      message: "Prompt version not found",
    });
    expect((await call(server, "POST", "/v1/private/prompts/versions/retrieve", { name: "none" })).json).toEqual({ code: 404, message: "Prompt not found" });

    const byCommit = (await call(server, "GET", "/v1/private/prompts/by-commit/abcd1234")).json as Row;
    expect(byCommit).toMatchObject({ name: "v", requested_version: { commit: "abcd1234" } });
    expect((await call(server, "GET", "/v1/private/prompts/by-commit/zzzzzzzz")).status).toBe(404);

    const page = (await call(server, "GET", `/v1/private/prompts/${String(byCommit.id)}/versions?search=t1`)).json as Row;
    expect(page).toMatchObject({ page: 1, size: 1, total: 1 });
    expect((await call(server, "GET", `/v1/private/prompts/${uuid7()}/versions`)).json).toMatchObject({ total: 0, content: [] });
    expect((await call(server, "GET", `/v1/private/prompts/versions/${uuid7()}`)).status).toBe(404);
  });

  it("PUT, DELETE and batch delete answer as the backend", async () => {
    await call(server, "POST", "/v1/private/prompts", { name: "p1" });
    await call(server, "POST", "/v1/private/prompts", { name: "p2" });
    const list = (await call(server, "GET", "/v1/private/prompts?name=p")).json as { content: Row[]; sortable_by: string[] };
    const [p2, p1] = list.content;
    expect([p2?.name, p1?.name]).toEqual(["p2", "p1"]);
    expect(list.sortable_by).toContain("name");
    expect((await call(server, "PUT", `/v1/private/prompts/${String(p1?.id)}`, { name: "p2" })).status).toBe(409);
    expect((await call(server, "PUT", `/v1/private/prompts/${uuid7()}`, { name: "x" })).json).toEqual({ code: 404, message: "Prompt not found" });
    expect((await call(server, "DELETE", `/v1/private/prompts/${uuid7()}`)).status).toBe(404);
    expect((await call(server, "POST", "/v1/private/prompts/delete", { ids: [p1?.id, p2?.id] })).status).toBe(204);
    expect(((await call(server, "GET", "/v1/private/prompts?name=p")).json as Row).total).toBe(0);
  });
});

describe("opik server: prompts persist", () => {
  it("keeps prompts and their versions in the state file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opik-prompts-"));
    try {
      const path = join(dir, "state.json");
      const first = await startTestServer({ persistPath: path });
      const created = await sdkClient(first, "persisted").createPrompt({ name: "persisted-prompt", prompt: "kept {{x}}" });
      await first.close();
      const second = await startTestServer({ persistPath: path });
      // Read over REST: the SDK's prompt cache is process-wide and would answer from memory.
      const version = await call(second, "POST", "/v1/private/prompts/versions/retrieve", { name: "persisted-prompt" });
      expect(version.json).toMatchObject({ id: created.versionId, commit: created.commit, template: "kept {{x}}" });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
