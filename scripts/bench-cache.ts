import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { OpikServer } from "opik-local-server";
import { startActionsCacheServer } from "../test/support/actions-cache-server.js";
import type { OpenAIServer } from "../test/support/openai-server.js";
import { runAction, type ActionRun } from "./run-action.js";
import { buildSample, ingestSample, NO_SPANS } from "./sample-data.js";

/**
 * The completion cache's case: a pull request evaluated twice with nothing changed, the second time on a clean
 * runner that has only the GitHub Actions cache (a loopback cache service). Reports the warm run's LLM calls, cost
 * and wall time as ratios of the cold run's.
 */
export async function benchCache(opik: OpikServer, llm: OpenAIServer, options: { n: number; concurrency: number }): Promise<Array<[string, string]>> {
  const project = "bench-cache";
  await ingestSample(
    opik.url,
    buildSample({
      project,
      spanName: "charter_validation",
      now: new Date(),
      lookbackHours: 24,
      seed: 43,
      ...NO_SPANS,
      fresh: options.n,
    }),
  );
  const common = { "opik-url": opik.url, "opik-project": project, "span-name": "charter_validation", "dataset-prefix": "bench-cache" };
  const harvest = await runAction({ ...common, "task-provider": "replay", metrics: "output_format", "max-items": String(options.n) });
  if (harvest.exitCode !== 0) throw new Error(`the harvest failed:\n${harvest.stdout}`);

  const cacheService = await startActionsCacheServer();
  const runnerTemp = await mkdtemp(path.join(os.tmpdir(), "opik-bench-cache-"));
  const evaluate = async (runId: string): Promise<{ run: ActionRun; wallMs: number; calls: number }> => {
    const callsBefore = llm.requests.length;
    const started = performance.now();
    const run = await runAction(
      {
        ...common,
        mode: "evaluate",
        "task-provider": "openai",
        "openai-api-key": "sk-bench",
        "openai-base-url": llm.url,
        model: "gpt-4o-mini",
        metrics: "hallucination, output_format",
        concurrency: String(options.concurrency),
        baseline: "none",
      },
      { env: { ...cacheService.env, RUNNER_TEMP: runnerTemp, GITHUB_RUN_ID: runId, GITHUB_JOB: "gate" } },
    );
    if (run.exitCode !== 0) throw new Error(`the evaluate run failed:\n${run.stdout}`);
    return { run, wallMs: performance.now() - started, calls: llm.requests.length - callsBefore };
  };
  try {
    const cold = await evaluate("1");
    await rm(path.join(runnerTemp, "opik-evaluate-completions"), { recursive: true, force: true });
    const warm = await evaluate("2");
    const cost = (run: ActionRun): number => Number((run.result?.usage as { cost_usd?: number } | undefined)?.cost_usd ?? 0);
    const cache = warm.run.result?.cache as { task: { saved_usd: number }; judge: { saved_usd: number } } | undefined;
    const saved = (cache?.task.saved_usd ?? 0) + (cache?.judge.saved_usd ?? 0);
    return [
      ["items", String(options.n)],
      ["LLM calls, cold → warm", `${cold.calls} → ${warm.calls}`],
      ["cost, warm ÷ cold", `${(cost(warm.run) / Math.max(cost(cold.run), 1e-12)).toFixed(3)} ($${cost(warm.run).toFixed(4)} ÷ $${cost(cold.run).toFixed(4)})`],
      ["saved by the cache on the warm run", `$${saved.toFixed(4)}`],
      [
        "wall time, warm ÷ cold (restore and save included)",
        `${(warm.wallMs / cold.wallMs).toFixed(3)} (${(warm.wallMs / 1000).toFixed(2)} s ÷ ${(cold.wallMs / 1000).toFixed(2)} s)`,
      ],
    ];
  } finally {
    await cacheService.close();
  }
}
