import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { DATASET_TAG, LEASE_TAG_PREFIX, PENDING_TAG } from "../../src/constants.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { makeWorkspace, seedCharters } from "../support/e2e-fixtures.js";
import { opikReads } from "../support/opik-reads.js";

const RUNS = 4;
const TRIALS = 10;

let server: OpikServer;
let workspace: string;

beforeAll(async () => {
  server = await startOpikServer();
  workspace = await makeWorkspace("overlap");
});
afterAll(async () => server.close());

async function seed(name: string, fresh: number): Promise<{ project: string; newSpanIds: string[] }> {
  const { project, sample } = await seedCharters(server.url, name, { fresh, alreadyAdded: 3, errorTraces: 2, otherNames: 1, otherTypes: 1, outsideWindow: 1 });
  return { project, newSpanIds: sample.expected.newSpanIds };
}

function inputs(project: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "opik-url": server.url, "opik-project": project, "task-provider": "replay", ...extra };
}

/** Everything the runs left in Opik, read through its REST API. */
async function harvestedState(project: string) {
  const reads = opikReads(server.url, project);
  const datasets = (await reads.datasets("charter-optimization-")).filter((d) => /-\d{8}-\d{6}(-\d+)?$/.test(String(d.name)));
  const spansPerDataset = new Map<string, unknown[]>();
  const experimentItemsPerDatasetItem = new Map<unknown, number>();
  const experimentsPerDataset = new Map<string, number>();
  const experiments = (await reads.experiments("charter_validation-eval-")).filter((e) => datasets.some((d) => d.id === e.dataset_id));
  for (const dataset of datasets) {
    spansPerDataset.set(
      String(dataset.name),
      (await reads.datasetItems(String(dataset.name))).map((item) => item.span_id),
    );
    experimentsPerDataset.set(String(dataset.name), experiments.filter((e) => e.dataset_id === dataset.id).length);
  }
  for (const experiment of experiments) {
    for (const item of await reads.experimentItems({ name: String(experiment.name), id: String(experiment.id) })) {
      experimentItemsPerDatasetItem.set(item.dataset_item_id, (experimentItemsPerDatasetItem.get(item.dataset_item_id) ?? 0) + 1);
    }
  }
  return { datasets, spansPerDataset, experimentItemsPerDatasetItem, experimentsPerDataset };
}

describe("overlapping runs on one project and experiment type", () => {
  it(`${RUNS} runs started together, ${TRIALS} times: no span twice, no item evaluated twice, no run failed`, async () => {
    const totals = { duplicatedSpans: 0, duplicatedExperimentItems: 0, failedRuns: 0, missingSpans: 0 };
    for (let trial = 0; trial < TRIALS; trial += 1) {
      // Each run may take 12: the 30 new spans need three runs, so the runs must share them out.
      const { project, newSpanIds } = await seed(`overlap-${trial}`, 30);
      const runs: ActionRun[] = await Promise.all(Array.from({ length: RUNS }, () => runAction(inputs(project, { "max-items": "12" }), { workspace })));

      for (const run of runs) {
        if (run.exitCode !== 0 || !["success", "skipped"].includes(run.result?.status ?? "")) {
          totals.failedRuns += 1;
          console.log(`trial ${trial}: a run failed\n${run.stdout}`);
        }
      }
      const state = await harvestedState(project);
      const allSpans = [...state.spansPerDataset.values()].flat();
      totals.duplicatedSpans += allSpans.length - new Set(allSpans).size;
      totals.missingSpans += newSpanIds.filter((id) => !allSpans.includes(id)).length;
      totals.duplicatedExperimentItems += [...state.experimentItemsPerDatasetItem.values()].filter((count) => count > 1).length;
      expect(
        [...state.experimentsPerDataset.values()].every((count) => count === 1),
        `trial ${trial}: one experiment per dataset`,
      ).toBe(true);
      for (const dataset of state.datasets) expect(dataset.tags, `trial ${trial}: ${String(dataset.name)} finished`).toEqual([DATASET_TAG]);
      expect(state.experimentItemsPerDatasetItem.size).toBe(allSpans.length);

      // Each run says what it did: harvested, or left the work to the others.
      const harvested = runs.filter((run) => run.result?.status === "success");
      expect(harvested.map((run) => run.result?.dataset_name).sort()).toEqual([...state.spansPerDataset.keys()].sort());
      for (const run of runs.filter((r) => r.result?.status === "skipped")) expect(run.summary.length, "a skipped run still reports").toBeGreaterThan(0);
    }
    expect(totals).toEqual({ duplicatedSpans: 0, duplicatedExperimentItems: 0, failedRuns: 0, missingSpans: 0 });
  }, 300_000);

  it("leaves a pending dataset to the run whose lease is active, and takes over one whose lease expired", async () => {
    const { project } = await seed("lease", 6);
    const reads = opikReads(server.url, project);
    const first = await runAction(inputs(project, { "max-items": "3" }), { workspace });
    expect(first.result?.status).toBe("success");
    const firstDataset = (await reads.datasets(String(first.result!.dataset_name)))[0]!;

    // As if another run were still evaluating it: pending, with that run's lease running for an hour.
    const now = Math.floor(Date.now() / 1000);
    const api = `${server.url}/v1/private/datasets/${String(firstDataset.id)}`;
    const setTags = (tags: string[]) =>
      fetch(api, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: firstDataset.name, description: firstDataset.description, tags }),
      });
    await setTags([DATASET_TAG, PENDING_TAG, `${LEASE_TAG_PREFIX}other-run:${now - 60}-${now + 3600}`]);

    const second = await runAction(inputs(project, { "max-items": "3" }), { workspace });
    expect(second.result).toMatchObject({
      status: "success",
      resumed: false,
      overlap: { datasets_leased_by_others: [{ dataset_name: firstDataset.name, run_id: "other-run" }] },
    });
    expect(second.result!.dataset_name).not.toBe(firstDataset.name);
    expect(second.result!.warnings).toContainEqual(expect.stringContaining(`Left dataset ${String(firstDataset.name)} to run other-run`));

    // The same run, crashed: its lease ran out a minute ago, so the next run finishes the dataset.
    await setTags([DATASET_TAG, PENDING_TAG, `${LEASE_TAG_PREFIX}other-run:${now - 700}-${now - 60}`]);
    const third = await runAction(inputs(project, { "max-items": "3" }), { workspace });
    expect(third.result).toMatchObject({ status: "success", resumed: true, dataset_name: firstDataset.name, overlap: { datasets_leased_by_others: [] } });
    expect((await reads.datasets(String(firstDataset.name)))[0]!.tags).toEqual([DATASET_TAG]);
  });
});
