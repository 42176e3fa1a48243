import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sample } from "../../scripts/sample-data.js";
import { runAction } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
import { seedCharters } from "../support/e2e-fixtures.js";
import { opikReads } from "../support/opik-reads.js";

let opik: OpikServer;
let openai: OpenAIServer;

beforeAll(async () => {
  [opik, openai] = await Promise.all([startOpikServer(), startOpenAIServer()]);
});
afterAll(async () => {
  await Promise.all([opik.close(), openai.close()]);
});

interface ChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  response_format?: { type: string };
}

/** A judge that reads Opik's hallucination prompt the way a model would, with a few replies it cannot parse. */
function judgeReply(body: unknown): string {
  const prompt = (body as ChatBody).messages.map((m) => m.content).join("\n");
  if (prompt.includes("looks fine to me")) return "I would rather not say.";
  return prompt.includes("needs_review")
    ? JSON.stringify({ score: 1, reason: ["The output invents a review requirement."] })
    : JSON.stringify({ score: 0, reason: ["The output is supported by the context."] });
}

async function seed(name: string, seed: number): Promise<{ project: string; sample: Sample }> {
  return seedCharters(opik.url, name, { fresh: 12 }, seed);
}

const inputs = (project: string, extra: Record<string, string>): Record<string, string> => ({
  "opik-url": opik.url,
  "opik-project": project,
  "span-name": "charter_validation",
  "dataset-prefix": "charters",
  "cleanup-errors": "false",
  metrics: "hallucination, output_format",
  ...extra,
});

describe("LLM providers through base-URL inputs", () => {
  it("scores hallucination with an OpenAI-compatible judge, counting unparseable replies apart", async () => {
    const { project, sample } = await seed("judge", 7);
    openai.reply(judgeReply);
    openai.requests.length = 0;
    const run = await runAction(
      inputs(project, {
        "task-provider": "replay",
        "judge-provider": "openai",
        "judge-model": "judge-mini",
        "openai-api-key": "sk-test-judge",
        "openai-base-url": openai.url,
      }),
    );
    expect(run.exitCode, run.stdout).toBe(0);

    const spans = sample.spans as Array<{ output: { content: string } }>;
    const unparseable = spans.filter((s) => s.output.content.includes("looks fine to me")).length;
    const hallucinated = spans.filter((s) => s.output.content.includes("needs_review")).length;
    const results = (run.result!.experiment_result as { eval_results: Record<string, { mean: number | null; count: number; failed: number }> }).eval_results;
    expect(results.hallucination).toMatchObject({ count: 12 - unparseable, failed: unparseable });
    if (12 - unparseable > 0) expect(results.hallucination!.mean).toBeCloseTo(hallucinated / (12 - unparseable), 5);
    expect(results.output_format).toMatchObject({ count: 12, failed: 0 });

    // The judge got Opik's prompt, on the configured model, key and base URL, asking for JSON.
    expect(openai.requests).toHaveLength(12);
    for (const request of openai.requests) {
      const body = request.body as ChatBody;
      expect(body.model).toBe("judge-mini");
      expect(body.response_format).toEqual({ type: "json_object" });
      expect(request.headers.authorization).toBe("Bearer sk-test-judge");
      expect(body.messages.at(-1)?.content).toMatch(/hallucinat/i);
    }
    if (unparseable) expect((run.result!.warnings as string[]).join("\n")).toContain("hallucination failed on dataset item");

    // Failed judge scores are not written as scores: Opik shows only real ones.
    const reads = opikReads(opik.url, project);
    const experiment = run.result!.experiment_result as { experiment_name: string; experiment_id: string };
    const items = await reads.experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id });
    const written = items.flatMap((i) => (i.feedback_scores as Array<{ name: string }>).filter((s) => s.name === "hallucination"));
    expect(written).toHaveLength(12 - unparseable);
  });

  it("runs the task on an OpenAI-compatible model with the span's recorded messages", async () => {
    const { project } = await seed("task", 11);
    openai.reply((body) => {
      const b = body as ChatBody;
      return b.response_format ? JSON.stringify({ score: 0, reason: "faithful" }) : JSON.stringify({ verdict: "valid", reason: `answered ${b.model}` });
    });
    openai.requests.length = 0;
    const run = await runAction(inputs(project, { "task-provider": "ollama", model: "llama3.1", "ollama-base-url": openai.url }));
    expect(run.exitCode, run.stdout).toBe(0);
    const taskRequests = openai.requests.filter((r) => !(r.body as ChatBody).response_format);
    expect(taskRequests).toHaveLength(12);
    for (const request of taskRequests) {
      const body = request.body as ChatBody;
      expect(body.model).toBe("llama3.1");
      expect(body.messages[0]).toEqual({ role: "system", content: "You validate association charters. Reply with JSON {verdict, reason}." });
      expect(body.messages[1]?.role).toBe("user");
    }
    const result = run.result!.experiment_result as { eval_results: Record<string, { mean: number; count: number }> };
    expect(result.eval_results.output_format).toMatchObject({ mean: 1, count: 12 });
    expect(result.eval_results.hallucination).toMatchObject({ mean: 0, count: 12 });
    // Ollama runs locally: tokens are counted and cost nothing.
    expect(run.result!.usage).toMatchObject({ task: { calls: 12 }, judge: { calls: 12 }, cost_usd: 0 });
    expect((run.result!.usage as { task: { total_tokens: number } }).task.total_tokens).toBeGreaterThan(0);
  });
});
