import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { opikReads } from "../support/opik-reads.js";
import { pullRequestEvent } from "../support/pull-request-event.js";

const PROJECT = "refund-bot";
const SUITE = "refund-regressions";

const REGISTRY = `
features:
  refunds:
    span_name: refund_answer
    dataset_prefix: refunds
    task: { prompt_file: prompts/refunds.mustache }
    test_suite: { name: ${SUITE} }
`;

/** What each assertion checks in the loopback judge: a word the output must contain. */
const KEYWORDS: Record<string, string> = {
  "Is polite": "thank you",
  "Mentions the 30-day window": "30 days",
  "Asks for the receipt": "receipt",
  "Gives a tracking link": "track",
};

interface ChatBody {
  messages: Array<{ role: string; content: string }>;
}

let opik: OpikServer;
let github: GitHubServer;
let llm: OpenAIServer;
let workspace: string;
/** Task answers per question; the scarf answers differently on its second call, so one of its three runs fails. */
let socksAnswer = "Thank you for asking! Socks can be returned within 30 days.";
const scarfCalls = { count: 0 };

function taskAnswer(prompt: string): string {
  if (prompt.includes("shoes")) return "Thank you! Shoes can be returned within 30 days.";
  if (prompt.includes("hat")) return "Thank you! Hats go back within 30 days; please bring the receipt.";
  if (prompt.includes("socks")) return socksAnswer;
  if (prompt.includes("scarf")) {
    scarfCalls.count += 1;
    return scarfCalls.count % 3 === 2 ? "Thank you! Scarves are final sale." : "Thank you! Scarves: 30 days.";
  }
  if (prompt.includes("parcel")) return "Thank you! Track it at https://track.example/1; returns take 30 days.";
  return "Thank you! Gloves can be returned within 30 days.";
}

/** The suite judge, answered from the SDK's prompt: each listed assertion passes when the output has its keyword. */
function judgeAnswer(user: string): string {
  const output = /---BEGIN OUTPUT---\n([\s\S]*?)\n---END OUTPUT---/.exec(user)?.[1]?.toLowerCase() ?? "";
  const answers: Record<string, unknown> = {};
  for (const [, key, assertion] of user.matchAll(/^- `(assertion_\d+)`: (.+)$/gm)) {
    const keyword = KEYWORDS[assertion ?? ""] ?? "";
    const found = output.includes(keyword);
    answers[key ?? ""] = { score: found, reason: found ? `the output says "${keyword}"` : `the output never says "${keyword}"`, confidence: 0.9 };
  }
  return JSON.stringify(answers);
}

beforeAll(async () => {
  [opik, github, llm] = await Promise.all([startOpikServer(), startGitHubServer(), startOpenAIServer()]);
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-suite-"));
  await mkdir(path.join(workspace, ".github"));
  await mkdir(path.join(workspace, "prompts"));
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), REGISTRY);
  await writeFile(path.join(workspace, "prompts", "refunds.mustache"), "Answer the customer's refund question politely.\n\n{{input}}");
  llm.reply((body) => {
    const messages = (body as ChatBody).messages;
    const system = messages.find((m) => m.role === "system")?.content ?? "";
    const user = messages.find((m) => m.role === "user")?.content ?? "";
    return system.startsWith("You are an expert judge tasked with evaluating if an AI agent's output satisfies a set of assertions")
      ? judgeAnswer(user)
      : taskAnswer(user);
  });

  await createRefundSuite(opik);
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close(), llm.close()]);
});

/** The suite, created as a user would with the unmodified SDK. */
async function createRefundSuite(server: OpikServer): Promise<void> {
  process.env.OPENAI_API_KEY ??= "sk-sdk-not-called";
  const client = new Opik({ apiUrl: server.url, apiKey: "k", workspaceName: "default", projectName: PROJECT, batchDelayMs: 10 });
  const suite = await client.createTestSuite({
    name: SUITE,
    projectName: PROJECT,
    globalAssertions: ["Is polite", "Mentions the 30-day window"],
    globalExecutionPolicy: { runsPerItem: 3, passThreshold: 2 },
  });
  await suite.insert([
    { data: { input: "Can I return shoes?" } },
    { data: { input: "Can I return a hat?" }, assertions: ["Asks for the receipt"] },
    { data: { input: "Can I return socks?" }, description: "socks" },
    { data: { input: "Can I return a scarf?" } },
    // Its own assertions add to the suite's; its own policy replaces the suite's.
    { data: { input: "Where is my parcel?" }, assertions: ["Gives a tracking link"], executionPolicy: { runsPerItem: 1, passThreshold: 1 } },
    { data: { input: "Can I return gloves?" } },
  ]);
  await client.flush();
}

const env = { GITHUB_API_URL: "", GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: "suite" };

function baseInputs(extra: Record<string, string> = {}, server: OpikServer = opik): Record<string, string> {
  return {
    "opik-url": server.url,
    "opik-project": PROJECT,
    "experiment-type": "refunds",
    "task-provider": "openai",
    "openai-api-key": "sk-test",
    "openai-base-url": llm.url,
    "github-token": "ghs_test_token",
    ...extra,
  };
}

