import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sample } from "../../scripts/sample-data.js";
import { runAction } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { chatCompletionBody, startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";
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

  it("writes each evaluation trace's spans: the task and metric spans, an llm span per call with model, usage and cost; a rerun adds none", async () => {
    const { project } = await seed("spans", 13);
    // Usage as a provider reports it, different for the task and the judge, on a dated snapshot of a priced model.
    openai.reply((body) => {
      const judge = Boolean((body as ChatBody).response_format);
      const content = judge ? JSON.stringify({ score: 0, reason: "faithful" }) : JSON.stringify({ verdict: "valid", reason: "ok" });
      const usage = judge ? { promptTokens: 300, completionTokens: 12 } : { promptTokens: 120, completionTokens: 30 };
      return { status: 200, body: chatCompletionBody(content, { model: "gpt-4o-mini-2024-07-18", ...usage }) };
    });
    const spansInputs = inputs(project, {
      "task-provider": "openai",
      model: "gpt-4o-mini",
      "judge-provider": "openai",
      "judge-model": "gpt-4o-mini",
      "openai-api-key": "sk-test-spans",
      "openai-base-url": openai.url,
    });
    // The first run's scores never land: its items stay incomplete, so the rerun evaluates them again under the same traces.
    opik.injectFault({ method: "PUT", path: "/v1/private/traces/feedback-scores", status: 422 });
    const failed = await runAction(spansInputs);
    opik.clearFaults();
    expect(failed.exitCode).toBe(1);
    const evaluation = opikReads(opik.url, `${project}-evaluation`);
    const spansAfterFailure = await evaluation.spans();
    expect(spansAfterFailure).toHaveLength(12 * 6);

    const run = await runAction(spansInputs);
    expect(run.exitCode, run.stdout).toBe(0);
    const experiment = run.result!.experiment_result as { experiment_id: string; experiment_name: string };
    const [item] = await evaluation.experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id });
    const spans = await evaluation.traceSpans(String(item!.trace_id));
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [task] = named("llm_task");
    const [calculation] = named("metrics_calculation");
    const [hallucination] = named("hallucination");
    const [outputFormat] = named("output_format");
    expect(task).toMatchObject({ type: "general", output: { output: JSON.stringify({ verdict: "valid", reason: "ok" }) } });
    expect(task!.parent_span_id).toBeUndefined();
    expect(calculation).toMatchObject({ type: "general" });
    expect(calculation!.parent_span_id).toBeUndefined();
    expect(hallucination).toMatchObject({ type: "general", parent_span_id: calculation!.id, output: { name: "hallucination", value: 0 } });
    expect(outputFormat).toMatchObject({ type: "general", parent_span_id: calculation!.id, output: { name: "output_format", value: 1 } });
    const calls = spans.filter((s) => s.type === "llm");
    expect(calls.map((c) => c.parent_span_id).sort()).toEqual([task!.id, hallucination!.id].sort());
    const taskCall = calls.find((c) => c.parent_span_id === task!.id)!;
    const judgeCall = calls.find((c) => c.parent_span_id === hallucination!.id)!;
    for (const call of calls) expect(call).toMatchObject({ model: "gpt-4o-mini-2024-07-18", provider: "openai" });
    expect(taskCall.usage).toEqual({ prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 });
    expect(judgeCall.usage).toEqual({ prompt_tokens: 300, completion_tokens: 12, total_tokens: 312 });
    // gpt-4o-mini: $0.15 per million prompt tokens and $0.60 per million completion tokens.
    expect(taskCall.total_estimated_cost).toBeCloseTo((120 * 0.15 + 30 * 0.6) / 1e6, 12);
    expect(judgeCall.total_estimated_cost).toBeCloseTo((300 * 0.15 + 12 * 0.6) / 1e6, 12);
    expect((taskCall.input as { messages: unknown[] }).messages.length).toBeGreaterThan(0);
    expect(judgeCall.output).toEqual({ content: JSON.stringify({ score: 0, reason: "faithful" }) });

    // Opik's experiment total is the action's own cost output, within its rounding to a millionth of a dollar.
    const usage = run.result!.usage as { cost_usd: number };
    const read = await evaluation.experiment(experiment.experiment_id);
    expect(read.total_estimated_cost as number).toBeCloseTo(usage.cost_usd, 6);
    expect(usage.cost_usd).toBeCloseTo(12 * ((120 * 0.15 + 30 * 0.6 + 300 * 0.15 + 12 * 0.6) / 1e6), 6);

    // The rerun rewrote the failed run's spans under the same ids: none added.
    const spansAfterRerun = await evaluation.spans();
    expect(spansAfterRerun).toHaveLength(12 * 6);
    expect(new Set(spansAfterRerun.map((s) => s.id))).toEqual(new Set(spansAfterFailure.map((s) => s.id)));
  });
});
