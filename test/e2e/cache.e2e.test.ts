import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../../scripts/run-action.js";
import { seedCharters } from "../support/e2e-fixtures.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { opikReads } from "../support/opik-reads.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { startActionsCacheServer, type ActionsCacheServer } from "../support/actions-cache-server.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { pullRequestEvent } from "../support/pull-request-event.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = path.join(ROOT, "dist", "cli", "index.js");

let opik: OpikServer;
let llm: OpenAIServer;
let actionsCache: ActionsCacheServer;
let github: GitHubServer;

beforeAll(async () => {
  [opik, llm, actionsCache, github] = await Promise.all([startOpikServer(), startOpenAIServer(), startActionsCacheServer(), startGitHubServer()]);
  // Judges ask for JSON; the task answers the charter check.
  llm.reply((body) =>
    (body as { response_format?: unknown }).response_format ? JSON.stringify({ score: 0, reason: "faithful" }) : JSON.stringify({ verdict: "valid" }),
  );
});
afterAll(async () => {
  await Promise.all([opik.close(), llm.close(), actionsCache.close(), github.close()]);
});

/** The bundled CLI, as a developer reruns it on an unchanged branch: same inputs, same cache folder. */
async function evaluateWithCli(project: string, cacheDir: string, extra: string[] = []): Promise<{ exitCode: number; stdout: string }> {
  const home = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-cache-home-"));
  const args = [
    ...["--opik-url", opik.url, "--opik-project", project, "--mode", "evaluate", "--span-name", "charter_validation"],
    ...["--dataset-prefix", "charter-optimization", "--metrics", "hallucination,output_format", "--task-provider", "openai"],
    ...["--openai-api-key", "sk-cache", "--openai-base-url", llm.url, "--baseline", "none", ...extra],
  ];
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: home, TMPDIR: home, OPIK_EVALUATE_CACHE_DIR: cacheDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exitCode = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  return { exitCode, stdout };
}

/** The scheduled harvest that makes the dataset the pull request evaluates. */
async function harvest(project: string): Promise<void> {
  const run = await runAction(
    {
      "opik-url": opik.url,
      "opik-project": project,
      "cleanup-errors": "false",
      "task-provider": "replay",
      "span-name": "charter_validation",
      "dataset-prefix": "charter-optimization",
      metrics: "output_format",
    },
    {},
  );
  expect(run.exitCode, run.stdout).toBe(0);
}

