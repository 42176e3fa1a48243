import { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { buildSample, ingestSample, type Sample } from "../../scripts/sample-data.js";
// By relative path: the server as this branch has it.
import { startOpikServer, type OpikServer } from "opik-local-server";
import { makeWorkspace, ONLY_FRESH } from "../support/e2e-fixtures.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { pullRequestEvent } from "../support/pull-request-event.js";

/**
 * Issue 10's loop: scheduled runs promote the production outputs that failed into the feature's test suite; a pull
 * request that still answers badly fails on those cases, and a push that fixes the behaviour turns them green in the
 * same sticky comment.
 */

const SUITE = "charter-loop-regressions";
const IS_JSON = "The reply is a JSON object with a verdict";
const VERDICT_ENUM = "The verdict is one of valid, invalid or needs_review";
const VERDICTS = ["valid", "invalid", "needs_review"];

const REGISTRY = `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: loop-charters
    experiment_prefix: loop
    metrics: [output_format]
    output_format:
      json_schema: { type: object, required: [verdict, reason], properties: { verdict: { enum: [valid, invalid, needs_review] }, reason: { type: string } } }
    test_suite:
      name: ${SUITE}
      promote: { output_format: { min: 0.5 } }
      assertions: ${JSON.stringify([IS_JSON, VERDICT_ENUM])}
      execution_policy: { runs_per_item: 2, pass_threshold: 2 }
`;

/** What production recorded: a valid verdict, or prose where JSON was asked for. */
const GOOD = { content: JSON.stringify({ verdict: "valid", reason: "Checked against the model charter." }) };
const PROSE = { content: "The charter looks fine to me." };

interface ChatBody {
  messages: Array<{ role: string; content: string }>;
}

/** The task model's behaviour: production's (prose) until the pull request fixes it. */
let taskFixed = false;

function taskAnswer(user: string): string {
  if (!taskFixed) return "I read the charter and it looks fine to me.";
  return JSON.stringify({ verdict: "valid", reason: `Checked: ${user.slice(0, 40)}` });
}

/** The text between the SDK judge prompt's markers. */
function section(user: string, name: "INPUT" | "OUTPUT"): string {
  return new RegExp(`---BEGIN ${name}---\\n([\\s\\S]*?)\\n---END ${name}---`).exec(user)?.[1] ?? "";
}

/** The loopback suite judge: checks each listed assertion against the output text it was given. */
function judgeAnswer(user: string): string {
  const output = section(user, "OUTPUT");
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    parsed = undefined;
  }
  const verdict = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { verdict?: unknown }).verdict : undefined;
  const check = (assertion: string): { score: boolean; reason: string } => {
    if (parsed === undefined) return { score: false, reason: `the reply is prose, not JSON: "${output}"` };
    if (assertion === IS_JSON)
      return verdict === undefined ? { score: false, reason: "the JSON object has no verdict" } : { score: true, reason: "a JSON object with a verdict" };
    if (assertion === VERDICT_ENUM)
      return VERDICTS.includes(String(verdict))
        ? { score: true, reason: `the verdict is ${String(verdict)}` }
        : { score: false, reason: `verdict ${String(verdict)}` };
    return { score: false, reason: `unknown assertion ${assertion}` };
  };
  const answers: Record<string, unknown> = {};
  for (const [, key, assertion] of user.matchAll(/^- `(assertion_\d+)`: (.+)$/gm)) answers[key ?? ""] = { ...check(assertion ?? ""), confidence: 0.9 };
  return JSON.stringify(answers);
}

let opik: OpikServer;
let github: GitHubServer;
let llm: OpenAIServer;
/** The judge prompts' INPUT sections, to prove the gate judged the promoted items' recorded inputs. */
const judgedInputs: string[] = [];

beforeAll(async () => {
  // The SDK builds an LLM judge object when it reads a suite's assertions back; it is never called.
  process.env.OPENAI_API_KEY ??= "sk-sdk-not-called";
  [opik, github, llm] = await Promise.all([startOpikServer(), startGitHubServer(), startOpenAIServer()]);
  llm.reply((body) => {
    const messages = (body as ChatBody).messages;
    const system = messages.find((m) => m.role === "system")?.content ?? "";
    const user = messages.findLast((m) => m.role === "user")?.content ?? "";
    if (!system.startsWith("You are an expert judge tasked with evaluating if an AI agent's output satisfies a set of assertions")) return taskAnswer(user);
    judgedInputs.push(section(user, "INPUT"));
    return judgeAnswer(user);
  });
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close(), llm.close()]);
});

