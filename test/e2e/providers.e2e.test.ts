import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCharters } from "../support/e2e-fixtures.js";
import { runAction } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { startGeminiServer, type GeminiServer } from "../support/gemini-server.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";

let opik: OpikServer;
let openai: OpenAIServer;
let gemini: GeminiServer;

beforeAll(async () => {
  [opik, openai, gemini] = await Promise.all([startOpikServer(), startOpenAIServer(), startGeminiServer()]);
});
afterAll(async () => {
  await Promise.all([opik.close(), openai.close(), gemini.close()]);
});

interface OpenAIBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string };
}
interface GeminiBody {
  contents: Array<{ role: string; parts: Array<{ text: string }> }>;
  systemInstruction?: unknown;
  generationConfig?: { responseMimeType?: string; temperature?: number };
}

const TASK_REPLY = JSON.stringify({ verdict: "valid", reason: "complete" });
const JUDGE_REPLY = JSON.stringify({ score: 0, reason: "supported by the context" });

async function seedProject(name: string, fresh: number): Promise<string> {
  return (await seedCharters(opik.url, name, { fresh }, fresh * 31)).project;
}

const baseInputs = (project: string): Record<string, string> => ({
  "opik-url": opik.url,
  "opik-project": project,
  "span-name": "charter_validation",
  "dataset-prefix": "providers",
  "cleanup-errors": "false",
  metrics: "hallucination, output_format",
});