/** The scheduled run on main, whose suite run is the pull request's baseline. */
function mainRun(server: OpikServer = opik): Promise<ActionRun> {
  return runAction(baseInputs({ mode: "evaluate" }, server), {
    workspace,
    env: { ...env, GITHUB_EVENT_NAME: "schedule", GITHUB_REF_NAME: "main", GITHUB_SHA: "c".repeat(40) },
  });
}

function pullRequestRun(pr: number, extra: Record<string, string> = {}, server: OpikServer = opik): Promise<ActionRun> {
  return runAction(baseInputs(extra, server), {
    workspace,
    event: pullRequestEvent(pr, { headRef: "shorter-answers", headSha: "d".repeat(40) }),
    env: { ...env, GITHUB_API_URL: github.url },
  });
}

interface SuiteJson {
  pass_rate: number;
  items_passed: number;
  items_failed: number;
  baseline: { experiment_name: string; pass_rate: number } | null;
  experiment_id: string;
  experiment_name: string;
  items: {
    input: string;
    passed: boolean;
    flaky: boolean;
    runs_passed: number;
    runs_per_item: number;
    pass_threshold: number;
    baseline_passed: boolean | null;
  }[];
}

describe("gating a pull request on an Opik test suite", () => {
  it("runs every item × runs_per_item, judges each assertion, gates on the pass rate and the baseline, and comments", async () => {
    const baseline = await mainRun();
    expect(baseline.exitCode, baseline.stdout + baseline.stderr).toBe(0);
    expect(baseline.outputs).toMatchObject({ verdict: "pass", "pass-rate": "1", "items-passed": "6", "items-failed": "0" });

    // The pull request's prompt answers socks without the window: socks fails now, and passed on main.
    socksAnswer = "No, thank you.";
    const run = await pullRequestRun(42);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: "fail-threshold", passed: "false", "pass-rate": "0.833333", "items-passed": "5", "items-failed": "1" });
    const suite = run.result!.test_suite as SuiteJson;
    const byInput = Object.fromEntries(suite.items.map((i) => [i.input, i]));
    expect(byInput["Can I return shoes?"]).toMatchObject({ passed: true, flaky: false, runs_passed: 3, runs_per_item: 3, pass_threshold: 2 });
    expect(byInput["Can I return a hat?"]).toMatchObject({ passed: true, runs_passed: 3 });
    expect(byInput["Can I return socks?"]).toMatchObject({ passed: false, flaky: false, runs_passed: 0, baseline_passed: true });
    expect(byInput["Can I return a scarf?"]).toMatchObject({ passed: true, flaky: true, runs_passed: 2 });
    expect(byInput["Where is my parcel?"]).toMatchObject({ passed: true, runs_passed: 1, runs_per_item: 1, pass_threshold: 1 });
    expect(byInput["Can I return gloves?"]).toMatchObject({ passed: true });
    expect(suite.baseline).toMatchObject({ pass_rate: 1 });
    expect(run.summary).toContain("1 item(s) passed on the baseline");

    // The comment: failing item, its output and the failed assertion with the judge's reason; pass rate and baseline; the flaky item.
    const [comment] = github.comments(42);
    expect(comment?.body).toContain("Pass rate **83.3%** (5 of 6 item(s) with assertions; min-pass-rate 100%) · baseline 100%");
    expect(comment?.body).toContain("- **Can I return socks?** · regressed (passed on the baseline) · 0/3 runs passed, needs 2");
    expect(comment?.body).toContain("output (run 1): No, thank you.");
    expect(comment?.body).toContain('❌ Mentions the 30-day window: the output never says "30 days"');
    expect(comment?.body).toContain("- **Can I return a scarf?** · ⚠️ flaky · 2/3 runs passed, needs 2");
    expect(run.summary).toContain("Failing items (1):");

    // The experiment, read back from Opik: a run of the suite's current version, with the prompt version, as runTests records it.
    const suiteDataset = [...opik.store.datasets.values()].find((d) => d.name === SUITE)!;
    const experiment = opik.store.experiments.get(suite.experiment_id)!;
    const latestVersion = opik.store.versionsOfDataset(suiteDataset.id)[0]!;
    expect(experiment).toMatchObject({
      dataset_id: suiteDataset.id,
      evaluation_method: "evaluation_suite",
      dataset_version_id: latestVersion.id,
      type: "regular",
    });
    expect(experiment.prompt_versions).toHaveLength(1);
    const promptVersion = opik.store.promptVersions.get(experiment.prompt_versions![0]!.id);
    expect(promptVersion?.template).toContain("{{input}}");
    expect(experiment.metadata).toMatchObject({
      test_suite: SUITE,
      branch: "shorter-answers",
      pr_number: 42,
      prompts: { refunds: promptVersion?.template },
    });
    const items = [...opik.store.experimentItems.values()].filter((i) => i.experiment_id === experiment.id);
    expect(items).toHaveLength(5 * 3 + 1);
    const socksItem = [...opik.store.datasetItems.values()].find((i) => (i.data as { input?: string }).input === "Can I return socks?")!;
    const socksRun = items.find((i) => i.dataset_item_id === socksItem.id)!;
    const trace = opik.store.traces.get(socksRun.trace_id)!;
    expect(trace).toMatchObject({
      name: "evaluation_task",
      input: { id: socksItem.id, input: "Can I return socks?" },
      output: { input: "Can I return socks?", output: "No, thank you." },
    });
    // Each verdict is an assertion result of the run's trace, as runTests records it, and no feedback score; Opik
    // derives the run's status and the experiment's pass figures from them, and they agree with the action's outputs.
    const reads = opikReads(opik.url, PROJECT);
    const streamed = await reads.experimentItems({ name: experiment.name, id: experiment.id });
    const socksRow = streamed.find((row) => row.trace_id === trace.id)!;
    expect(socksRow).toMatchObject({
      status: "failed",
      assertion_results: [
        { value: "Is polite", passed: true, reason: 'the output says "thank you"' },
        { value: "Mentions the 30-day window", passed: false, reason: 'the output never says "30 days"' },
      ],
    });
    expect(socksRow.feedback_scores ?? []).toEqual([]);
    expect(streamed.filter((row) => row.status === "failed")).toHaveLength(3 + 1);
    const recorded = await reads.experiment(experiment.id);
    expect(recorded).toMatchObject({ evaluation_method: "evaluation_suite", passed_count: 5, total_count: 6 });
    expect((recorded.pass_rate as number).toFixed(6)).toBe(run.outputs["pass-rate"]);
    // The window assertion is on every item: 16 runs, of which socks' 3 and one of the scarf's fail it.
    const windowScore = (recorded.assertion_scores as Array<{ name: string; value: number }>).find((s) => s.name === "Mentions the 30-day window");
    expect(windowScore?.value).toBeCloseTo(12 / 16, 6);

    // A rerun of the same commit rewrites the same experiment, traces and scores instead of adding new ones.
    const experimentsBefore = opik.store.experiments.size;
    const rerun = await pullRequestRun(42, { "min-pass-rate": "0.8", "fail-on": "fail-threshold, error" });
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(rerun.outputs).toMatchObject({ verdict: "fail-regression", "pass-rate": "0.833333" });
    expect(opik.store.experiments.size).toBe(experimentsBefore);
    expect([...opik.store.experimentItems.values()].filter((i) => i.experiment_id === experiment.id)).toHaveLength(16);
    expect(github.comments(42)).toHaveLength(1);
  });

  it("on a backend older than assertion results, writes the verdicts as suite_assertion scores, as the SDK falls back, and gates alike", async () => {
    const older = await startOpikServer({ assertionResults: false });
    try {
      await createRefundSuite(older);
      socksAnswer = "Thank you for asking! Socks can be returned within 30 days.";
      const main = await mainRun(older);
      expect(main.exitCode, main.stdout + main.stderr).toBe(0);
      expect(main.outputs).toMatchObject({ verdict: "pass", "pass-rate": "1" });
      socksAnswer = "No, thank you.";
      const run = await pullRequestRun(45, {}, older);
      expect(run.outputs).toMatchObject({ verdict: "fail-threshold", "pass-rate": "0.833333", "items-failed": "1" });
      // The baseline's verdicts are read back from the scores: socks passed on main and fails now.
      const suite = run.result!.test_suite as SuiteJson;
      expect(suite.items.find((i) => i.input === "Can I return socks?")).toMatchObject({ passed: false, baseline_passed: true });

      // Each run asks once, learns from the 404, and writes every verdict as a trace score instead.
      expect(older.requests.filter((r) => r.path === "/v1/private/assertion-results")).toHaveLength(2);
      const reads = opikReads(older.url, PROJECT);
      const rows = await reads.experimentItems({ name: suite.experiment_name, id: suite.experiment_id });
      expect(rows).toHaveLength(16);
      expect(rows.every((row) => row.assertion_results === undefined)).toBe(true);
      const socksTrace = rows.find((row) => (row.input as { input?: string }).input === "Can I return socks?")!.trace_id as string;
      const trace = (await (await fetch(`${older.url}/v1/private/traces/${socksTrace}`)).json()) as { feedback_scores: Array<Record<string, unknown>> };
      expect(trace.feedback_scores.map((s) => [s.name, s.value, s.category_name, s.reason])).toEqual([
        ["Is polite", 1, "suite_assertion", 'the output says "thank you"'],
        ["Mentions the 30-day window", 0, "suite_assertion", 'the output never says "30 days"'],
      ]);
    } finally {
      await older.close();
    }
  });

  it("rejects a min-pass-rate outside 0..1 before any work, and reports a suite that does not exist", async () => {
    const bad = await pullRequestRun(43, { "min-pass-rate": "1.5" });
    expect(bad.exitCode).toBe(1);
    expect(bad.result!.errors).toEqual([expect.stringContaining('min-pass-rate: expected a number from 0 to 1, e.g. 0.9 (got "1.5")')]);
    const missing = await pullRequestRun(44, { "test-suite": "nowhere" });
    expect(missing.exitCode).toBe(1);
    expect((missing.result!.errors as string[])[0]).toContain('test-suite: no test suite "nowhere"');
  });
});
