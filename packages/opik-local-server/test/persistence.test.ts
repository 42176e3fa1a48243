import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { call, oqlFilters, sdkClient, searchSpanIds, startTestServer, uuid7 } from "./helpers.js";

describe("opik server: persistence", () => {
  const dir = mkdtempSync(join(tmpdir(), "opik-server-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes state after each mutating request and reloads it on start", async () => {
    const path = join(dir, "nested", "state.json");
    const first = await startTestServer({ persistPath: path });
    const client = sdkClient(first, "persisted");
    const traceId = uuid7();
    const spanId = uuid7();
    await client.api.traces.createTraces({ traces: [{ id: traceId, projectName: "persisted", startTime: new Date(), input: { q: 1 } }] });
    await client.api.spans.createSpans({ spans: [{ id: spanId, traceId, projectName: "persisted", startTime: new Date(), type: "llm" }] });
    await client.api.spans.scoreBatchOfSpans({ scores: [{ id: spanId, name: "added_to_dataset", value: 1, source: "sdk", projectName: "persisted" }] });
    await client.api.datasets.createDataset({ name: "kept", projectName: "persisted" });
    const dataset = await client.getDataset("kept", "persisted");
    await dataset.insert([{ input: "a" }]);
    expect(existsSync(path)).toBe(true);
    const searchesBefore = readFileSync(path, "utf8");
    await client.searchSpans({ projectName: "persisted" });
    // Reads do not rewrite the file; no temp files are left behind.
    expect(readFileSync(path, "utf8")).toBe(searchesBefore);
    expect(readdirSync(join(dir, "nested"))).toEqual(["state.json"]);
    await first.close();

    const second = await startTestServer({ persistPath: path });
    const again = sdkClient(second, "persisted");
    expect(await searchSpanIds(again, "persisted", oqlFilters("feedback_scores.added_to_dataset is_not_empty"))).toEqual([spanId]);
    expect((await again.api.traces.getTraceById(traceId)).input).toEqual({ q: 1 });
    expect(await (await again.getDataset("kept", "persisted")).getItems()).toEqual([expect.objectContaining({ input: "a" })]);
    expect(second.store.datasetVersions.size).toBe(1);
    await second.close();
  });

  it("refuses to start on a file that is not a state file", async () => {
    const path = join(dir, "garbage.json");
    writeFileSync(path, "{not json");
    await expect(startTestServer({ persistPath: path })).rejects.toThrow(/Cannot read Opik server state/);
    writeFileSync(path, JSON.stringify({ version: 9 }));
    await expect(startTestServer({ persistPath: path })).rejects.toThrow(/not an Opik server state file/);
  });

  it("starts empty when the file does not exist yet", async () => {
    const server = await startTestServer({ persistPath: join(dir, "fresh.json") });
    expect((await call(server, "GET", "/v1/private/projects")).json).toMatchObject({ total: 0, content: [] });
    await server.close();
  });
});
