import { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import { startOpikServer, type OpikServer } from "opik-local-server";

let server: OpikServer;
beforeAll(async () => {
  // The SDK builds an LLM judge object when it reads assertions back; it is never called.
  process.env.OPENAI_API_KEY ??= "not-used-by-these-tests";
  server = await startOpikServer();
});
afterAll(async () => server.close());

const SETTINGS = { assertions: ["Is JSON", "Has a verdict"], executionPolicy: { runsPerItem: 3, passThreshold: 2 } };

function gateway(project: string) {
  return createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
}

function sdk(project: string): Opik {
  return new Opik({ apiUrl: server.url, apiKey: "test-key", workspaceName: "default", projectName: project });
}

describe("the gateway's test suites, read back with the unmodified SDK", () => {
  it("creates a suite as createTestSuite does, finds it again with its settings, and writes items as one version", async () => {
    const project = "suites-gateway";
    const opik = gateway(project);
    const made = await opik.ensureTestSuite("regressions", "promoted cases", SETTINGS);
    expect(made).toMatchObject({ created: true, settings: SETTINGS, suite: { name: "regressions" } });
    const again = await opik.ensureTestSuite("regressions", "promoted cases", { assertions: [], executionPolicy: { runsPerItem: 1, passThreshold: 1 } });
    expect(again).toMatchObject({ created: false, settings: SETTINGS, suite: { id: made.suite.id } });

    const suite = await sdk(project).getTestSuite("regressions", project);
    expect(await suite.getGlobalAssertions()).toEqual(SETTINGS.assertions);
    expect(await suite.getGlobalExecutionPolicy()).toEqual(SETTINGS.executionPolicy);
    expect((await sdk(project).getTestSuites(10, project)).map((s) => s.name)).toEqual(["regressions"]);

    const ids = [opik.newId(), opik.newId()];
    const spans = [opik.newId(), opik.newId()];
    const traces = [opik.newId(), opik.newId()];
    await opik.insertTestSuiteItems(
      made.suite,
      ids.map((id, i) => ({ id, spanId: spans[i]!, traceId: traces[i]!, data: { input: `q${i}`, source_span_id: spans[i] }, description: `case ${i}` })),
    );
    const items = await suite.getItems();
    expect(items.map((item) => item.description).sort()).toEqual(["case 0", "case 1"]);
    for (const item of items) expect(item).toMatchObject({ assertions: [], executionPolicy: SETTINGS.executionPolicy });
    expect(await suite.getCurrentVersionName()).toBe("v2");
    expect((await opik.testSuiteSourceSpans(made.suite)).sort()).toEqual([...spans].sort());

    // A removed case is still one the suite has held.
    await suite.delete([ids[0]!]);
    expect(await suite.getItems()).toHaveLength(1);
    expect((await opik.testSuiteSourceSpans(made.suite)).sort()).toEqual([...spans].sort());
  });

  it("refuses a plain dataset of the suite's name, and writes no evaluator for no assertions", async () => {
    const project = "suites-plain";
    await sdk(project).api.datasets.createDataset({ name: "taken", projectName: project });
    await expect(gateway(project).ensureTestSuite("taken", "", SETTINGS)).rejects.toThrow(/plain dataset, not a test suite/);

    const bare = await gateway(project).ensureTestSuite("bare", "", { assertions: [], executionPolicy: { runsPerItem: 1, passThreshold: 1 } });
    expect(bare.created).toBe(true);
    const suite = await sdk(project).getTestSuite("bare", project);
    expect(await suite.getGlobalAssertions()).toEqual([]);
    expect(await suite.getGlobalExecutionPolicy()).toEqual({ runsPerItem: 1, passThreshold: 1 });
  });
});
