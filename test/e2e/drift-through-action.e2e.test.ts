import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { buildSample, ingestSample } from "../../scripts/sample-data.js";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { DRIFT_MIN_ITEMS } from "../../src/drift/defaults.js";
import { makeWorkspace, ONLY_FRESH } from "../support/e2e-fixtures.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";

/**
 * Issue 11's first "Done when", all through the action: 30 scheduled runs, each harvesting its own new spans and
 * replaying their recorded outputs, valid for runs 1–20 and mostly invalid after, build the history in the embedded
 * Opik; the drift check reads it, and the loopback GitHub API records one issue opened, edited, then closed after
 * runs with good outputs again.
 */

/** The drift inputs, and the data they judge. */
const WINDOW = 10;
const REFERENCE = 20;
const MIN_EFFECT = 0.25;
/** Spans per run, all harvested (max-items): a window of WINDOW runs holds exactly DRIFT_MIN_ITEMS scored items. */
const ITEMS = 3;
const GOOD_RUNS = 20;
const SEEDED_RUNS = 30;
/** Valid outputs in a degraded run: one of three, so output_format's mean drops from 1 to 1/3 in such a run. */
const VALID_WHEN_DEGRADED = 1;

/**
 * The run where drift starts, from the method's rules. The check needs WINDOW runs in the recent window and at least
 * WINDOW before it, and DRIFT_MIN_ITEMS items in each window: runs before 2·WINDOW are insufficient-data. Until the
 * recent window reaches past run 30, the reference holds good runs only, every item scoring 1: its spread is zero, so
 * the one-sided bound equals the point worsening and the run drifts as soon as that reaches MIN_EFFECT. With d
 * degraded runs in the recent window the worsening is d·(1 − 1/3)/WINDOW: 3 runs give 0.2, 4 give 0.267.
 */
const DEGRADED_DROP = (ITEMS - VALID_WHEN_DEGRADED) / ITEMS;
const FIRST_SUFFICIENT = 2 * WINDOW;
const FIRST_DRIFTING = GOOD_RUNS + Math.ceil((MIN_EFFECT * WINDOW) / DEGRADED_DROP);
/** Runs with good outputs after the 30, at most, for the check to let go. */
const MAX_RECOVERY_RUNS = 8;

let opik: OpikServer;
let github: GitHubServer;
let workspace: string;

beforeAll(async () => {
  [opik, github] = await Promise.all([startOpikServer(), startGitHubServer()]);
  workspace = await makeWorkspace("drift-through-action");
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close()]);
});

/** Outputs the charter schema accepts, and prose it does not: the replay task scores exactly these. */
const validOutput = (n: number): unknown => ({ content: JSON.stringify({ verdict: ["valid", "invalid", "needs_review"][n % 3], reason: "Checked." }) });
const invalidOutput = { content: "The charter looks fine to me." };

/** One scheduled run: a new batch of spans with the outputs of its phase, then the action harvesting and replaying them. */
async function scheduledRun(project: string, run: number, degraded: boolean): Promise<ActionRun> {
  const sample = buildSample({ project, spanName: "charter_validation", now: new Date(), lookbackHours: 24, seed: 9000 + run, ...ONLY_FRESH, fresh: ITEMS });
  // buildSample adds one trace and its one span per item, in step.
  sample.spans.forEach((span, i) => {
    const output = degraded && i >= VALID_WHEN_DEGRADED ? invalidOutput : validOutput(run + i);
    span.output = output;
    sample.traces[i]!.output = output;
  });
  await ingestSample(opik.url, sample);
  const result = await runAction(
    {
      "opik-url": opik.url,
      "opik-project": project,
      "task-provider": "replay",
      "github-token": "ghs_test_token",
      "cleanup-errors": "false",
      "max-items": String(ITEMS),
      "drift-window": String(WINDOW),
      "drift-reference": String(REFERENCE),
      "drift-min-effect": String(MIN_EFFECT),
    },
    { workspace, env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "scheduled-evals", GITHUB_JOB: "evaluate" } },
  );
  expect(result.exitCode, `run ${run}: ${result.stdout}`).toBe(0);
  expect(result.outputs["spans-new"], `run ${run}`).toBe(String(ITEMS));
  return result;
}

const mean = (run: ActionRun): number => (JSON.parse(run.outputs.scores!) as Record<string, { mean: number }>).output_format!.mean;
const writes = () => github.requests.filter((r) => r.method !== "GET");

