import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGeminiChatModel } from "../../src/providers/gemini-chat-model.js";
import { ProviderError } from "../../src/providers/provider-error.js";
import type { ChatMessage } from "../../src/types.js";
import { generateContentBody, googleErrorBody, startGeminiServer, type GeminiServer } from "../support/gemini-server.js";

const API_KEY = "AIza-test-loopback-0123456789abcdef";
const MESSAGES: ChatMessage[] = [
  { role: "system", content: "You are a judge. Answer in JSON." },
  { role: "user", content: "Is the sky green?" },
  { role: "assistant", content: "No." },
  { role: "user", content: "Why?" },
];

describe("createGeminiChatModel on the Gemini wire format", () => {
  let server: GeminiServer;

  beforeAll(async () => {
    server = await startGeminiServer();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.reply(() => "ok");
  });

  function model(overrides: Partial<Parameters<typeof createGeminiChatModel>[0]> = {}) {
    return createGeminiChatModel({ apiKey: API_KEY, baseUrl: server.url, model: "gemini-2.0-flash", ...overrides });
  }

  it("sends the model, turns, system instruction, temperature, JSON mode and key header, and maps the reply and usage", async () => {
    server.reply(() => ({
      status: 200,
      body: generateContentBody('{"verdict":"no"}', { modelVersion: "gemini-2.0-flash-001", promptTokens: 30, candidatesTokens: 6 }),
    }));

    const completion = await model({ temperature: 0.3 }).complete(MESSAGES, { json: true });

    expect(completion).toEqual({
      text: '{"verdict":"no"}',
      model: "gemini-2.0-flash-001",
      usage: { promptTokens: 30, completionTokens: 6, totalTokens: 36 },
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.path).toBe("/v1beta/models/gemini-2.0-flash:generateContent");
    expect(request?.headers["x-goog-api-key"]).toBe(API_KEY);
    expect(request?.body).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Is the sky green?" }] },
        { role: "model", parts: [{ text: "No." }] },
        { role: "user", parts: [{ text: "Why?" }] },
      ],
      systemInstruction: { role: "system", parts: [{ text: "You are a judge. Answer in JSON." }] },
      generationConfig: { temperature: 0.3, responseMimeType: "application/json" },
      safetySettings: [],
    });
  });

  it("leaves out temperature and the JSON MIME type when not asked for", async () => {
    await model().complete([{ role: "user", content: "hi" }]);

    expect(server.requests[0]?.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: {}, safetySettings: [] });
  });

  it("sends a system-only prompt as the user turn, since Gemini needs one", async () => {
    await model().complete([{ role: "system", content: "Say ok." }]);

    expect(server.requests[0]?.body).toMatchObject({ contents: [{ role: "user", parts: [{ text: "Say ok." }] }] });
  });

  it("takes a version at the end of the base URL as the API version", async () => {
    await model({ baseUrl: `${server.url}/v1/` }).complete([{ role: "user", content: "hi" }]);

    expect(server.requests[0]?.path).toBe("/v1/models/gemini-2.0-flash:generateContent");
  });

  it("waits as long as a 429's RetryInfo asks, then succeeds", async () => {
    server.failNext(1, 429, { retryDelay: "1s" });

    const completion = await model().complete(MESSAGES);

    expect(completion.text).toBe("ok");
    const [first, second] = server.requests;
    const waited = second!.receivedAt - first!.receivedAt;
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(2_000);
  });

  it("retries a 503 with backoff", async () => {
    server.failNext(1, 503);

    const completion = await model().complete(MESSAGES);

    expect(completion.text).toBe("ok");
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after maxRetries and says how many attempts were made", async () => {
    server.failNext(2, 500, { retryDelay: "0.05s" });

    const error = await model({ maxRetries: 1 })
      .complete(MESSAGES)
      .catch((caught: unknown) => caught);

    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).status).toBe(500);
    expect((error as Error).message).toMatch(
      /^Gemini model "gemini-2.0-flash" at http:\/\/127\.0\.0\.1:\d+ failed after 2 attempts: .*\[500 Internal Server Error\]/,
    );
  });

  it("does not wait for a quota that refills too late to matter", async () => {
    server.failNext(1, 429, { retryDelay: "3600s" });

    await expect(model().complete(MESSAGES)).rejects.toThrow(/failed: .*429.*exceeded your current quota/);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry a 400 and never puts the API key in the message", async () => {
    server.reply(() => ({ status: 400, body: googleErrorBody(400, `API key not valid: ${API_KEY}`) }));

    const error = await model()
      .complete(MESSAGES)
      .catch((caught: unknown) => caught);

    expect(server.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as Error).message;
    expect(message).toContain('Gemini model "gemini-2.0-flash"');
    expect(message).toContain("[400 Bad Request] API key not valid: ***");
    expect(message).not.toContain(API_KEY);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it("turns a blocked prompt into an error", async () => {
    server.reply(() => ({
      status: 200,
      body: { promptFeedback: { blockReason: "SAFETY", safetyRatings: [] }, usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } },
    }));

    await expect(model().complete(MESSAGES)).rejects.toThrow("blocked the prompt (SAFETY)");
  });

  it("turns a blocked candidate into an error", async () => {
    server.reply(() => ({ status: 200, body: { candidates: [{ finishReason: "RECITATION", index: 0 }] } }));

    await expect(model().complete(MESSAGES)).rejects.toThrow("blocked the reply (finishReason RECITATION)");
  });

  it("turns an empty reply into an error naming the finish reason", async () => {
    server.reply(() => ({ status: 200, body: generateContentBody("", { finishReason: "MAX_TOKENS" }) }));

    await expect(model().complete(MESSAGES)).rejects.toThrow("returned an empty reply (finishReason MAX_TOKENS)");
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    controller.abort();

    await expect(model().complete(MESSAGES, { signal: controller.signal })).rejects.toBeInstanceOf(ProviderError);
    expect(server.requests).toHaveLength(0);
  });

  it("refuses to start without an API key", () => {
    expect(() => createGeminiChatModel({ apiKey: "", model: "gemini-2.0-flash" })).toThrow('Gemini model "gemini-2.0-flash" needs an API key');
  });
});

describe("createGeminiChatModel timeouts", () => {
  let slow: GeminiServer;

  beforeAll(async () => {
    slow = await startGeminiServer({ latencyMs: 400 });
  });
  afterAll(async () => {
    await slow.close();
  });

  it("retries an attempt that outlives timeoutMs, then reports the timeout", async () => {
    const impatient = createGeminiChatModel({ apiKey: API_KEY, baseUrl: slow.url, model: "gemini-2.0-flash", timeoutMs: 100, maxRetries: 1 });

    await expect(impatient.complete(MESSAGES)).rejects.toThrow(
      'Gemini model "gemini-2.0-flash" at ' + slow.url + " timed out after 2 attempts (100 ms per attempt)",
    );
    expect(slow.requests).toHaveLength(2);
  });
});
