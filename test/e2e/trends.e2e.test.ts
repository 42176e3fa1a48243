import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { buildSample, ingestSample } from "../../scripts/sample-data.js";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { HEALTH_METADATA_KEY } from "../../src/constants.js";
import { makeWorkspace, ONLY_FRESH } from "../support/e2e-fixtures.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { opikReads } from "../support/opik-reads.js";
import { pullRequestEvent } from "../support/pull-request-event.js";

/** Six scheduled runs make the history; each harvests a new batch of spans, some with error traces to delete. */
const SCHEDULED_RUNS = 6;

let opik: OpikServer;
let github: GitHubServer;
let llm: OpenAIServer;
let workspace: string;

beforeAll(async () => {
  [opik, github, llm] = await Promise.all([startOpikServer(), startGitHubServer(), startOpenAIServer()]);
  workspace = await makeWorkspace("trends");
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close(), llm.close()]);
});

/** The values of the mermaid chart titled `title`: its first series, then its constant lines and bars. */
function chartSeries(markdown: string, title: string): { labels: string[]; series: string[] } {
  const block = markdown.split("```mermaid\n").find((chart) => chart.includes(`title "${title}"`));
  if (!block) throw new Error(`no chart "${title}" in:\n${markdown}`);
  const body = block.slice(0, block.indexOf("```"));
  const labels = [.../x-axis \[([^\]]*)\]/.exec(body)![1]!.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
  const series = [...body.matchAll(/^ {2}(?:line|bar) \[([^\]]*)\]$/gm)].map((m) => m[1]!);
  return { labels, series };
}

const short = (value: number): string => String(Math.round(value * 1000) / 1000);

