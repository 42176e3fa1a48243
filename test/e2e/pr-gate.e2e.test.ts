import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, seedCharters } from "../support/e2e-fixtures.js";
import { runAction, type ActionRun } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { pullRequestEvent } from "../support/pull-request-event.js";

/** The registry a repository keeps; the PR evaluates its own prompt file against the harvested dataset. */
const REGISTRY = `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-optimization
    experiment_prefix: charter_validation
    metrics: [output_format]
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { type: string } } }
`;

let opik: OpikServer;
let github: GitHubServer;
let llm: OpenAIServer;
let workspace: string;
let counter = 0;

beforeAll(async () => {
  [opik, github, llm] = await Promise.all([startOpikServer(), startGitHubServer(), startOpenAIServer()]);
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-pr-"));
  await mkdir(path.join(workspace, ".github"));
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), REGISTRY);
});
afterAll(async () => {
  await Promise.all([opik.close(), github.close(), llm.close()]);
});

/** A project with a harvested dataset and its scheduled experiment on main: the PR's baseline. */
async function harvestedProject(fresh = 24, task: Record<string, string> = { "task-provider": "replay" }, seed = 1000 + counter + 1): Promise<string> {
  counter += 1;
  const { project } = await seedCharters(opik.url, "pr-gate", { fresh }, seed);
  const harvest = await runAction(
    { "opik-url": opik.url, "opik-project": project, "cleanup-errors": "false", ...task },
    { workspace, env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}` } },
  );
  expect(harvest.exitCode, harvest.stdout).toBe(0);
  expect(harvest.outputs.verdict).toBe("pass");
  return project;
}

/** The PR's task: a model answering from the PR's prompt, scripted per test. */
function prRun(project: string, pr: number, extra: Record<string, string> = {}, options: { fork?: boolean; workspace?: string } = {}): Promise<ActionRun> {
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
      workspace: options.workspace ?? workspace,
      event: pullRequestEvent(pr, options),
      env: { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_WORKFLOW: "evals", GITHUB_JOB: "gate" },
    },
  );
}

describe("gating a pull request on eval scores", () => {
  it("evaluates the latest dataset without touching production data, compares with main's experiment, and keeps one comment", async () => {
    const project = await harvestedProject();
    const pr = 101;
    const datasetsBefore = opik.store.datasets.size;
    const addedToDatasetMarks = (): number => [...opik.store.feedbackScores.values()].filter((s) => (s as { name: string }).name === "added_to_dataset").length;
    const marksBefore = addedToDatasetMarks();
    expect(marksBefore).toBeGreaterThan(0);

    // A real regression: the PR's prompt makes the model answer in prose.
    llm.reply(() => "The charter looks valid to me.");
    const first = await prRun(project, pr);
    expect(first.result).toMatchObject({
      mode: "evaluate",
      status: "success",
      spans_new: 0,
      cleanup_result: null,
      cleanup: { state: "not-run" },
      spans_counted: false,
    });
    expect(first.outputs).toMatchObject({ verdict: "fail-regression", passed: "false" });
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toMatch(/::error title=Opik evaluate%3A output_format fail-regression::/);
    expect(first.summary).toContain("## Gate");
    // The heading reports the step's outcome; the run evaluated a dataset and harvested nothing.
    expect(first.summary.split("\n")[0]).toBe("## ❌ Opik evaluation: charter_optimization — evaluated; the gate fails the step (fail-regression)");
    expect(first.summary).toContain(`| ${project} | \`${String(first.result!.dataset_name)}\` |`);
    expect(first.summary).not.toContain("Spans found");
    expect(first.summary).toContain("Error trace cleanup did not run: evaluate mode changes no production data.");
    expect(first.summary).not.toContain("cleanup-errors: false");
    expect(first.outputs["compare-url"]).toContain("/compare?experiments=");
    const scores = JSON.parse(first.outputs.scores!) as Record<string, { baseline: number; delta: number; regression: string }>;
    expect(scores.output_format).toMatchObject({ regression: "regression" });
    expect(scores.output_format!.delta).toBeLessThan(0);

    // A pull request changes no production data: no dataset, no added_to_dataset mark.
    expect(opik.store.datasets.size).toBe(datasetsBefore);
    expect(addedToDatasetMarks()).toBe(marksBefore);

    const comments = github.comments(pr);
    expect(comments).toHaveLength(1);
    const firstBody = comments[0]!.body;
    expect(firstBody).toContain("regression");
    expect(comments[0]!.body).toContain("<!-- opik-evaluate workflow=evals job=gate experiment=charter_optimization -->");
    expect(first.outputs["comment-url"]).toMatch(new RegExp(`/${OWNER}/${REPO}/(issues|pull)/${pr}#issuecomment-${comments[0]!.id}$`));

    // The fix: valid JSON again. Same comment, updated in place.
    llm.reply(() => JSON.stringify({ verdict: "valid", reason: "complete" }));
    const second = await prRun(project, pr);
    expect(second.outputs).toMatchObject({ verdict: "pass", passed: "true" });
    expect(second.exitCode, second.stdout).toBe(0);
    const after = github.comments(pr);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(comments[0]!.id);
    expect(after[0]!.body).not.toBe(firstBody);
    expect(after[0]!.body).toContain("passed");
    expect(github.schemaViolations).toEqual([]);
  });

  it("calls a drop whose interval contains zero noise, not a regression", async () => {
    // The scheduled run answered bare JSON for some charters and wrapped JSON for others...
    const answer = (flip: (charter: string) => boolean) => (body: unknown) => {
      const charter = (body as { messages: Array<{ content: string }> }).messages.at(-1)?.content ?? "";
      const bare = (charter.length % 2 === 0) !== flip(charter);
      return bare ? JSON.stringify({ verdict: "valid", reason: "ok" }) : `Verdict: {"verdict": "valid"}`;
    };
    llm.reply(answer(() => false));
    // A fixed data set: which charters the 40 spans carry decides the paired differences.
    const project = await harvestedProject(40, { "task-provider": "openai", "openai-api-key": "sk-main", "openai-base-url": llm.url }, 1001);
    // ...and the PR swaps the format for three charters: some items better, more worse; a drop, but within noise.
    llm.reply(answer((charter) => ["The treasurer", "Members", "The board"].some((p) => charter.startsWith(p))));
    const run = await prRun(project, 202);
    const scores = JSON.parse(run.outputs.scores!) as Record<string, { delta: number; regression: string; ci: [number, number] }>;
    expect(scores.output_format!.delta).toBeLessThan(0);
    expect(scores.output_format!.ci[0]).toBeLessThan(0);
    expect(scores.output_format!.ci[1]).toBeGreaterThan(0);
    expect(scores.output_format!.regression).toBe("noise");
    expect(run.outputs.verdict).toBe("pass");
    expect(run.exitCode, run.stdout).toBe(0);
  });

  it("fails a threshold set by the input, and posts the report even then", async () => {
    const project = await harvestedProject();
    llm.reply(() => `Answer: {"verdict": "valid"}`);
    const run = await prRun(project, 303, { thresholds: "output_format>=0.9", baseline: "none" });
    expect(run.outputs).toMatchObject({ verdict: "fail-threshold", passed: "false" });
    expect(run.exitCode).toBe(1);
    expect(github.comments(303)).toHaveLength(1);
    expect(run.summary).toContain("fail-threshold");
  });

  it("warns instead of failing when the token may not comment (a fork), and still writes the summary", async () => {
    const project = await harvestedProject();
    llm.reply(() => JSON.stringify({ verdict: "valid" }));
    github.forbid("writes");
    try {
      const run = await prRun(project, 404, {}, { fork: true });
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.stdout).toMatch(/::warning::.*(fork|403|not accessible)/i);
      expect(run.summary).toContain("## Gate");
      expect(run.outputs["comment-url"]).toBe("");
      expect(github.comments(404)).toHaveLength(0);
    } finally {
      github.forbid("none");
    }
  });

  it("reports insufficient data below min-items instead of a silent pass", async () => {
    const project = await harvestedProject(4);
    llm.reply(() => JSON.stringify({ verdict: "valid" }));
    const run = await prRun(project, 505, { "min-items": "10", "fail-on": "insufficient-data" });
    expect(run.outputs.verdict).toBe("insufficient-data");
    expect(run.exitCode).toBe(1);
  });

  it("names the baseline's prompt version and the pull request's in the comment when the prompt file changed", async () => {
    const promptWorkspace = await makeWorkspace("pr-prompt", {
      ".github/opik-evaluate.yml": `${REGISTRY}    task: { prompt_file: prompts/validate.mustache }\n`,
      "prompts/validate.mustache": 'Answer with JSON {"verdict": "valid"}.\n{{input}}',
    });
    llm.reply(() => JSON.stringify({ verdict: "valid" }));
    counter += 1;
    const { project } = await seedCharters(opik.url, "pr-prompt", { fresh: 12 });
    const main = await runAction(
      {
        "opik-url": opik.url,
        "opik-project": project,
        "cleanup-errors": "false",
        "task-provider": "openai",
        "openai-api-key": "sk-main",
        "openai-base-url": llm.url,
      },
      { workspace: promptWorkspace, env: { GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_SHA: "a".repeat(40) } },
    );
    expect(main.exitCode, main.stdout).toBe(0);
    const mainVersion = main.result?.prompt_version as { commit: string; reused: boolean };

    // The pull request edits the prompt file: a new version, linked to the PR's experiment and named next to main's.
    await writeFile(path.join(promptWorkspace, "prompts", "validate.mustache"), 'Check the charter, then answer with JSON {"verdict": "valid"}.\n{{input}}');
    const run = await prRun(project, 606, {}, { workspace: promptWorkspace });
    expect(run.exitCode, run.stdout).toBe(0);
    const prVersion = run.result?.prompt_version as { commit: string; reused: boolean; url: string };
    expect(prVersion.reused).toBe(false);
    expect(prVersion.commit).not.toBe(mainVersion.commit);
    const body = github.comments(606)[0]!.body;
    expect(body).toContain(
      `Prompt charter\\_optimization: \`${mainVersion.commit}\` (baseline) → \`${prVersion.commit}\` (this run) ([versions in Opik](${prVersion.url})).`,
    );
    expect(run.summary).toContain(`\`${mainVersion.commit}\` (baseline) → \`${prVersion.commit}\` (this run)`);
  });
});