describe("task providers through base-URL inputs only", () => {
  it("gemini: task and judge in Gemini's generateContent format", async () => {
    const project = await seedProject("gemini", 6);
    gemini.reply((body) => ((body as GeminiBody).generationConfig?.responseMimeType === "application/json" ? JUDGE_REPLY : TASK_REPLY));
    gemini.requests.length = 0;
    const run = await runAction({
      ...baseInputs(project),
      "task-provider": "gemini",
      "google-api-key": "gk-test",
      "gemini-base-url": gemini.url,
      model: "gemini-2.0-flash",
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const tasks = gemini.requests.filter((r) => (r.body as GeminiBody).generationConfig?.responseMimeType !== "application/json");
    const judges = gemini.requests.filter((r) => (r.body as GeminiBody).generationConfig?.responseMimeType === "application/json");
    expect(tasks).toHaveLength(6);
    expect(judges).toHaveLength(6);
    for (const request of gemini.requests) {
      expect(request.path).toBe("/v1beta/models/gemini-2.0-flash:generateContent");
      expect(request.headers["x-goog-api-key"]).toBe("gk-test");
    }
    // The recorded system message travels as Gemini's systemInstruction, the user turn as contents.
    const task = tasks[0]!.body as GeminiBody;
    expect(JSON.stringify(task.systemInstruction)).toContain("You validate association charters");
    expect(task.contents.map((c) => c.role)).toEqual(["user"]);
    expect(run.result?.experiment_result).toMatchObject({ eval_results: { hallucination: { mean: 0, count: 6 }, output_format: { mean: 1, count: 6 } } });
    expect(run.result?.usage).toMatchObject({ task: { calls: 6 }, judge: { calls: 6 } });
    expect((run.result?.usage as { cost_usd: number }).cost_usd).toBeGreaterThan(0);
  });

  it("openai: task and judge in OpenAI's chat completions format, with the key as a bearer token", async () => {
    const project = await seedProject("openai", 5);
    openai.reply((body) => ((body as OpenAIBody).response_format ? JUDGE_REPLY : TASK_REPLY));
    openai.requests.length = 0;
    const run = await runAction({
      ...baseInputs(project),
      "task-provider": "openai",
      "openai-api-key": "sk-task",
      "openai-base-url": openai.url,
      model: "gpt-4o-mini",
      "judge-model": "gpt-4.1-mini",
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const models = openai.requests.map((r) => (r.body as OpenAIBody).model);
    expect(models.filter((m) => m === "gpt-4o-mini")).toHaveLength(5);
    expect(models.filter((m) => m === "gpt-4.1-mini")).toHaveLength(5);
    for (const request of openai.requests) {
      expect(request.path).toBe("/v1/chat/completions");
      expect(request.headers.authorization).toBe("Bearer sk-task");
    }
    expect(run.result?.experiment_result).toMatchObject({ eval_results: { hallucination: { count: 5, failed: 0 } } });
  });

  it("waits out a provider's 429 with Retry-After and slows down instead of failing", async () => {
    const project = await seedProject("ratelimit", 8);
    openai.reply((body) => ((body as OpenAIBody).response_format ? JUDGE_REPLY : TASK_REPLY));
    openai.requests.length = 0;
    openai.failNext(3, 429, { "retry-after": "1" }, "Rate limit reached for gpt-4o-mini");
    const run = await runAction({
      ...baseInputs(project),
      "task-provider": "openai",
      "openai-api-key": "sk-task",
      "openai-base-url": openai.url,
      concurrency: "4",
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.result?.errors).toEqual([]);
    expect(run.result?.experiment_result).toMatchObject({ task_errors: 0, eval_results: { hallucination: { count: 8 }, output_format: { count: 8 } } });
    // The retries came after the server's Retry-After, not straight away.
    const times = openai.requests.map((r) => r.receivedAt);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1000);
    expect(run.stdout).toMatch(/items evaluated \(concurrency [1-3]\)/);
  });

  it("one item's failure does not fail the others; it is listed with its span", async () => {
    const project = await seedProject("partial", 4);
    openai.reply((body) => ((body as OpenAIBody).response_format ? JUDGE_REPLY : TASK_REPLY));
    openai.failNext(1, 400, {}, "This model's maximum context length is 128000 tokens");
    const run = await runAction({
      ...baseInputs(project),
      "task-provider": "openai",
      "openai-api-key": "sk-task",
      "openai-base-url": openai.url,
      concurrency: "1",
    });
    expect(run.result?.experiment_result).toMatchObject({ status: "success", task_errors: 1, eval_results: { output_format: { count: 3 } } });
    expect((run.result?.errors as string[])[0]).toMatch(/^span [0-9a-f-]{36} \(dataset item [0-9a-f-]{36}\): .*maximum context length/);
    // One failed item in four is over the default max-error-rate (0.1): the gate says error, after publishing everything.
    expect(run.outputs).toMatchObject({ status: "success", verdict: "error", passed: "false" });
    expect(run.summary).toContain("## Gate");
    expect(run.exitCode).toBe(1);

    openai.failNext(1, 400, {}, "This model's maximum context length is 128000 tokens");
    const tolerant = await runAction(
      {
        ...baseInputs(await seedProject("partial-ok", 4)),
        "task-provider": "openai",
        "openai-api-key": "sk-task",
        "openai-base-url": openai.url,
        concurrency: "1",
        "max-error-rate": "0.5",
      },
      {},
    );
    expect(tolerant.exitCode, tolerant.stdout).toBe(0);
    expect(tolerant.result?.experiment_result).toMatchObject({ task_errors: 1 });
  });

  it("stops starting items once max-cost-usd is spent, and the next run finishes the dataset", async () => {
    const project = await seedProject("budget", 10);
    openai.reply((body) => ((body as OpenAIBody).response_format ? JUDGE_REPLY : TASK_REPLY));
    const inputs = {
      ...baseInputs(project),
      "task-provider": "openai",
      "openai-api-key": "sk-task",
      "openai-base-url": openai.url,
      model: "gpt-4o",
      concurrency: "1",
      "max-cost-usd": "0.0005",
    };
    const first = await runAction(inputs);
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.result).toMatchObject({ status: "success", budget_limited: true });
    const experiment = first.result?.experiment_result as {
      items_total: number;
      items_not_started: number;
      eval_results: { output_format: { count: number } };
    };
    expect(experiment.items_not_started).toBeGreaterThan(0);
    expect(experiment.eval_results.output_format.count).toBe(10 - experiment.items_not_started);

    const second = await runAction({ ...inputs, "max-cost-usd": "" });
    expect(second.result).toMatchObject({ status: "success", resumed: true, dataset_name: first.result?.dataset_name, budget_limited: false });
    expect(second.result?.experiment_result).toMatchObject({
      items_total: 10,
      items_resumed: 10 - experiment.items_not_started,
      items_not_started: 0,
      eval_results: { output_format: { count: 10 } },
    });
  });
});