async function scheduledRun(project: string, run: number, errorTraces: number): Promise<ActionRun> {
  const sample = buildSample({
    project,
    spanName: "charter_validation",
    now: new Date(),
    lookbackHours: 24,
    seed: 7000 + run,
    ...ONLY_FRESH,
    fresh: 3 + run,
    errorTraces,
  });
  await ingestSample(opik.url, sample);
  const result = await runAction(
    { "opik-url": opik.url, "opik-project": project, "task-provider": "replay", "max-items": "1000" },
    { workspace, env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}` } },
  );
  expect(result.exitCode, result.stdout).toBe(0);
  expect(result.result?.status).toBe("success");
  return result;
}

describe("trends from the feature's history in Opik", () => {
  it("charts the scheduled runs' means and health in the summary, records each run's health, and marks a pull request's value in its comment", async () => {
    const project = `trends-${Date.now()}`;
    const runs: ActionRun[] = [];
    for (let run = 0; run < SCHEDULED_RUNS; run += 1) runs.push(await scheduledRun(project, run, run % 3));
    const last = runs.at(-1)!;

    // Each run's experiment carries its health, as later runs read it.
    const reads = opikReads(opik.url, project);
    const experiments = (await reads.experiments("charter_validation-eval-")).sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
    expect(experiments).toHaveLength(SCHEDULED_RUNS);
    experiments.forEach((experiment, index) => {
      const result = runs[index]!.result!;
      const evalResults = (result.experiment_result as { eval_results: Record<string, { count: number }> }).eval_results;
      expect(experiment.name).toBe(runs[index]!.outputs["experiment-name"]);
      expect((experiment.metadata as Record<string, unknown>)[HEALTH_METADATA_KEY]).toEqual({
        items: Number(runs[index]!.outputs["spans-new"]),
        spans_harvested: Number(runs[index]!.outputs["spans-new"]),
        error_traces_deleted: (result.cleanup_result as { deleted: number }).deleted,
        judge_failures: 0,
        cost_usd: 0,
        metric_counts: { output_format: evalResults.output_format!.count },
      });
    });
    expect(experiments.map((e) => (e.metadata as Record<string, { error_traces_deleted: number }>)[HEALTH_METADATA_KEY]!.error_traces_deleted)).toEqual([
      0, 1, 2, 0, 1, 2,
    ]);

    // What a run knows before its experiment starts is recorded when the experiment is created.
    const creates = opik.requests.filter((r) => r.method === "POST" && r.path === "/v1/private/experiments");
    expect(creates.map((r) => (r.body as { metadata: Record<string, unknown> }).metadata[HEALTH_METADATA_KEY])).toEqual(
      runs.map((run) => ({
        spans_harvested: Number(run.outputs["spans-new"]),
        error_traces_deleted: (run.result!.cleanup_result as { deleted: number }).deleted,
      })),
    );

    // The last run's summary charts all six runs, oldest first, with the means Opik computed for each experiment.
    const means = experiments.map((e) => (e.feedback_scores as Array<{ name: string; value: number }>).find((s) => s.name === "output_format")!.value);
    // The runs differ, so the chart has something to show.
    expect(new Set(means).size).toBeGreaterThan(1);
    expect(last.summary).toContain("## Trends");
    expect(last.summary).toContain(`The last ${SCHEDULED_RUNS} scheduled run(s) of \`charter_optimization\``);
    const chart = chartSeries(last.summary, "output_format: mean per run");
    expect(chart.labels).toHaveLength(SCHEDULED_RUNS);
    expect(chart.series[0]).toBe(means.map(short).join(", "));
    const sparkline = new RegExp(
      `\`output_format\` [▁▂▃▄▅▆▇█]{${SCHEDULED_RUNS}} first ${short(means[0]!)} · last ${short(means.at(-1)!)} · min ${short(Math.min(...means))} · max ${short(Math.max(...means))}`,
    );
    expect(last.summary).toMatch(sparkline);

    // The health series: spans harvested and error traces deleted per run, judge failures and cost.
    expect(chartSeries(last.summary, "spans harvested per run").series[0]).toBe(runs.map((r) => r.outputs["spans-new"]).join(", "));
    expect(chartSeries(last.summary, "error traces deleted per run").series[0]).toBe("0, 1, 2, 0, 1, 2");
    expect(chartSeries(last.summary, "judge failures per run").series[0]).toBe("0, 0, 0, 0, 0, 0");
    expect(chartSeries(last.summary, "cost (USD) per run").series[0]).toBe("0, 0, 0, 0, 0, 0");

    // A pull request reads the same scheduled history (trend-runs of it) and marks its own mean, gated at 0.5.
    llm.reply(() => JSON.stringify({ verdict: "valid", reason: "complete" }));
    const pr = await runAction(
      {
        "opik-url": opik.url,
        "opik-project": project,
        "task-provider": "openai",
        "openai-api-key": "sk-pr",
        "openai-base-url": llm.url,
        "github-token": "ghs_test_token",
        "min-items": "1",
        thresholds: "output_format>=0.5",
        "trend-runs": "4",
      },
      {
        workspace,
        event: pullRequestEvent(77),
        env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: "gate" },
      },
    );
    expect(pr.exitCode, pr.stdout).toBe(0);
    const prMean = (JSON.parse(pr.outputs.scores!) as Record<string, { mean: number }>).output_format!.mean;
    const comments = github.comments(77);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body).toContain("Trend: this pull request against the last scheduled runs");
    const prChart = chartSeries(body, "output_format: mean per run");
    // trend-runs 4: the four newest scheduled runs, then the PR.
    expect(prChart.labels).toHaveLength(5);
    expect(prChart.labels.at(-1)).toBe("PR");
    expect(prChart.series[0]).toBe([...means.slice(-4), prMean].map(short).join(", "));
    expect(prChart.series[1]).toBe("0.5, 0.5, 0.5, 0.5, 0.5");
    expect(prChart.series[2]).toBe(`0, 0, 0, 0, ${short(prMean)}`);
    expect(body).toContain(`**this PR ${short(prMean)}**`);
    expect(body.trimEnd().endsWith("<!-- opik-evaluate workflow=evals job=gate experiment=charter_optimization -->")).toBe(true);
    // The PR's summary charts the same four scheduled runs; its own experiment is not part of the history.
    expect(pr.summary).toContain("The last 4 scheduled run(s) of `charter_optimization`");
    expect(chartSeries(pr.summary, "output_format: mean per run").series[0]).toBe(means.slice(-4).map(short).join(", "));
  }, 240_000);

  it("warns and still reports the run when Opik cannot list the feature's experiments", async () => {
    const project = `trends-down-${Date.now()}`;
    const sample = buildSample({ project, spanName: "charter_validation", now: new Date(), lookbackHours: 24, seed: 7100, ...ONLY_FRESH, fresh: 3 });
    await ingestSample(opik.url, sample);
    // The run itself lists experiments twice (its resumable experiment, its baseline); the third list is the history.
    opik.injectFault({ method: "GET", path: "/v1/private/experiments", status: 400, after: 2 });
    try {
      const run = await runAction(
        { "opik-url": opik.url, "opik-project": project, "task-provider": "replay" },
        { workspace, env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}` } },
      );
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.result?.status).toBe("success");
      expect(run.stdout).toMatch(/::warning::The trend charts are left out: the feature's earlier runs could not be read from Opik/);
      expect(run.summary).not.toContain("## Trends");
    } finally {
      opik.clearFaults();
    }
  }, 120_000);
});
