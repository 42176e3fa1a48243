import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { binaryScores, historySeeder, type HistorySeeder } from "../support/drift-history.js";
import { makeWorkspace, seedCharters } from "../support/e2e-fixtures.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";

/**
 * Drift alerts end to end: a feature's scheduled runs seeded in the embedded Opik (datasets, experiments, evaluation
 * traces with output_format scores), then the action run on schedule with nothing new to harvest, so its drift check
 * reads exactly that history, against the loopback GitHub API.
 */

let opik: OpikServer;
let github: GitHubServer;
let workspace: string;

beforeAll(async () => {
  opik = await startOpikServer();
  workspace = await makeWorkspace("drift");
});
afterAll(async () => {
  await opik.close();
});
beforeEach(async () => {
  github = await startGitHubServer();
});
afterEach(async () => {
  expect(github.schemaViolations).toEqual([]);
  await github.close();
});

/** A project with one old span (so it exists) and nothing to harvest, plus a seeder for its history. */
async function feature(name: string): Promise<{ project: string; history: HistorySeeder }> {
  const { project } = await seedCharters(opik.url, name, { outsideWindow: 1 }, 7);
  return { project, history: historySeeder(opik.url, project) };
}

function scheduled(project: string, extra: Record<string, string> = {}): Promise<ActionRun> {
  return runAction(
    { "opik-url": opik.url, "opik-project": project, "task-provider": "replay", "github-token": "ghs_test_token", "cleanup-errors": "false", ...extra },
    { workspace, env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "scheduled-evals", GITHUB_JOB: "evaluate" } },
  );
}

const GOOD = 0.92;
const BAD = 0.55;
const ITEMS = 40;

async function seedRuns(history: HistorySeeder, count: number, rate: number): Promise<void> {
  for (let i = 0; i < count; i++) await history.addRun(binaryScores(ITEMS, rate, 100 + history.runs));
}

function openIssues() {
  return github.issues().filter((issue) => issue.state === "open");
}

