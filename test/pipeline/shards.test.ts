import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { parseShard } from "../../src/config/parse-shard.js";
import { ConfigError } from "../../src/errors.js";
import { joinShardedExperiment } from "../../src/pipeline/join-sharded-experiment.js";
import { readShardedRun } from "../../src/pipeline/read-sharded-run.js";
import { shardItems } from "../../src/pipeline/shard-items.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";

const ids = (count: number) => Array.from({ length: count }, (_, i) => ({ id: `item-${String(i).padStart(3, "0")}` }));

describe("shardItems", () => {
  it("splits any order of the same items into disjoint slices that cover them all and differ by at most one", () => {
    const items = ids(23);
    const shuffled = [...items].reverse();
    const slices = [1, 2, 3, 4].map((index) => shardItems(index % 2 ? items : shuffled, { index, count: 4 }));
    expect(slices.flat().map((item) => item.id)).toHaveLength(23);
    expect(new Set(slices.flat().map((item) => item.id))).toEqual(new Set(items.map((item) => item.id)));
    expect(slices.map((slice) => slice.length)).toEqual([6, 6, 6, 5]);
    expect(shardItems(items, { index: 2, count: 4 })).toEqual(shardItems(shuffled, { index: 2, count: 4 }));
  });

  it("gives a shard beyond the item count nothing", () => {
    expect(shardItems(ids(2), { index: 3, count: 4 })).toEqual([]);
  });
});

describe("parseShard", () => {
  it("reads i/n in evaluate mode, with the shard-run every shard shares", () => {
    expect(parseShard(" 2 / 4 ", "9912", "evaluate")).toEqual({ shard: { index: 2, count: 4 }, shardRun: "9912", problems: [] });
    expect(parseShard("", "", "evaluate")).toEqual({ problems: [] });
  });

  it("names every problem at once", () => {
    expect(parseShard("0/4", "", "evaluate").problems).toEqual([
      'shard: expected i/n with 1 <= i <= n <= 64, e.g. 2/4 (got "0/4")',
      "shard-run: required with shard (expected the id every shard and the report job share, e.g. the workflow run's id; the action defaults to it)",
    ]);
    expect(parseShard("1/65", "r", "evaluate").problems[0]).toContain("n <= 64");
    expect(parseShard("1/2", "a b", "evaluate").problems).toEqual(["shard-run: expected letters, digits, '.', '_' or '-' (got \"a b\")"]);
    expect(parseShard("", "", "report").problems[0]).toContain("shard-run: required with mode report");
    expect(parseShard("1/2", "r", "harvest").problems[0]).toContain("only an evaluate run is split into shards");
  });
});

