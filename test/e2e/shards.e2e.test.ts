import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCharters } from "../support/e2e-fixtures.js";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { pullRequestEvent } from "../support/pull-request-event.js";

/** Two metrics, so pooling must keep each item's scores together. */
const REGISTRY = `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    experiment_prefix: charter_validation
    metrics: [output_format, is_json]
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { type: string } } }
`;

let opik: OpikServer;
let github: GitHubServer;
let llm: OpenAIServer;
let workspace: string;

beforeAll(async () => {
  [opik, github, llm] = await Promise.all([startOpikServer(), startGitHubServer(), startOpenAIServer()]);
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-shards-"));
  await mkdir(path.join(workspace, ".github"));
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), REGISTRY);
  // The pull request's prompt breaks the format for some charters: which ones depends only on the item, so a
  // sharded and an unsharded run of the same code get the same outputs.
  llm.reply((body) => {
    const text = JSON.stringify(body);
    const hash = [...text].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 1_000_003, 7);
    return hash % 3 === 0 ? "Looks valid to me." : JSON.stringify({ verdict: "valid" });
  });
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close(), llm.close()]);
});

/** One job of the pull request's workflow: `job` keys the sticky comment, as GITHUB_JOB does. */
function prJob(project: string, pr: number, job: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    {
      "opik-url": opik.url,
      "opik-project": project,
      "task-provider": "openai",
      "openai-api-key": "sk-pr",
      "openai-base-url": llm.url,
      "github-token": "ghs_test_token",
      "min-items": "5",
      ...extra,
    },
    {
      workspace,
      event: pullRequestEvent(pr, { headRef: "shards" }),
      env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: job },
    },
  );
}

const shardJob = (project: string, pr: number, index: number) => prJob(project, pr, "shard", { shard: `${index}/4`, "shard-run": "77" });
/** The report job reads the shards' experiment; it calls no model, so it is given no provider key. */
const reportJob = (project: string, pr: number) =>
  runAction(
    {
      "opik-url": opik.url,
      "opik-project": project,
      "task-provider": "openai",
      mode: "report",
      "shard-run": "77",
      "github-token": "ghs_test_token",
      "min-items": "5",
    },
    {
      workspace,
      event: pullRequestEvent(pr, { headRef: "shards" }),
      env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: "report" },
    },
  );

function experimentItemsOf(name: string): Array<{ dataset_item_id: string }> {
  const experiment = [...opik.store.experiments.values()].find((e) => e.name === name);
  expect(experiment, `experiment ${name}`).toBeDefined();
  return [...opik.store.experimentItems.values()].filter((item) => item.experiment_id === experiment!.id);
}

