import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOpenAIChatModel } from "../../src/providers/openai-chat-model.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import type { ChatMessage } from "../../src/types.js";
import { chatCompletionBody, openAIErrorBody, startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";

const API_KEY = "sk-test-loopback-0123456789abcdef";
const MESSAGES: ChatMessage[] = [
  { role: "system", content: "You are a judge. Answer in JSON." },
  { role: "user", content: "Is the sky green?" },
];

describe("createOpenAIChatModel on the OpenAI wire format", () => {
  let server: OpenAIServer;

  beforeAll(async () => {
    server = await startOpenAIServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.reply(() => "ok");
  });

  function model(overrides: Partial<Parameters<typeof createOpenAIChatModel>[0]> = {}) {
    return createOpenAIChatModel({ apiKey: API_KEY, baseURL: server.url, model: "gpt-4o-mini", ...overrides });
  }

  it("sends the model, messages, temperature, JSON mode and bearer key, and maps the reply and usage", async () => {
    server.reply(() => ({
      status: 200,
      body: chatCompletionBody('{"verdict":"no"}', { model: "gpt-4o-mini-2024-07-18", promptTokens: 21, completionTokens: 5 }),
    }));

    const completion = await model({ temperature: 0.2 }).complete(MESSAGES, { json: true });

    expect(completion).toEqual({
      text: '{"verdict":"no"}',
      model: "gpt-4o-mini-2024-07-18",
      usage: { promptTokens: 21, completionTokens: 5, totalTokens: 26 },
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body).toEqual({
      model: "gpt-4o-mini",
      messages: MESSAGES,
      temperature: 0.2,
      response_format: { type: "json_object" },
    });
  });

  it("leaves out temperature and response_format when not asked for", async () => {
    const completion = await model().complete([{ role: "user", content: "hi" }]);

    expect(completion.text).toBe("ok");
    expect(server.requests[0]?.body).toEqual({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
  });

  it("waits as long as a 429's retry-after (seconds) asks, then succeeds", async () => {
    server.failNext(1, 429, { "retry-after": "1" });

    const completion = await model().complete(MESSAGES);

    expect(completion.text).toBe("ok");
    const [first, second] = server.requests;
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it("honours retry-after-ms over retry-after", async () => {
    server.failNext(1, 429, { "retry-after-ms": "200", "retry-after": "30" });

    await model().complete(MESSAGES);

    const [first, second] = server.requests;
    const waited = second!.receivedAt - first!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(180);
    expect(waited).toBeLessThan(2_000);
  });

  it("retries a 500", async () => {
    server.failNext(1, 500);

    const completion = await model().complete(MESSAGES);

    expect(completion.text).toBe("ok");
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after maxRetries and says which provider, model and status failed", async () => {
    server.failNext(2, 503, { "retry-after-ms": "10" });

    const error = await model({ maxRetries: 1 })
      .complete(MESSAGES)
      .catch((caught: unknown) => caught);

    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(503);
    expect((error as Error).message).toMatch(/^OpenAI model "gpt-4o-mini" at http:\/\/127\.0\.0\.1:\d+\/v1 failed: 503 /);
  });

  it("does not retry a 400 and never puts the API key in the message", async () => {
    server.reply(() => ({ status: 400, body: openAIErrorBody(400, `Invalid value for 'temperature' (key ${API_KEY})`) }));

    const error = await model()
      .complete(MESSAGES)
      .catch((caught: unknown) => caught);

    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as Error).message;
    expect(message).toContain("400 Invalid value for 'temperature'");
    expect(message).toContain('OpenAI model "gpt-4o-mini"');
    expect(message).not.toContain(API_KEY);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("turns a refusal into an error", async () => {
    server.reply(() => ({ status: 200, body: chatCompletionBody(null, { refusal: "I can't help with that." }) }));

    await expect(model().complete(MESSAGES)).rejects.toThrow(`OpenAI model "gpt-4o-mini" at ${server.url} refused to answer: I can't help with that.`);
  });

  it("turns an empty reply into an error naming the finish reason", async () => {
    server.reply(() => ({ status: 200, body: chatCompletionBody("", { finishReason: "length" }) }));

    await expect(model().complete(MESSAGES)).rejects.toThrow("returned an empty reply (finish_reason: length)");
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    controller.abort();

    await expect(model().complete(MESSAGES, { signal: controller.signal })).rejects.toBeInstanceOf(ProviderError);
  });

  it("refuses to start without an API key", () => {
    expect(() => createOpenAIChatModel({ apiKey: "", model: "gpt-4o-mini" })).toThrow('OpenAI model "gpt-4o-mini" needs an API key');
  });
});

describe("createOpenAIChatModel for Ollama", () => {
  let server: OpenAIServer;

  beforeAll(async () => {
    server = await startOpenAIServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it("uses the OpenAI-compatible endpoint with a placeholder key when none is given", async () => {
    const ollama = createOpenAIChatModel({ provider: "ollama", apiKey: "", baseURL: server.url, model: "llama3.2" });

    const completion = await ollama.complete([{ role: "user", content: "hi" }]);

    expect(ollama.provider).toBe("ollama");
    expect(completion.text).toBe("ok");
    expect(server.requests[0]?.headers.authorization).toBe("Bearer ollama");
    expect(server.requests[0]?.body).toMatchObject({ model: "llama3.2" });
  });

  it("names Ollama in errors", async () => {
    server.reply(() => ({ status: 404, body: openAIErrorBody(404, 'model "llama3.2" not found, try pulling it first') }));
    const ollama = createOpenAIChatModel({ provider: "ollama", apiKey: "", baseURL: server.url, model: "llama3.2" });

    await expect(ollama.complete([{ role: "user", content: "hi" }])).rejects.toThrow(/^Ollama model "llama3.2" at .* failed: 404 model "llama3.2" not found/);
  });
});

describe("createOpenAIChatModel timeouts", () => {
  let slow: OpenAIServer;

  beforeAll(async () => {
    slow = await startOpenAIServer({ latencyMs: 400 });
  });
  afterAll(async () => {
    await slow.close();
  });

  it("fails a request that outlives timeoutMs", async () => {
    const impatient = createOpenAIChatModel({ apiKey: API_KEY, baseURL: slow.url, model: "gpt-4o-mini", timeoutMs: 100, maxRetries: 0 });

    await expect(impatient.complete(MESSAGES)).rejects.toThrow(/timed out/i);
  });
});
