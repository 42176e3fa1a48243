import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUuidV7, startOpikServer, type OpikServer } from "opik-local-server";
import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import type { EvaluationRecord } from "../../src/opik/opik-gateway.js";

let server: OpikServer;
beforeAll(async () => {
  server = await startOpikServer();
});
afterAll(async () => server.close());

function evaluation(datasetItemId: string, value: number): EvaluationRecord {
  return {
    datasetItemId,
    traceId: createUuidV7(),
    experimentItemId: createUuidV7(),
    startTime: new Date(),
    endTime: new Date(),
    input: { text: "q" },
    output: { output: "a" },
    scores: [{ name: "output_format", value }],
  };
}

describe("the Opik gateway's history reads and metadata writes", () => {
  it("lists the project's experiments by name, newest first, with Opik's score averages and trace counts, one page at a time", async () => {
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "history", evaluationProject: "history-evaluation" });
    const other = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "elsewhere", evaluationProject: "elsewhere-evaluation" });
    const dataset = await opik.createDataset("feature-20261101-000000", "", []);
    await opik.insertDatasetItems(dataset, [
      { id: createUuidV7(), spanId: createUuidV7(), traceId: createUuidV7(), data: { input: "a" } as never },
      { id: createUuidV7(), spanId: createUuidV7(), traceId: createUuidV7(), data: { input: "b" } as never },
    ]);
    const items = await opik.listDatasetItems(dataset);
    const first = await opik.createExperiment("feature-eval-1", dataset, { mode: "harvest" });
    await opik.writeEvaluations(first, [evaluation(items[0]!.id, 1), evaluation(items[1]!.id, 0)]);
    const second = await opik.createExperiment("feature-eval-2", dataset, { mode: "harvest" });
    await opik.writeEvaluations(second, [evaluation(items[0]!.id, 1)]);
    await opik.createExperiment("unrelated", dataset, {});
    // Another project's experiment of the same name is not this feature's.
    const elsewhere = await other.createDataset("feature-20261101-000000", "", []);
    await other.createExperiment("feature-eval-3", elsewhere, { mode: "harvest" });

    const before = server.requests.length;
    const page = await opik.findExperimentsPage("FEATURE-eval-", 1, 10);
    expect(page.map((e) => e.name)).toEqual(["feature-eval-2", "feature-eval-1"]);
    expect(page[1]).toMatchObject({
      id: first.id,
      datasetId: dataset.id,
      datasetName: dataset.name,
      metadata: { mode: "harvest" },
      feedbackScores: [{ name: "output_format", mean: 0.5 }],
      traceCount: 2,
    });
    expect(page[0]).toMatchObject({ feedbackScores: [{ name: "output_format", mean: 1 }], traceCount: 1 });
    const list = server.requests.slice(before).find((r) => r.method === "GET" && r.path === "/v1/private/experiments");
    expect(list?.query).toMatchObject({ name: "FEATURE-eval-", page: "1", size: "10", sorting: JSON.stringify([{ field: "created_at", direction: "DESC" }]) });

    expect(await opik.findExperimentsPage("feature-eval-", 2, 1)).toEqual([expect.objectContaining({ name: "feature-eval-1" })]);
    expect(await opik.findExperimentsPage("feature-eval-", 3, 1)).toEqual([]);
    const nowhere = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "no-such-project", evaluationProject: "x" });
    expect(await nowhere.findExperimentsPage("feature-eval-", 1, 10)).toEqual([]);
  });

  it("adds metadata entries keeping the rest, confirms them by a read-back, and throws when Opik does not hold them", async () => {
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "health", evaluationProject: "health-evaluation" });
    const dataset = await opik.createDataset("health-20261101-000000", "", []);
    const experiment = await opik.createExperiment("health-eval-1", dataset, { mode: "harvest", health: { spans_harvested: 3 } });

    await opik.addExperimentMetadata(experiment, { health: { spans_harvested: 3, items: 3 }, note: "done" });
    const stored = (await (await fetch(`${server.url}/v1/private/experiments/${experiment.id}`)).json()) as { metadata: unknown };
    expect(stored.metadata).toEqual({ mode: "harvest", health: { spans_harvested: 3, items: 3 }, note: "done" });
    const patch = server.requests.filter((r) => r.method === "PATCH" && r.path === `/v1/private/experiments/${experiment.id}`).at(-1);
    // The whole metadata is sent, so a server that replaces it on PATCH keeps the run's config.
    expect(patch?.body).toEqual({ metadata: { mode: "harvest", health: { spans_harvested: 3, items: 3 }, note: "done" } });

    // An update Opik acknowledges without applying is caught by the read-back.
    server.injectFault({ method: "PATCH", path: `/v1/private/experiments/${experiment.id}`, status: 204, times: 1 });
    await expect(opik.addExperimentMetadata(experiment, { note: "again" })).rejects.toThrow(/does not hold note after the update/);
  });
});
