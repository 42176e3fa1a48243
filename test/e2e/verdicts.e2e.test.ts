import { createHash } from "node:crypto";
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

/** Three heuristic metrics gated on regression, so Holm applies; usefulness (an LLM judge) for the judge-noise feature. */
const REGISTRY = `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    experiment_prefix: charter_validation
    metrics: [output_format, is_json, contains]
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { type: string } } }
    metric_settings:
      contains: { substring: verdict }
  primary_first:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    experiment_prefix: charter_primary
    metrics: [output_format, is_json, contains]
    primary_metric: output_format
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { type: string } } }
    metric_settings:
      contains: { substring: verdict }
  judged:
    span_name: charter_validation
    dataset_prefix: judged
    experiment_prefix: judged
    metrics: [usefulness]
`;

let opik: OpikServer;
let github: GitHubServer;
let llm: OpenAIServer;
let workspace: string;

beforeAll(async () => {
  [opik, github, llm] = await Promise.all([startOpikServer(), startGitHubServer(), startOpenAIServer()]);
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-verdicts-"));
  await mkdir(path.join(workspace, ".github"));
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), REGISTRY);
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close(), llm.close()]);
});

const env = { GITHUB_API_URL: "", GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: "gate" };

/** The scheduled run on main: harvests the project's spans and evaluates them, the PR's baseline. */
async function harvest(project: string, inputs: Record<string, string> = {}): Promise<void> {
  const run = await runAction(
    { "opik-url": opik.url, "opik-project": project, "cleanup-errors": "false", "task-provider": "replay", ...inputs },
    { workspace, env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}` } },
  );
  expect(run.exitCode, run.stdout).toBe(0);
}

function prRun(project: string, pr: number, extra: Record<string, string>): Promise<ActionRun> {
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
    { workspace, event: pullRequestEvent(pr, { headRef: "repeat" }), env: { ...env, GITHUB_API_URL: github.url } },
  );
}

interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
}

function promptOf(body: unknown): string {
  return (body as ChatBody).messages.map((m) => m.content).join("\n");
}

function hashBit(text: string): number {
  return (createHash("sha256").update(text).digest()[0] ?? 0) % 2;
}

describe("repeats, flaky items and Holm's correction on a pull request", () => {
  it("runs each item 3 times, reports the spread and the flaky items, writes one experiment item per run, and applies Holm to 3 metrics", async () => {
    const { project } = await seedCharters(opik.url, "verdicts", { fresh: 24 }, 4242);
    await harvest(project);
    // The task model answers in JSON, except on the second run of about half the charters: the same code, different outcomes.
    const seen = new Map<string, number>();
    llm.reply((body) => {
      const prompt = promptOf(body);
      const run = seen.get(prompt) ?? 0;
      seen.set(prompt, run + 1);
      return run % 3 === 1 && hashBit(prompt) === 1 ? "The charter looks valid to me." : JSON.stringify({ verdict: "valid" });
    });
    llm.requests.length = 0;
    const pr = 301;
    const run = await prRun(project, pr, { repeats: "3" });
    expect(run.result, run.stdout).toMatchObject({ mode: "evaluate", status: "success" });
    const items = Number((run.result!.experiment_result as { items_total: number }).items_total);
    expect(items).toBe(24);
    // Three task calls per item, no judge.
    expect(llm.requests).toHaveLength(3 * items);

    // The result JSON: 3 runs per item, a spread on the metric that flips, and the flaky items.
    const repeats = run.result!.repeats as {
      runs_per_item: number;
      spread: Record<string, number>;
      flaky_items: { dataset_item_id: string; metrics: string[] }[];
    };
    expect(repeats.runs_per_item).toBe(3);
    expect(repeats.spread.output_format).toBeGreaterThan(0);
    expect(repeats.flaky_items.length).toBeGreaterThan(2);
    expect(repeats.flaky_items.length).toBeLessThan(items);
    expect(repeats.flaky_items[0]!.metrics).toEqual(expect.arrayContaining(["output_format", "is_json"]));

    // Opik: one experiment item (and trace) per run, each run numbered like the SDK's trial_id.
    const experimentId = String((run.result!.experiment_result as { experiment_id: string }).experiment_id);
    const written = [...opik.store.experimentItems.values()].filter((item) => item.experiment_id === experimentId);
    expect(written).toHaveLength(3 * items);
    const perDatasetItem = new Map<string, number>();
    for (const item of written) perDatasetItem.set(String(item.dataset_item_id), (perDatasetItem.get(String(item.dataset_item_id)) ?? 0) + 1);
    expect(new Set(perDatasetItem.values())).toEqual(new Set([3]));

    // Holm over the three metrics gated on regression, visible in the comment and the summary.
    expect(run.result!.correction).toEqual({ method: "holm", family: ["output_format", "is_json", "contains"], primary: [] });
    const comment = github.comments(pr)[0]!.body;
    for (const text of [comment, run.summary]) {
      expect(text).toContain("Holm's correction over the 3 metrics gated on regression (output\\_format, is\\_json, contains)");
      expect(text).toContain("Repeats: each item ran 3 times");
      expect(text).toMatch(/Spread \(mean SD of an item's runs\): output\\_format 0\.\d{3}/);
      expect(text).toContain(`**Flaky items** (${repeats.flaky_items.length}: the outcome flipped between repeats of the same code)`);
      expect(text).toContain(`🎲 item ${repeats.flaky_items[0]!.dataset_item_id}`);
      expect(text).toContain("Smallest worsening these items detect (80% power)");
    }

    // primary_metric: output_format is tested alone at the full level; Holm corrects the other two.
    const primary = await prRun(project, pr + 1, { "experiment-type": "primary_first", dataset: String(run.result!.dataset_name), baseline: "none" });
    expect(primary.result, primary.stdout).toMatchObject({ status: "success" });
    expect(primary.result!.correction).toBeUndefined();
    const againstMain = await prRun(project, pr + 2, {
      "experiment-type": "primary_first",
      dataset: String(run.result!.dataset_name),
      baseline: String(run.result!.experiment_result && (run.result!.experiment_result as { experiment_name: string }).experiment_name),
    });
    expect(againstMain.result!.correction).toEqual({ method: "holm", family: ["is_json", "contains"], primary: ["output_format"] });
    expect(github.comments(pr + 2)[0]!.body).toContain(
      "Holm's correction over the 2 metrics gated on regression (is\\_json, contains), family-wise error 0.025 one-sided. output\\_format (primary) tested alone at 0.025.",
    );
  });
});

describe("judge noise", () => {
  it("measures the judge's noise on re-judged outputs and lets a change within it pass, where it fails without", async () => {
    const { project } = await seedCharters(opik.url, "judge-noise", { fresh: 6 }, 777);
    const judged = {
      "experiment-type": "judged",
      "judge-provider": "openai",
      "judge-model": "judge-mini",
      "openai-api-key": "sk-j",
      "openai-base-url": llm.url,
    };
    // On main the judge rates every answer 1.
    llm.reply(() => JSON.stringify({ score: 1, reason: "useful" }));
    await harvest(project, judged);

    // On the PR the judge's first word on an output is 1 or 0.7, one in two; asked again about the very same output, it
    // swings between 0.4 and 1: a noisy judge, not a changed answer. Each answer is numbered, so no two outputs share a prompt.
    let judgeCalls = 0;
    let taskCalls = 0;
    const seen = new Map<string, number>();
    llm.reply((body) => {
      if ((body as ChatBody).model !== "judge-mini") return JSON.stringify({ verdict: "valid", answer: ++taskCalls });
      const prompt = promptOf(body);
      judgeCalls += 1;
      if (judgeCalls <= 6) return JSON.stringify({ score: judgeCalls % 2 ? 0.7 : 1, reason: "useful" });
      const count = (seen.get(prompt) ?? 0) + 1;
      seen.set(prompt, count);
      return JSON.stringify({ score: count % 2 ? 0.4 : 1, reason: "useful" });
    });
    const without = await prRun(project, 402, judged);
    expect(without.outputs.verdict, without.summary).toBe("fail-regression");

    seen.clear();
    judgeCalls = 0;
    llm.requests.length = 0;
    const withNoise = await prRun(project, 403, { ...judged, "judge-noise-sample": "3", "judge-repeats": "3" });
    expect(withNoise.outputs.verdict, withNoise.summary.split("## Gate")[1]).toBe("pass");
    expect(withNoise.exitCode).toBe(0);
    // 6 judgments in the run, then 3 outputs judged twice more: the run's own judgment counts as the first of 3.
    expect(llm.requests.filter((r) => (r.body as ChatBody).model === "judge-mini")).toHaveLength(6 + 3 * 2);
    const usage = withNoise.result!.usage as { judge: { calls: number } };
    expect(usage.judge.calls).toBe(6 + 3 * 2);
    const tests = withNoise.result!.metric_tests as Record<string, { judge_noise: { within: boolean; sd: number } }>;
    expect(tests.usefulness!.judge_noise).toMatchObject({ within: true });
    expect(tests.usefulness!.judge_noise.sd).toBeGreaterThan(0);
    expect(github.comments(403)[0]!.body).toMatch(/usefulness: the change is within the judge's own noise ±0\.\d{3}/);
  });
});