const PROJECT = `loop-${Date.now()}`;

/** `outputs.length` new charter spans, with these recorded outputs. */
async function seedSpans(outputs: readonly unknown[], seed: number): Promise<Sample> {
  const sample = buildSample({
    project: PROJECT,
    spanName: "charter_validation",
    now: new Date(),
    lookbackHours: 24,
    seed,
    ...ONLY_FRESH,
    fresh: outputs.length,
  });
  sample.spans.forEach((span, index) => {
    (span as { output: unknown }).output = outputs[index];
  });
  await ingestSample(opik.url, sample);
  return sample;
}

const env = { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: "loop" };

/** The nightly harvest on main: replay, so the recorded outputs are what is scored. */
function scheduledRun(workspace: string): Promise<ActionRun> {
  return runAction(
    { "opik-url": opik.url, "opik-project": PROJECT, "task-provider": "replay", "max-items": "1000" },
    { workspace, env: { ...env, GITHUB_EVENT_NAME: "schedule", GITHUB_REF_NAME: "main", GITHUB_SHA: "c".repeat(40) } },
  );
}

const modelInputs = (): Record<string, string> => ({
  "opik-url": opik.url,
  "opik-project": PROJECT,
  "experiment-type": "charter_optimization",
  "task-provider": "openai",
  "openai-api-key": "sk-test",
  "openai-base-url": llm.url,
  "github-token": "ghs_test_token",
});

/** main's evaluate run of the suite with production's model: the baseline a pull request is compared with. */
function mainSuiteRun(workspace: string): Promise<ActionRun> {
  return runAction(
    { ...modelInputs(), mode: "evaluate" },
    { workspace, env: { ...env, GITHUB_EVENT_NAME: "schedule", GITHUB_REF_NAME: "main", GITHUB_SHA: "c".repeat(40) } },
  );
}

function pullRequestRun(workspace: string, pr: number, headSha: string): Promise<ActionRun> {
  return runAction(modelInputs(), {
    workspace,
    event: pullRequestEvent(pr, { headRef: "json-verdicts", headSha }),
    env: { ...env, GITHUB_API_URL: github.url },
  });
}

/** The suite as the unmodified SDK reads it. */
async function readSuite() {
  const client = new Opik({ apiUrl: opik.url, apiKey: "test-key", workspaceName: "default", projectName: PROJECT });
  const suite = await client.getTestSuite(SUITE, PROJECT);
  return { items: await suite.getItems(), assertions: await suite.getGlobalAssertions() };
}

interface SuiteJson {
  pass_rate: number;
  baseline: { pass_rate: number } | null;
  items: { input: string; passed: boolean; runs_passed: number; runs_per_item: number; baseline_passed: boolean | null }[];
}

/** The user message a span recorded: what the suite item's input shows and the task answers. */
function charterOf(sample: Sample, spanId: string): string {
  const span = sample.spans.find((s) => s.id === spanId) as { input: { messages: Array<{ role: string; content: string }> } };
  return span.input.messages.findLast((m) => m.role === "user")!.content;
}