describe("the completion cache", () => {
  it("makes a rerun with nothing changed free: 0 LLM calls, the same scores, and the hits and savings reported", async () => {
    const { project } = await seedCharters(opik.url, "cache", { fresh: 8 }, 77);
    await harvest(project);
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-cache-"));

    llm.requests.length = 0;
    const cold = await evaluateWithCli(project, cacheDir);
    expect(cold.exitCode, cold.stdout).toBe(0);
    // 8 task calls and 8 hallucination judge calls, all misses, all stored.
    expect(llm.requests).toHaveLength(16);
    expect(cold.stdout).toContain("cache: 0 hit(s), 16 miss(es), saved ≈ $0.0000");
    expect((await readdir(cacheDir)).length).toBeGreaterThan(0);
    // Each call is an llm span of its item's evaluation trace, priced.
    const evaluation = opikReads(opik.url, `${project}-evaluation`);
    const llmSpans = async () => (await evaluation.spans()).filter((s) => s.type === "llm");
    const coldCalls = await llmSpans();
    expect(coldCalls).toHaveLength(16);
    for (const call of coldCalls) {
      expect(call.metadata).toBeUndefined();
      expect(call.total_estimated_cost).toBeGreaterThan(0);
    }

    llm.requests.length = 0;
    const warm = await evaluateWithCli(project, cacheDir);
    expect(warm.exitCode, warm.stdout).toBe(0);
    expect(llm.requests).toHaveLength(0);
    expect(warm.stdout).toContain("cache: 16 hit(s), 0 miss(es)");
    // The cache's answers are llm spans too, marked cached and costing 0 (which Opik leaves out of the span).
    const coldIds = new Set(coldCalls.map((call) => call.id));
    const warmCalls = (await llmSpans()).filter((call) => !coldIds.has(call.id));
    expect(warmCalls).toHaveLength(16);
    for (const call of warmCalls) {
      expect(call.metadata).toEqual({ cached: true });
      expect(call.total_estimated_cost).toBeUndefined();
      expect(call.usage).toMatchObject({ total_tokens: expect.any(Number) as number });
    }
    const scores = (stdout: string) => /\| `hallucination` \|[^\n]*/.exec(stdout)?.[0];
    expect(scores(warm.stdout)).toBe(scores(cold.stdout));

    // A different model setting is a different request: every call is made again.
    llm.requests.length = 0;
    const changed = await evaluateWithCli(project, cacheDir, ["--model", "gpt-4o"]);
    expect(changed.exitCode, changed.stdout).toBe(0);
    expect(llm.requests).toHaveLength(16);

    // Above temperature 0 the task is not cached unless forced; the judge still is.
    llm.requests.length = 0;
    const warmer = await evaluateWithCli(project, cacheDir, ["--temperature", "0.7"]);
    expect(warmer.stdout).toContain("task not cached: temperature above 0");
    expect(llm.requests.filter((r) => !(r.body as { response_format?: unknown }).response_format)).toHaveLength(8);

    llm.requests.length = 0;
    const off = await evaluateWithCli(project, cacheDir, ["--cache", "off"]);
    expect(off.exitCode, off.stdout).toBe(0);
    expect(llm.requests).toHaveLength(16);
    expect(off.stdout).not.toContain("cache:");
  });

  it("carries a pull request's completions to its next workflow run through the GitHub Actions cache service", async () => {
    const { project } = await seedCharters(opik.url, "cache-action", { fresh: 6 }, 78);
    await harvest(project);
    // Hosted runners give every job the same RUNNER_TEMP path, which the cache's version is computed from.
    const runnerTemp = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-runner-temp-"));
    const event = pullRequestEvent(12, { headRef: "cheaper-prompt", headSha: "c".repeat(40) });
    const prRun = (runId: string) =>
      runAction(
        {
          "opik-url": opik.url,
          "opik-project": project,
          "span-name": "charter_validation",
          "dataset-prefix": "charter-optimization",
          metrics: "hallucination,output_format",
          "task-provider": "openai",
          "openai-api-key": "sk-cache",
          "openai-base-url": llm.url,
          "github-token": "ghs_cache",
          "min-items": "3",
        },
        {
          event,
          env: {
            ...actionsCache.env,
            RUNNER_TEMP: runnerTemp,
            GITHUB_RUN_ID: runId,
            GITHUB_API_URL: github.url,
            GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
            GITHUB_WORKFLOW: "evals",
            GITHUB_JOB: "gate",
          },
        },
      );

    llm.requests.length = 0;
    const first = await prRun("5001");
    expect(first.exitCode, first.stdout).toBe(0);
    expect(llm.requests).toHaveLength(12);
    expect(first.summary).toContain("cache: 0 hit(s), 12 miss(es)");
    const saved = actionsCache.entries();
    expect(saved).toEqual([expect.objectContaining({ key: "opik-evaluate-completions-v1-charter_optimization-cheaper-prompt-5001-1-gate", finalized: true })]);
    expect(saved[0]!.bytes).toBeGreaterThan(0);

    // The next workflow run starts on a clean runner: only the Actions cache has the completions.
    await rm(path.join(runnerTemp, "opik-evaluate-completions"), { recursive: true, force: true });
    llm.requests.length = 0;
    const second = await prRun("5002");
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.stdout).toContain("Completion cache restored from opik-evaluate-completions-v1-charter_optimization-cheaper-prompt-5001-1-gate");
    expect(llm.requests).toHaveLength(0);
    expect(second.summary).toContain("cache: 12 hit(s), 0 miss(es), saved ≈ $");
    expect(second.outputs.scores).toBe(first.outputs.scores);
    const comments = github.comments(12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("cache: 12 hit(s), 0 miss(es)");
    // Nothing new to keep: the second run saves no entry.
    expect(actionsCache.entries()).toHaveLength(1);
  });
});
