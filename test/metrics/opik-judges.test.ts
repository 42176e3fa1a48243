import { describe, expect, it } from "vitest";
import { opikJudgeMetrics } from "../../src/opik/opik-judges.js";
import { chatCompletionBody } from "../support/openai-server.js";
import { metricInput } from "./fixtures.js";
import { useLoopbackJudge, type ChatBody } from "./loopback-judge.js";

/** The SDK's loopback.judge prompts, answered by a loopback OpenAI server through our ChatModel: no client is mocked. */

const loopback = useLoopbackJudge();
const { promptOf } = loopback;
const json = (value: unknown) => () => JSON.stringify(value);

describe("moderation (lower is better)", () => {
  it("scores 1 for a severe violation and 0 for safe content, asking for JSON", async () => {
    const metric = opikJudgeMetrics.moderation(loopback.judge);
    loopback.server.reply((body) => {
      const prompt = (body as ChatBody).messages[0]?.content ?? "";
      return prompt.includes("I will hurt you")
        ? JSON.stringify({ score: 1, reason: "A direct threat of violence." })
        : JSON.stringify({ score: 0, reason: "Safe." });
    });

    expect(await metric.score(metricInput({ output: "I will hurt you" }))).toEqual({
      name: "moderation",
      ok: true,
      value: 1,
      reason: "A direct threat of violence.",
    });
    expect(await metric.score(metricInput({ output: "Paris" }))).toEqual({ name: "moderation", ok: true, value: 0, reason: "Safe." });
    expect((loopback.server.requests[0]?.body as ChatBody).response_format).toEqual({ type: "json_object" });
    expect(promptOf()).toContain("I will hurt you");
  });

  it("fails, rather than scoring 0, on a reply without a numeric score", async () => {
    const metric = opikJudgeMetrics.moderation(loopback.judge);
    loopback.server.reply(json({ score: null, reason: "I won't rate this." }));
    expect(await metric.score(metricInput())).toEqual({
      name: "moderation",
      ok: false,
      error: 'judge reply has no numeric "score": "{\\"score\\":null,\\"reason\\":\\"I won\'t rate this.\\"}"',
    });

    loopback.server.reply(() => "I'd rather not say.");
    expect(await metric.score(metricInput())).toEqual({ name: "moderation", ok: false, error: 'judge reply is not JSON: "I\'d rather not say."' });
  });

  it("fails on a refusal from the provider", async () => {
    loopback.server.reply(() => ({ status: 200, body: chatCompletionBody(null, { refusal: "I can't help with that." }) }));
    const result = await opikJudgeMetrics.moderation(loopback.judge).score(metricInput());
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("refused to answer: I can't help with that.") as unknown });
  });
});

describe("hallucination (lower is better)", () => {
  it("gives the judge the recorded output as context", async () => {
    loopback.server.reply(json({ score: 1, reason: ["Lyon is not the capital.", "The context says Paris."] }));
    const result = await opikJudgeMetrics.hallucination(loopback.judge).score(metricInput({ output: "Lyon", expected: "The capital is Paris." }));
    expect(result).toEqual({ name: "hallucination", ok: true, value: 1, reason: "Lyon is not the capital. The context says Paris." });
    expect(promptOf()).toContain("The capital is Paris.");
  });
});

describe("usefulness (higher is better)", () => {
  it("scores the judge's value", async () => {
    loopback.server.reply(json({ score: 0.9, reason: "Direct and correct." }));
    expect(await opikJudgeMetrics.usefulness(loopback.judge).score(metricInput())).toEqual({
      name: "usefulness",
      ok: true,
      value: 0.9,
      reason: "Direct and correct.",
    });
    expect(promptOf()).toContain("What is the capital of France?");
  });

  it("fails on a score outside 0..1, saying why", async () => {
    loopback.server.reply(json({ score: 7, reason: "Out of ten." }));
    const result = await opikJudgeMetrics.usefulness(loopback.judge).score(metricInput());
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("Usefulness score must be between 0.0 and 1.0, got 7") as unknown });
  });
});

describe("answer_relevance (higher is better)", () => {
  it("passes the recorded output as context when it differs from the scored output", async () => {
    loopback.server.reply(json({ answer_relevance_score: 0.8, reason: "Answers the question." }));
    const result = await opikJudgeMetrics
      .answerRelevance(loopback.judge)
      .score(metricInput({ output: "Paris, I think", expected: "Recorded: Paris is the capital" }));
    expect(result).toEqual({ name: "answer_relevance", ok: true, value: 0.8, reason: "Answers the question." });
    expect(promptOf()).toContain("INPUT AND CONTEXT PROVIDED");
    expect(promptOf()).toContain("Recorded: Paris is the capital");
  });

  it("runs without context in replay, where the recorded output is the output", async () => {
    loopback.server.reply(json({ answer_relevance_score: 1, reason: "Exact." }));
    expect(await opikJudgeMetrics.answerRelevance(loopback.judge).score(metricInput())).toMatchObject({ ok: true, value: 1 });
    expect(promptOf()).not.toContain("INPUT AND CONTEXT PROVIDED");
  });

  it("fails when the reply lacks answer_relevance_score", async () => {
    loopback.server.reply(json({ score: 0.8, reason: "Wrong key." }));
    expect(await opikJudgeMetrics.answerRelevance(loopback.judge).score(metricInput())).toMatchObject({
      ok: false,
      error: expect.stringContaining('no numeric "answer_relevance_score"') as unknown,
    });
  });
});

describe("g_eval (higher is better)", () => {
  const chainOfThought = "1. Check the answer names the capital. 2. Penalise extra claims.";
  function replyWith(score: () => string) {
    loopback.server.reply((body) => (((body as ChatBody).messages[0]?.content ?? "").includes("Chain of Thought") ? chainOfThought : score()));
  }

  it("builds steps from the criteria, shows the question and answer, and divides the 0–10 score by 10", async () => {
    replyWith(json({ score: 8, reason: "Names Paris." }));
    const metric = opikJudgeMetrics.gEval(loopback.judge, {
      taskIntroduction: "You grade answers to geography questions.",
      evaluationCriteria: "Score 10 for a correct capital, 0 otherwise.",
    });
    expect(await metric.score(metricInput())).toEqual({ name: "g_eval", ok: true, value: 0.8, reason: "Names Paris." });

    const prompts = loopback.server.requests.map((_, index) => promptOf(index));
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toContain("Score 10 for a correct capital, 0 otherwise.");
    expect(prompts[1]).toContain(chainOfThought);
    expect(prompts[1]).toContain("QUESTION:\nWhat is the capital of France?\n\nANSWER TO EVALUATE:\nParis");
  });

  it("fails on replies it cannot read, after the SDK's one text-parsing retry", async () => {
    replyWith(() => "Looks good to me!");
    const metric = opikJudgeMetrics.gEval(loopback.judge, { taskIntroduction: "You grade answers.", evaluationCriteria: "Score 0 to 10 for correctness." });
    expect(await metric.score(metricInput())).toEqual({ name: "g_eval", ok: false, error: 'judge reply is not JSON: "Looks good to me!"' });
    expect(loopback.server.requests).toHaveLength(3);
  });
});
