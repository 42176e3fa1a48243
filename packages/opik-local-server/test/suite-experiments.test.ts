import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, sdkClient, startTestServer, watchSdkErrors } from "./helpers.js";

const PROJECT = "suite-runs";

describe("opik server: experiments that run a test suite (evaluation_method) through the unmodified SDK", () => {
  let server: OpikServer;
  let client: Opik;

  beforeAll(async () => {
    process.env.OPENAI_API_KEY ??= "not-used-by-these-tests";
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
  });

  afterAll(async () => {
    await server.close();
  });

  it("keeps evaluation_method evaluation_suite and the suite version, as runTests creates its experiment", async () => {
    const errors = watchSdkErrors();
    const suite = await client.createTestSuite({ name: "refunds", projectName: PROJECT, globalAssertions: ["Is polite"] });
    await suite.insert([{ data: { input: "Can I return shoes?" } }]);
    const version = (await suite.getVersionInfo()) as { id?: string } | undefined;
    // The same createExperiment call runTests makes (evaluateTestSuite in the SDK).
    const experiment = await client.createExperiment({
      name: "suite-run",
      datasetName: "refunds",
      projectName: PROJECT,
      datasetVersionId: version?.id,
      evaluationMethod: "evaluation_suite",
      experimentConfig: { branch: "main" },
    });
    await client.flush();
    const read = await client.api.experiments.getExperimentById(experiment.id);
    expect(read).toMatchObject({ name: "suite-run", evaluationMethod: "evaluation_suite", datasetVersionId: version?.id });
    const raw = (await call(server, "GET", `/v1/private/experiments/${experiment.id}`)).json as Record<string, unknown>;
    expect(raw).toMatchObject({ evaluation_method: "evaluation_suite", dataset_version_id: version?.id });

    // A plain experiment reads back as a dataset evaluation, as the backend defaults it.
    const plain = await client.createExperiment({ name: "plain", datasetName: "refunds", projectName: PROJECT });
    expect((await client.api.experiments.getExperimentById(plain.id)).evaluationMethod).toBe("dataset");
    expect(errors.messages()).toEqual([]);
  });

  it("refuses an unknown evaluation_method with the backend's 400", async () => {
    const answer = await call(server, "POST", "/v1/private/experiments", { dataset_name: "refunds", name: "x", evaluation_method: "vibes" });
    expect(answer.status).toBe(400);
  });
});