describe("drift through the action's own scheduled runs", () => {
  it("30 runs degrading after run 20: a trend chart, drifting from the run the rules give, one issue opened, edited, and closed after recovery", async () => {
    expect(WINDOW * ITEMS).toBe(DRIFT_MIN_ITEMS);
    expect(FIRST_DRIFTING).toBe(24);
    const project = `drift-through-action-${Date.now()}`;
    const runs: ActionRun[] = [];
    const bodies: string[] = [];
    for (let run = 1; run <= SEEDED_RUNS; run += 1) {
      const result = await scheduledRun(project, run, run > GOOD_RUNS);
      runs.push(result);
      const expected = run < FIRST_SUFFICIENT ? "insufficient-data" : run < FIRST_DRIFTING ? "none" : "drifting";
      expect(result.outputs.drift, `run ${run}`).toBe(expected);
      expect(result.outputs["drift-metrics"], `run ${run}`).toBe(expected === "drifting" ? "output_format" : "");
      if (run < FIRST_DRIFTING) expect(writes(), `run ${run}`).toEqual([]);
      if (run >= FIRST_DRIFTING) {
        // One issue, opened once and then only edited: no second issue, no comment while the same metric drifts.
        expect(result.result?.drift, `run ${run}`).toMatchObject({ issue: { action: run === FIRST_DRIFTING ? "opened" : "updated" } });
        expect(github.issues(), `run ${run}`).toHaveLength(1);
        bodies.push(github.issues()[0]!.body);
      }
    }
    // The outputs really degraded: every item valid in runs 1–20, one in three after.
    expect(runs.slice(0, GOOD_RUNS).map(mean)).toEqual(Array<number>(GOOD_RUNS).fill(1));
    for (const run of runs.slice(GOOD_RUNS)) expect(mean(run)).toBeCloseTo(VALID_WHEN_DEGRADED / ITEMS, 6);

    // The first drifting run: 4 degraded runs in the recent window of 10, against a reference of runs 1–14, all good.
    const first = runs[FIRST_DRIFTING - 1]!;
    expect(first.result?.drift).toMatchObject({
      state: "drifting",
      metrics: ["output_format"],
      window: WINDOW,
      reference: REFERENCE,
      min_effect: MIN_EFFECT,
      recent_runs: WINDOW,
      reference_runs: FIRST_DRIFTING - WINDOW,
    });
    expect(first.summary).toContain("🔴 Drifting: `output_format`");
    const [issue] = github.issues();
    expect(issue).toMatchObject({ title: "Opik evaluation drift: charter_optimization", labels: ["opik-drift"], state: "open" });
    expect(bodies[0]).toContain("<!-- opik-evaluate-drift feature=charter_optimization -->");
    expect(bodies[0]).toMatch(/🔴 output_format \| metric \| higher \| 1\.000 \| 0\.733 \| 0\.267 \| 0\.267 to 0\.267/);
    expect(bodies[0]).toContain("```mermaid");
    // Each later drifting run edited the body (its windows moved), and nobody commented.
    expect(new Set(bodies).size).toBe(bodies.length);
    expect(github.comments(issue!.number)).toEqual([]);
    const issueWrites = writes().map((r) => `${r.method} ${r.path}`);
    expect(issueWrites).toEqual([
      `POST /repos/${OWNER}/${REPO}/issues`,
      ...Array<string>(SEEDED_RUNS - FIRST_DRIFTING).fill(`PATCH /repos/${OWNER}/${REPO}/issues/${issue!.number}`),
    ]);

    // The trend chart of run 30 charts all 30 runs, oldest first: twenty at 1, ten at 1/3.
    const last = runs.at(-1)!;
    expect(last.summary).toContain("## Trends");
    expect(last.summary).toContain(`The last ${SEEDED_RUNS} scheduled run(s) of \`charter_optimization\``);
    const chart = last.summary.split("```mermaid\n").find((block) => block.includes('title "output_format: mean per run"'));
    expect(chart, last.summary).toBeDefined();
    expect(/x-axis \[([^\]]*)\]/.exec(chart!)![1]!.split(",")).toHaveLength(SEEDED_RUNS);
    expect(/^ {2}line \[([^\]]*)\]$/m.exec(chart!)![1]).toBe(
      [...Array<string>(GOOD_RUNS).fill("1"), ...Array<string>(SEEDED_RUNS - GOOD_RUNS).fill("0.333")].join(", "),
    );
    expect(last.summary).toMatch(/`output_format` [▁▂▃▄▅▆▇█]{30} first 1 · last 0\.333 · min 0\.333 · max 1/);

    // Good outputs again: the issue stays the one, edited, until the check says recovered; then a comment and closed.
    const after: string[] = [];
    for (let run = SEEDED_RUNS + 1; run <= SEEDED_RUNS + MAX_RECOVERY_RUNS && after.at(-1) !== "recovered"; run += 1) {
      const result = await scheduledRun(project, run, false);
      after.push(result.outputs.drift ?? "");
      expect(result.result?.drift, `run ${run}`).toMatchObject({ issue: { action: result.outputs.drift === "recovered" ? "closed" : "updated" } });
    }
    expect(after.at(-1)).toBe("recovered");
    expect(after.slice(0, -1).every((state) => state === "drifting")).toBe(true);
    expect(github.issues()).toHaveLength(1);
    expect(github.issues()[0]).toMatchObject({ number: issue!.number, state: "closed", stateReason: "completed" });
    const comments = github.comments(issue!.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("Recovered");
    expect(writes().filter((r) => r.method === "POST" && r.path === `/repos/${OWNER}/${REPO}/issues`)).toHaveLength(1);
    expect(github.schemaViolations).toEqual([]);
  }, 300_000);
});
