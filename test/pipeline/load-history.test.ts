import { describe, expect, it } from "vitest";
import { HEALTH_METADATA_KEY, HISTORY_READ } from "../../src/constants.js";
import { loadRunHistory, type HistoryConfig } from "../../src/pipeline/load-history.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";

const CONFIG: HistoryConfig = { experimentType: "charters", trendRuns: 48, feature: { experimentPrefix: "charters", datasetPrefix: "charters-ds" } };

/** One run of the feature, `minutes` after midnight, with one item per score. */
async function seedRun(
  opik: FakeOpikGateway,
  minutes: number,
  scores: number[],
  options: { mode?: string; name?: string; health?: Record<string, unknown>; withoutAggregates?: boolean } = {},
): Promise<string> {
  const stamp = `20261101-${String(minutes).padStart(6, "0")}`;
  const dataset = await opik.createDataset(`charters-ds-${stamp}`, "", []);
  const name = options.name ?? `charters-eval-${stamp}`;
  const metadata = { mode: options.mode ?? "harvest", ...(options.health ? { [HEALTH_METADATA_KEY]: options.health } : {}) };
  const experiment = await opik.createExperiment(name, dataset, metadata);
  await opik.writeEvaluations(
    experiment,
    scores.map((value, index) => ({
      datasetItemId: `${stamp}-item-${index}`,
      traceId: `${stamp}-trace-${index}`,
      experimentItemId: `${stamp}-ei-${index}`,
      startTime: new Date(0),
      endTime: new Date(0),
      input: {},
      output: {},
      scores: [{ name: "output_format", value }],
    })),
  );
  const stored = opik.experiments.get(experiment.id);
  if (!stored) throw new Error("seeded experiment missing");
  stored.summary.createdAt = new Date(Date.UTC(2026, 10, 1, 0, minutes)).toISOString();
  if (options.withoutAggregates) stored.withoutAggregates = true;
  return experiment.id;
}

describe("loadRunHistory", () => {
  it("reads the feature's scheduled runs oldest first, with Opik's means, the recorded counts and health; pull request runs are left out", async () => {
    const opik = new FakeOpikGateway();
    await seedRun(opik, 1, [1, 0], {
      health: { items: 2, spans_harvested: 5, error_traces_deleted: 1, judge_failures: 0, cost_usd: 0.25, metric_counts: { output_format: 2 } },
    });
    await seedRun(opik, 2, [1, 1, 0, 1]);
    await seedRun(opik, 3, [0], { mode: "evaluate", name: "charters-eval-20261101-000003-pr7" });
    await seedRun(opik, 4, [1], { name: "other-eval-20261101-000004" });

    const history = await loadRunHistory(opik, CONFIG);

    expect(history.experimentType).toBe("charters");
    expect(history.runs.map((run) => run.experimentName)).toEqual(["charters-eval-20261101-000001", "charters-eval-20261101-000002"]);
    expect(history.runs[0]).toMatchObject({
      datasetName: "charters-ds-20261101-000001",
      metrics: { output_format: { mean: 0.5, count: 2 } },
      health: { items: 2, spansHarvested: 5, errorTracesDeleted: 1, judgeFailures: 0, costUsd: 0.25 },
    });
    // Without a recorded health, the items are Opik's trace count and the count is every evaluated item.
    expect(history.runs[1]).toMatchObject({ metrics: { output_format: { mean: 0.75, count: 4 } }, health: { items: 4 } });
    expect(history.runs[1]?.health.spansHarvested).toBeUndefined();
    expect(opik.experimentPageReads).toEqual([{ nameContains: "charters-eval-", page: 1, size: HISTORY_READ.pageSize }]);
  });

  it("pages through Opik's list until trend-runs scheduled runs are found, and reads no further", async () => {
    const opik = new FakeOpikGateway();
    const total = HISTORY_READ.pageSize + 30;
    for (let minute = 1; minute <= total; minute += 1) {
      // Every third run is a pull request's, which a page holds but the history skips.
      await seedRun(opik, minute, [minute % 2], minute % 3 === 0 ? { mode: "evaluate", name: `charters-eval-20261101-${minute}-pr1` } : {});
    }
    const scheduled = total - Math.floor(total / 3);
    const newestScheduled = total % 3 === 0 ? total - 1 : total;

    const capped = await loadRunHistory(opik, { ...CONFIG, trendRuns: 5 });
    expect(capped.runs).toHaveLength(5);
    // The newest five, oldest first.
    expect(capped.runs.map((run) => run.createdAt)).toEqual([...capped.runs.map((run) => run.createdAt)].sort());
    expect(capped.runs.at(-1)?.experimentName).toBe(`charters-eval-20261101-${String(newestScheduled).padStart(6, "0")}`);
    expect(opik.experimentPageReads).toHaveLength(1);

    opik.experimentPageReads.length = 0;
    const all = await loadRunHistory(opik, { ...CONFIG, trendRuns: 500 });
    expect(all.runs).toHaveLength(scheduled);
    expect(opik.experimentPageReads.map((read) => read.page)).toEqual([1, 2]);
  });

  it("aggregates an experiment's items when Opik reports no averages for it, and reads items for no other", async () => {
    const opik = new FakeOpikGateway();
    await seedRun(opik, 1, [0.2, 0.4, 0.9], { withoutAggregates: true });
    await seedRun(opik, 2, [1]);
    const itemReads: string[] = [];
    const listItems = opik.listExperimentItems.bind(opik);
    opik.listExperimentItems = (experiment) => {
      itemReads.push(experiment.name);
      return listItems(experiment);
    };

    const history = await loadRunHistory(opik, CONFIG);

    expect(history.runs[0]?.metrics.output_format?.count).toBe(3);
    expect(history.runs[0]?.metrics.output_format?.mean).toBeCloseTo(0.5, 10);
    expect(history.runs[1]?.metrics).toEqual({ output_format: { mean: 1, count: 1 } });
    expect(itemReads).toEqual(["charters-eval-20261101-000001"]);
  });

  it("ignores health values that are not counts, keeping an unknown cost as unknown", async () => {
    const opik = new FakeOpikGateway();
    await seedRun(opik, 1, [1, 1, 0], {
      health: { items: "three", spans_harvested: -1, judge_failures: 2, cost_usd: null, metric_counts: { output_format: "3" } },
    });
    const [run] = (await loadRunHistory(opik, CONFIG)).runs;
    expect(run?.health).toEqual({ items: 3, judgeFailures: 2, costUsd: null });
    expect(run?.metrics.output_format?.count).toBe(3);
  });

  it("puts the current run last even when another run's experiment was created after it", async () => {
    const opik = new FakeOpikGateway();
    const current = await seedRun(opik, 5, [1]);
    await seedRun(opik, 6, [0]);
    const history = await loadRunHistory(opik, CONFIG, { experimentId: current });
    expect(history.runs.at(-1)?.experimentId).toBe(current);
  });

  it("throws when Opik cannot be read, for the caller to turn into a warning", async () => {
    const opik = new FakeOpikGateway();
    opik.fail("findExperimentsPage", "Opik is down");
    await expect(loadRunHistory(opik, CONFIG)).rejects.toThrow("Opik is down");
  });
});
