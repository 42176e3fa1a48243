import { describe, expect, it } from "vitest";
import { createCustomJudgeMetric, judgePromptProblems, renderJudgePrompt } from "../../src/metrics/custom-judge.js";
import type { CustomJudgeSpec } from "../../src/metrics/metric-settings.js";
import { chatCompletionBody } from "../support/openai-server.js";
import { metricInput } from "./fixtures.js";
import { useLoopbackJudge, type ChatBody } from "./loopback-judge.js";

const CORRECTNESS: CustomJudgeSpec = {
  prompt: "Question: {{input}}\nReference: {{expected}}\nAnswer: {{output}}\nModel: {{model}}\nIs the answer correct?",
  rails: { correct: 1, incorrect: 0 },
};

const loopback = useLoopbackJudge();
const { promptOf } = loopback;

describe("custom judges on an OpenAI-compatible judge", () => {
  it("sends the rendered template with the labels, and scores the label's value", async () => {
    loopback.server.reply(() => "Correct");
    const result = await createCustomJudgeMetric("correctness", CORRECTNESS, loopback.judge).score(metricInput({ output: "Paris <b>&</b>" }));

    expect(result).toEqual({ name: "correctness", ok: true, value: 1, reason: "correct" });
    expect(promptOf()).toBe(
      "Question: What is the capital of France?\nReference: Paris\nAnswer: Paris <b>&</b>\nModel: gpt-4o-mini\nIs the answer correct?\n\nReply with exactly one of these labels and nothing else: correct, incorrect.",
    );
    expect((loopback.server.requests[0]?.body as ChatBody).response_format).toBeUndefined();
  });

  it("scores the rail's value whichever way the judge reads (a lower-is-better toxicity judge)", async () => {
    const toxicity: CustomJudgeSpec = { prompt: "Is this toxic? {{output}}", rails: { toxic: 1, "non-toxic": 0 }, direction: "lower-is-better" };
    loopback.server.reply(() => "non-toxic");
    expect(await createCustomJudgeMetric("toxicity", toxicity, loopback.judge).score(metricInput())).toEqual({
      name: "toxicity",
      ok: true,
      value: 0,
      reason: "non-toxic",
    });
    loopback.server.reply(() => "TOXIC");
    expect(await createCustomJudgeMetric("toxicity", toxicity, loopback.judge).score(metricInput())).toEqual({
      name: "toxicity",
      ok: true,
      value: 1,
      reason: "toxic",
    });
  });

  it("asks for JSON with an explanation when configured, and keeps it as the reason", async () => {
    loopback.server.reply(() => JSON.stringify({ label: "incorrect", explanation: "The reference says Paris." }));
    const spec: CustomJudgeSpec = { ...CORRECTNESS, explanation: true };
    const result = await createCustomJudgeMetric("correctness", spec, loopback.judge).score(metricInput({ output: "Lyon" }));

    expect(result).toEqual({ name: "correctness", ok: true, value: 0, reason: "incorrect: The reference says Paris." });
    const body = loopback.server.requests[0]?.body as ChatBody;
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(promptOf()).toContain('Reply with only a JSON object {"label": "<one of: correct, incorrect>", "explanation": "<a short reason for the label>"}.');
  });

  it("fails the score on a reply that is not one of the labels", async () => {
    loopback.server.reply(() => "The answer seems mostly right to me.");
    expect(await createCustomJudgeMetric("correctness", CORRECTNESS, loopback.judge).score(metricInput())).toEqual({
      name: "correctness",
      ok: false,
      error: 'judge reply is not one of the labels (expected one of correct, incorrect): "The answer seems mostly right to me."',
    });
  });

  it("fails the score when the judge refuses or the call fails", async () => {
    loopback.server.reply(() => ({ status: 200, body: chatCompletionBody(null, { refusal: "I can't help with that." }) }));
    const refused = await createCustomJudgeMetric("correctness", CORRECTNESS, loopback.judge).score(metricInput());
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(/^judge call failed: .*refused to answer: I can't help with that\./) as unknown });

    loopback.server.failNext(1, 400);
    const failed = await createCustomJudgeMetric("correctness", CORRECTNESS, loopback.judge).score(metricInput());
    expect(failed).toMatchObject({ ok: false, error: expect.stringMatching(/^judge call failed: /) as unknown });
  });
});

describe("judge templates", () => {
  it("render item fields, objects as text, and sections", () => {
    const spec: CustomJudgeSpec = {
      prompt: "{{span_name}} {{data_missing}}|{{expected_output}}|{{#usage}}{{total_tokens}} tokens{{/usage}}|{{output}}",
      rails: { a: 1, b: 0 },
    };
    const input = metricInput({ data: { ...metricInput().data, usage: { total_tokens: 42 } } });
    expect(renderJudgePrompt(spec, input).split("\n\n")[0]).toBe("answer_question |Paris|42 tokens|Paris");
  });

  it("must parse and must show the judge the output", () => {
    expect(judgePromptProblems("Q: {{input}} A: {{output}}")).toEqual([]);
    expect(judgePromptProblems("{{#output}}A: {{.}}{{/output}}")).toEqual([]);
    expect(judgePromptProblems("Q: {{input}}")).toEqual(["never uses {{output}}, so the judge would not see what it scores"]);
    expect(judgePromptProblems("output: {{output")[0]).toMatch(/^not a valid mustache template: Unclosed tag/);
  });
});