describe("drift alerts as one GitHub issue per feature", () => {
  it("opens one issue when drift starts, edits it while drift lasts, and comments and closes it on recovery", async () => {
    const { project, history } = await feature("drift-cycle");
    await seedRuns(history, 24, GOOD);
    await seedRuns(history, 6, BAD);

    const first = await scheduled(project);
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({ drift: "drifting", "drift-metrics": "output_format" });
    expect(first.result?.drift).toMatchObject({
      state: "drifting",
      metrics: ["output_format"],
      recent_runs: 6,
      reference_runs: 24,
      issue: { action: "opened" },
    });
    expect(first.summary).toContain("## Drift");
    expect(first.summary).toContain("🔴 Drifting: `output_format`");
    const [issue] = github.issues();
    expect(github.issues()).toHaveLength(1);
    expect(issue).toMatchObject({ title: "Opik evaluation drift: charter_optimization", labels: ["opik-drift"], state: "open" });
    expect(issue!.body).toContain("<!-- opik-evaluate-drift feature=charter_optimization -->");
    expect(issue!.body).toContain("### Worst new items");
    expect(issue!.body).toMatch(
      /\| output_format \| 0\.000 \| `[0-9a-f-]{36}` \| \[charter_validation-eval-20260105-\d{6}\]\(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/session\/redirect\/experiments\/\?experiment_id=/,
    );
    expect(issue!.body).toMatch(/🔴 output_format \| metric \| higher \| 0\.9\d\d \| 0\.5\d\d \| 0\.[34]\d\d \| 0\.\d{3} to 0\.\d{3}/);

    // Still drifting a run later: the same issue, its body edited, no comment (no new metric), no second issue.
    await seedRuns(history, 1, BAD);
    const bodyBefore = issue!.body;
    const second = await scheduled(project);
    expect(second.outputs).toMatchObject({ drift: "drifting", "drift-metrics": "output_format" });
    expect(second.result?.drift).toMatchObject({ issue: { action: "updated" } });
    expect(github.issues()).toHaveLength(1);
    expect(github.issues()[0]!.body).not.toBe(bodyBefore);
    expect(github.comments(issue!.number)).toHaveLength(0);

    // Good runs again: the recent window fills with them until the check lets go, and that run says recovered.
    const states: string[] = [];
    for (let i = 0; i < 8 && states.at(-1) !== "recovered"; i++) {
      await seedRuns(history, 1, GOOD);
      const run = await scheduled(project);
      expect(run.exitCode, run.stdout).toBe(0);
      states.push(run.outputs.drift ?? "");
    }
    expect(states.at(-1)).toBe("recovered");
    expect(states.slice(0, -1).every((state) => state === "drifting")).toBe(true);
    expect(github.issues()[0]).toMatchObject({ state: "closed", stateReason: "completed" });
    const comments = github.comments(issue!.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("Recovered");
    const closing = github.requests.filter((r) => r.method === "PATCH" && r.path === `/repos/${OWNER}/${REPO}/issues/${issue!.number}`).at(-1);
    expect(closing?.body).toMatchObject({ state: "closed", state_reason: "completed" });
  }, 240_000);

  it("opens no issue on a stable noisy history of 50 runs, checked as the schedule reaches runs 30, 35, 40, 45 and 50", async () => {
    const { project, history } = await feature("drift-stable");
    for (const upTo of [30, 35, 40, 45, 50]) {
      while (history.runs < upTo) await history.addRun(binaryScores(ITEMS, GOOD, 5000 + history.runs));
      const run = await scheduled(project);
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs, `after ${upTo} runs`).toMatchObject({ drift: "none", "drift-metrics": "" });
      expect(run.summary).toContain("🟢 No drift");
    }
    expect(github.issues()).toHaveLength(0);
    expect(github.requests.filter((r) => r.method !== "GET")).toEqual([]);
  }, 240_000);

  it("keeps one open issue when two scheduled runs overlap", async () => {
    const { project, history } = await feature("drift-overlap");
    await seedRuns(history, 24, GOOD);
    await seedRuns(history, 6, BAD);
    const runs = await Promise.all([scheduled(project), scheduled(project)]);
    for (const run of runs) expect(run.outputs.drift, run.stdout).toBe("drifting");
    expect(openIssues()).toHaveLength(1);
    expect(openIssues()[0]!.number).toBe(Math.min(...github.issues().map((i) => i.number)));
    for (const closed of github.issues().filter((i) => i.state === "closed")) expect(closed.stateReason).toBe("duplicate");
  }, 120_000);

  it("warns without issues: write (403) and does not fail the step", async () => {
    const { project, history } = await feature("drift-forbidden");
    await seedRuns(history, 24, GOOD);
    await seedRuns(history, 6, BAD);
    github.forbid("writes");
    const run = await scheduled(project);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.outputs.drift).toBe("drifting");
    expect(run.stdout).toMatch(/::warning::Could not keep the drift issue for charter_optimization \(HTTP 403\).*issues: write/);
    expect(run.summary).toContain("🔴 Drifting");
    expect(github.issues()).toHaveLength(0);
  }, 120_000);

  it("leaves issues alone when drift-issue is false", async () => {
    const { project, history } = await feature("drift-off");
    await seedRuns(history, 24, GOOD);
    await seedRuns(history, 6, BAD);
    const run = await scheduled(project, { "drift-issue": "false", "drift-window": "5", "drift-reference": "20", "drift-min-effect": "0.5" });
    expect(run.exitCode, run.stdout).toBe(0);
    // A minimum effect of 0.5 is more than the drop (about 0.37): no drift; the windows are the inputs'.
    expect(run.result?.drift).toMatchObject({ state: "none", window: 5, reference: 20, min_effect: 0.5, recent_runs: 5, reference_runs: 20 });
    expect(github.requests).toEqual([]);
  }, 120_000);
});