describe("shard with other inputs", () => {
  it("refuses repeats and a test suite on a sharded run, naming both", () => {
    const raw = {
      "opik-url": "http://127.0.0.1:9",
      "opik-project": "p",
      "task-provider": "replay",
      "span-name": "s",
      "dataset-prefix": "d",
      mode: "evaluate",
      metrics: "output_format",
    };
    const problems = (extra: Record<string, string>): readonly string[] => {
      try {
        parseConfig({ ...raw, shard: "1/2", "shard-run": "7", ...extra }, undefined, new Date("2026-11-29T00:00:00Z"));
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problems({ repeats: "3" })).toContain("shard: not supported with repeats 3 yet (expected repeats 1 on a sharded run, or no shard)");
    expect(problems({ "test-suite": "regressions", "judge-provider": "ollama" }).join("\n")).toContain(
      "shard: a test suite (regressions) is not split into shards",
    );
    expect(problems({})).toEqual([]);
  });
});

describe("pooling the shards' experiment", () => {
  async function datasetWithItems(opik: FakeOpikGateway, count: number) {
    const dataset = await opik.createDataset("charter-optimization-20261129-000000", "", []);
    await opik.insertDatasetItems(
      dataset,
      Array.from({ length: count }, (_, i) => ({
        id: `item-${i}`,
        spanId: `span-${i}`,
        traceId: `trace-${i}`,
        data: { input: `charter ${i}`, expected_output: "x", span_id: `span-${i}`, trace_id: `trace-${i}`, span_name: "s", start_time: "" },
      })),
    );
    return dataset;
  }

  it("reads each item's scores and output, and counts a task failure and a metric that did not score", async () => {
    const opik = new FakeOpikGateway();
    const dataset = await datasetWithItems(opik, 3);
    const experiment = await opik.createExperiment("exp-run1-pr1", dataset, { metrics: ["a", "b"], shards: 2 });
    const record = (i: number, scores: { name: string; value: number }[]) => ({
      datasetItemId: `item-${i}`,
      traceId: `t-${i}`,
      experimentItemId: `e-${i}`,
      startTime: new Date(),
      endTime: new Date(),
      input: {},
      output: scores.length ? { output: `answer ${i}` } : {},
      scores,
    });
    await opik.writeEvaluations(experiment, [
      record(0, [
        { name: "a", value: 1 },
        { name: "b", value: 0 },
      ]),
      record(1, [{ name: "a", value: 0.5 }]),
      record(2, []),
    ]);
    const pooled = await readShardedRun(opik, { experimentName: "exp-run1-pr1", metrics: ["a", "b"], directions: {} });
    if ("problem" in pooled) throw new Error(pooled.problem);
    expect(pooled.problems).toEqual([]);
    expect(pooled.experiment).toMatchObject({
      itemsTotal: 3,
      taskErrors: 1,
      evalResults: { a: { mean: 0.75, count: 2 }, b: { mean: 0, count: 1, failed: 1 } },
    });
    const [first, second, third] = pooled.outcomes;
    expect(first).toMatchObject({ output: "answer 0", input: "charter 0", spanId: "span-0", scores: { a: { value: 1 }, b: { value: 0 } } });
    expect(second!.failedMetrics).toEqual({ b: "not scored in its shard (the shard job's summary says why)" });
    expect(third!.taskError).toContain("the task failed in its shard");
  });

  it("reports the items no shard wrote, and metrics that differ from the shards'", async () => {
    const opik = new FakeOpikGateway();
    const dataset = await datasetWithItems(opik, 4);
    await opik.createExperiment("exp-run2-pr1", dataset, { metrics: ["a"], shards: 4 });
    const pooled = await readShardedRun(opik, { experimentName: "exp-run2-pr1", metrics: ["a", "b"], directions: {} });
    if ("problem" in pooled) throw new Error(pooled.problem);
    expect(pooled.problems).toEqual([
      "metrics: the shards scored a but this job is configured for a, b; give the report job the same metrics and config as its shards",
      "4 of 4 items of charter-optimization-20261129-000000 have no result in experiment exp-run2-pr1: a shard of its 4 shards did not finish; rerun the failed shard jobs, then this job",
    ]);
  });

  it("says when the shards have not run, and when they split over two datasets", async () => {
    const opik = new FakeOpikGateway();
    expect(await readShardedRun(opik, { experimentName: "nope", metrics: ["a"], directions: {} })).toEqual({
      problem:
        "no experiment named nope in Opik: the report job reads what its shards wrote, so it needs them to have run first (needs: in the workflow) with the same experiment-type and shard-run",
    });
    const older = await datasetWithItems(opik, 1);
    const newer = await opik.createDataset("charter-optimization-20261129-010000", "", []);
    await opik.createExperiment("exp-run3", older, {});
    // A shard that resolved the newer dataset follows the experiment an earlier shard created on the older one.
    expect(await joinShardedExperiment(opik, "exp-run3", newer)).toMatchObject({ dataset: { name: older.name } });
    await opik.createExperiment("exp-run3", newer, {});
    const split = await readShardedRun(opik, { experimentName: "exp-run3", metrics: ["a"], directions: {} });
    expect(split).toEqual({ problem: expect.stringContaining("2 experiments are named exp-run3") as unknown });
  });
});