describe("shards across runners", () => {
  it("4 shards and a report job give the item set, means and verdict of one unsharded run, with one comment and no duplicate after a rerun", async () => {
    const { project } = await seedCharters(opik.url, "shards", { fresh: 23 }, 4242);
    const harvest = await runAction(
      { "opik-url": opik.url, "opik-project": project, "cleanup-errors": "false", "task-provider": "replay" },
      { workspace, env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}` } },
    );
    expect(harvest.exitCode, harvest.stdout).toBe(0);
    const datasetItems = harvest.result!.spans_new as number;
    expect(datasetItems).toBe(23);

    const whole = await prJob(project, 301, "gate");
    expect(whole.exitCode, whole.stdout).toBe(0);
    // Compared with main's experiment item by item: the pooled run must reproduce these intervals exactly.
    const wholeScores = JSON.parse(whole.outputs.scores!) as Record<string, { ci?: [number, number]; mean: number }>;
    expect(Object.values(wholeScores).every((score) => score.ci && score.mean < 1)).toBe(true);
    const wholeItems = new Set(experimentItemsOf(String(whole.outputs["experiment-name"])).map((item) => item.dataset_item_id));
    expect(wholeItems.size).toBe(datasetItems);

    // Three shards finish; the report job finds the fourth slice missing and says so.
    const early = await Promise.all([1, 2, 3].map((index) => shardJob(project, 302, index)));
    for (const shard of early) {
      expect(shard.exitCode, shard.stdout).toBe(0);
      expect(shard.outputs.verdict).toBe("skipped");
      expect(shard.summary).toContain("the report job (mode report) gates the pooled results");
    }
    const sizes = early.map((shard) => (shard.result!.experiment_result as { items_total: number }).items_total);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(github.comments(302)).toHaveLength(0);
    const incomplete = await reportJob(project, 302);
    expect(incomplete.exitCode).toBe(1);
    expect(incomplete.outputs.verdict).toBe("error");
    expect(incomplete.stdout).toMatch(
      /items of charter-optimization-\S+ have no result in experiment charter_validation-eval-run77-pr302: a shard of its 4 shards did not finish; rerun the failed shard jobs/,
    );

    const last = await shardJob(project, 302, 4);
    expect(last.exitCode, last.stdout).toBe(0);
    const experimentName = String(last.outputs["experiment-name"]);
    expect(early.map((shard) => shard.outputs["experiment-name"])).toEqual([experimentName, experimentName, experimentName]);

    const report = await reportJob(project, 302);
    const pooled = experimentItemsOf(experimentName);
    expect(new Set(pooled.map((item) => item.dataset_item_id))).toEqual(wholeItems);
    expect(pooled).toHaveLength(datasetItems);
    expect(report.result).toMatchObject({ mode: "report", status: "success", dataset_name: whole.result!.dataset_name });
    // Same means, same paired comparison, same verdict as the unsharded run.
    expect(JSON.parse(report.outputs.scores!)).toEqual(JSON.parse(whole.outputs.scores!));
    expect(report.outputs.verdict).toBe(whole.outputs.verdict);
    expect(report.exitCode).toBe(whole.exitCode);
    expect((report.result!.experiment_result as { eval_results: unknown }).eval_results).toEqual(
      (whole.result!.experiment_result as { eval_results: unknown }).eval_results,
    );
    expect(report.summary).toContain("Items (all shards)");
    const comments = github.comments(302);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("eval-run77-pr302");

    // A retried shard rewrites nothing twice; the report reads the same pool and edits its one comment.
    const rerun = await shardJob(project, 302, 2);
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(experimentItemsOf(experimentName)).toHaveLength(datasetItems);
    const again = await reportJob(project, 302);
    expect(again.outputs.scores).toBe(report.outputs.scores);
    expect(github.comments(302)).toHaveLength(1);
    expect([...opik.store.experiments.values()].filter((e) => e.name === experimentName)).toHaveLength(1);
  });

  it("rejects a shard outside evaluate mode, a malformed shard, and a report without shard-run, before any request", async () => {
    const harvestShard = await runAction(
      { "opik-url": "http://127.0.0.1:9", "opik-project": "p", "task-provider": "replay", mode: "harvest", shard: "1/2", "shard-run": "r" },
      { workspace },
    );
    expect(harvestShard.exitCode).toBe(1);
    expect(harvestShard.stdout).toContain("shard: only an evaluate run is split into shards (mode is harvest)");
    const malformed = await runAction(
      { "opik-url": "http://127.0.0.1:9", "opik-project": "p", "task-provider": "replay", mode: "evaluate", shard: "5/4" },
      { workspace },
    );
    expect(malformed.stdout).toContain('shard: expected i/n with 1 <= i <= n <= 64, e.g. 2/4 (got "5/4")');
    expect(malformed.stdout).toContain("shard-run: required with shard");
    const report = await runAction({ "opik-url": "http://127.0.0.1:9", "opik-project": "p", "task-provider": "openai", mode: "report" }, { workspace });
    expect(report.stdout).toContain("shard-run: required with mode report");
    // The report job needs no provider key: only shard-run was missing.
    expect(report.stdout).not.toContain("openai-api-key");
  });
});