describe("issue 10's loop: production failures become regression cases a pull request turns green", () => {
  it("promotes exactly the failing spans, fails a pull request still answering badly, and passes the push that fixes it", async () => {
    const workspace = await makeWorkspace("loop", { ".github/opik-evaluate.yml": REGISTRY });

    // Two nights of production traffic, some of whose outputs are prose instead of the JSON verdict asked for.
    const night1 = await seedSpans([GOOD, PROSE, GOOD, PROSE, GOOD], 11);
    const run1 = await scheduledRun(workspace);
    expect(run1.exitCode, run1.stdout + run1.stderr).toBe(0);
    const night2 = await seedSpans([PROSE, GOOD, GOOD], 12);
    const run2 = await scheduledRun(workspace);
    expect(run2.exitCode, run2.stdout + run2.stderr).toBe(0);
    expect(run2.result!.dataset_name).not.toBe(run1.result!.dataset_name);

    const failing = [night1, night2].flatMap((sample) =>
      sample.spans.filter((s) => (s as { output: unknown }).output === PROSE).map((s) => ({ sample, id: String(s.id) })),
    );
    expect(failing).toHaveLength(3);
    const promotedIds = [run1, run2].flatMap((run) => (run.result!.promoted as { items: Array<{ span_id: string }> }).items.map((item) => item.span_id));
    expect([...promotedIds].sort()).toEqual(failing.map((f) => f.id).sort());

    // The suite, read with the SDK: exactly the promoted spans, with their recorded input and the failure as context.
    const promoted = await readSuite();
    expect(promoted.assertions).toEqual([IS_JSON, VERDICT_ENUM]);
    expect(promoted.items.map((item) => item.data.source_span_id).sort()).toEqual(failing.map((f) => f.id).sort());
    for (const item of promoted.items) {
      const source = failing.find((f) => f.id === item.data.source_span_id)!;
      const span = source.sample.spans.find((s) => s.id === source.id) as { input: unknown };
      expect(item.data).toMatchObject({ input: span.input, context: PROSE });
    }
    const suiteDataset = [...opik.store.datasets.values()].find((d) => d.name === SUITE)!;
    const versionsAfterPromotion = opik.store.versionsOfDataset(suiteDataset.id).length;
    const charters = failing.map((f) => charterOf(f.sample, f.id));

    // main's run of the suite with production's model: every promoted case fails there, the baseline.
    const main = await mainSuiteRun(workspace);
    expect(main.outputs, main.stdout + main.stderr).toMatchObject({ "pass-rate": "0", "items-passed": "0", "items-failed": "3" });

    // The pull request before its fix: the promoted cases fail, with the judge's reasons, and the gate fails.
    judgedInputs.length = 0;
    const before = await pullRequestRun(workspace, 7, "d".repeat(40));
    expect(before.exitCode, before.stdout + before.stderr).toBe(1);
    expect(before.outputs).toMatchObject({ verdict: "fail-threshold", passed: "false", "pass-rate": "0", "items-passed": "0", "items-failed": "3" });
    const failed = before.result!.test_suite as SuiteJson;
    expect(failed.items.map((item) => item.input).sort()).toEqual([...charters].sort());
    for (const item of failed.items) expect(item).toMatchObject({ passed: false, runs_passed: 0, runs_per_item: 2, baseline_passed: false });
    // The judge was given each promoted case's recorded input, every run of it.
    for (const charter of charters) expect(judgedInputs.filter((input) => input.includes(charter)).length).toBeGreaterThanOrEqual(2);
    const [firstComment] = github.comments(7);
    expect(github.comments(7)).toHaveLength(1);
    expect(firstComment!.body).toContain("Pass rate **0%** (0 of 3 item(s) with assertions; min-pass-rate 100%) · baseline 0%");
    expect(firstComment!.body).toContain("Failing items (3):");
    for (const charter of new Set(charters)) expect(firstComment!.body).toContain(`- **${charter}** · 0/2 runs passed, needs 2`);
    expect(firstComment!.body).toContain("output (run 1): I read the charter and it looks fine to me.");
    expect(firstComment!.body).toContain(`❌ ${IS_JSON}: the reply is prose, not JSON: "I read the charter and it looks fine to me."`);
    // Markdown-escaped in the comment.
    expect(firstComment!.body).toContain(`❌ ${VERDICT_ENUM.replace("_", "\\_")}: the reply is prose, not JSON`);

    // The push that fixes it: the same cases pass, in the same comment, against the baseline.
    taskFixed = true;
    const after = await pullRequestRun(workspace, 7, "e".repeat(40));
    expect(after.exitCode, after.stdout + after.stderr).toBe(0);
    expect(after.outputs).toMatchObject({ verdict: "pass", passed: "true", "pass-rate": "1", "items-passed": "3", "items-failed": "0" });
    const fixed = after.result!.test_suite as SuiteJson;
    expect(fixed.items.map((item) => item.input).sort()).toEqual([...charters].sort());
    for (const item of fixed.items) expect(item).toMatchObject({ passed: true, runs_passed: 2, baseline_passed: false });
    expect(fixed.baseline).toMatchObject({ pass_rate: 0 });
    const comments = github.comments(7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(firstComment!.id);
    expect(comments[0]!.updatedAt > comments[0]!.createdAt).toBe(true);
    const body = comments[0]!.body;
    expect(body).toContain("Pass rate **100%** (3 of 3 item(s) with assertions; min-pass-rate 100%) · baseline 0%");
    expect(body).not.toContain("Failing items");
    expect(body).toContain("Fixed since the baseline (3):");
    for (const charter of new Set(charters)) expect(body).toContain(`- **${charter}** · ✅ fixed (failed on the baseline) · 2/2 runs passed, needs 2`);

    // Gating added nothing to the suite: the same items, no new version.
    const afterGate = await readSuite();
    expect(afterGate.items.map((item) => item.id).sort()).toEqual(promoted.items.map((item) => item.id).sort());
    expect(opik.store.versionsOfDataset(suiteDataset.id)).toHaveLength(versionsAfterPromotion);
  }, 180_000);
});
