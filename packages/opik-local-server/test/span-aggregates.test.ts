import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { readNdjsonStream, sdkClient, startTestServer, uuid7, watchSdkErrors } from "./helpers.js";

const PROJECT = "span-aggregates";

describe("opik server: usage and cost summed from spans into traces, experiment items and experiments", () => {
  let server: OpikServer;
  let client: Opik;

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
  });
  afterAll(async () => {
    await server.close();
  });

  it("reports a trace's llm spans' usage and cost on the trace, its experiment item and its experiment", async () => {
    const errors = watchSdkErrors();
    await client.api.datasets.createDataset({ name: "costs", projectName: PROJECT });
    const dataset = await client.getDataset("costs", PROJECT);
    const itemIds = [uuid7(), uuid7()];
    await client.api.datasets.createOrUpdateDatasetItems({
      datasetId: dataset.id,
      items: itemIds.map((id) => ({ id, source: "sdk" as const, data: { q: id } })),
    });

    // Logged as an application logs them: a trace with spans through the SDK's queues, then flushed.
    const trace = client.trace({ name: "evaluation_task", projectName: PROJECT, input: { q: "a" } });
    const task = trace.span({ name: "llm_task", type: "general" });
    task
      .span({
        name: "openai.chat",
        type: "llm",
        model: "gpt-4o-mini",
        provider: "openai",
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        totalEstimatedCost: 0.000027,
      })
      .end();
    task.end();
    trace
      .span({
        name: "openai.chat",
        type: "llm",
        model: "gpt-4o-mini",
        provider: "openai",
        usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
        totalEstimatedCost: 0.0000135,
      })
      .end();
    trace.end();
    // A second trace with one span, so the experiment's mean differs from its sum.
    const other = client.trace({ name: "evaluation_task", projectName: PROJECT, input: { q: "b" } });
    other
      .span({
        name: "openai.chat",
        type: "llm",
        model: "gpt-4o-mini",
        provider: "openai",
        usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
        totalEstimatedCost: 0.000003,
      })
      .end();
    other.end();
    await client.flush();

    const experiment = await client.createExperiment({ datasetName: "costs", name: "costs-exp", projectName: PROJECT });
    await experiment.insert([
      { datasetItemId: itemIds[0] ?? "", traceId: trace.data.id, projectName: PROJECT },
      { datasetItemId: itemIds[1] ?? "", traceId: other.data.id, projectName: PROJECT },
    ]);

    const readTrace = await client.api.traces.getTraceById(trace.data.id);
    expect(readTrace.usage).toEqual({ prompt_tokens: 150, completion_tokens: 30, total_tokens: 180 });
    expect(readTrace.totalEstimatedCost).toBeCloseTo(0.0000405, 12);
    expect(readTrace.spanCount).toBe(3);
    expect(readTrace.llmSpanCount).toBe(2);

    const spans = await readNdjsonStream(await client.api.spans.searchSpans({ projectName: PROJECT, traceId: trace.data.id }));
    expect(spans.map((s) => s.name).sort()).toEqual(["llm_task", "openai.chat", "openai.chat"]);

    const items = await readNdjsonStream(await client.api.experiments.streamExperimentItems({ experimentName: "costs-exp" }));
    const item = items.find((i) => i.trace_id === trace.data.id);
    expect(item?.usage).toEqual({ prompt_tokens: 150, completion_tokens: 30, total_tokens: 180 });
    expect(item?.total_estimated_cost).toBeCloseTo(0.0000405, 12);

    // As the backend's experiment aggregates: the traces' costs summed and averaged, their usage maps averaged.
    const readExperiment = await client.api.experiments.getExperimentById(experiment.id);
    expect(readExperiment.totalEstimatedCost).toBeCloseTo(0.0000435, 12);
    expect(readExperiment.totalEstimatedCostAvg).toBeCloseTo(0.00002175, 12);
    expect(readExperiment.usage).toEqual({ prompt_tokens: 80, completion_tokens: 16, total_tokens: 96 });
    expect(errors.messages()).toEqual([]);
  });

  it("reports no cost or usage on an experiment whose traces have no spans", async () => {
    await client.api.datasets.createDataset({ name: "no-spans", projectName: PROJECT });
    const dataset = await client.getDataset("no-spans", PROJECT);
    const itemId = uuid7();
    await client.api.datasets.createOrUpdateDatasetItems({ datasetId: dataset.id, items: [{ id: itemId, source: "sdk" as const, data: { q: 1 } }] });
    const traceId = uuid7();
    await client.api.traces.createTraces({
      traces: [{ id: traceId, projectName: PROJECT, name: "evaluation_task", startTime: new Date(), endTime: new Date() }],
    });
    const experiment = await client.createExperiment({ datasetName: "no-spans", name: "no-spans-exp", projectName: PROJECT });
    await experiment.insert([{ datasetItemId: itemId, traceId, projectName: PROJECT }]);
    const read = await client.api.experiments.getExperimentById(experiment.id);
    expect(read.totalEstimatedCost).toBeUndefined();
    expect(read.usage).toBeUndefined();
  });
});
