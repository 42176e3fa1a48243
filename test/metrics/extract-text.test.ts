import { describe, expect, it } from "vitest";
import { extractMessages, extractText, lastUserMessage, stableJson } from "../../src/metrics/extract-text.js";

describe("extractText", () => {
  it("keeps plain strings and writes scalars out", () => {
    expect(extractText("hello")).toBe("hello");
    expect(extractText(42)).toBe("42");
    expect(extractText(true)).toBe("true");
    expect(extractText(null)).toBe("");
    expect(extractText(undefined)).toBe("");
  });

  it.each([
    ["output", { output: "the answer" }],
    ["content", { content: "the answer", role: "assistant" }],
    ["text", { text: "the answer", tokens: 3 }],
    ["response", { response: "the answer", latency: 12 }],
    ["answer", { answer: "the answer", sources: ["a"] }],
    ["result", { result: "the answer", ok: true }],
  ])("takes the %s key", (_key, value) => {
    expect(extractText(value)).toBe("the answer");
  });

  it("prefers output over the other keys and follows nesting", () => {
    expect(extractText({ text: "no", output: { response: { answer: "yes" } } })).toBe("yes");
  });

  it("unwraps an object with a single key", () => {
    expect(extractText({ question: "Why is the sky blue?" })).toBe("Why is the sky blue?");
  });

  it("reads an OpenAI chat completion", () => {
    const completion = {
      id: "chatcmpl-1",
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: "Paris.", refusal: null }, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    };
    expect(extractText(completion)).toBe("Paris.");
  });

  it("reads a legacy completion", () => {
    expect(extractText({ choices: [{ text: "Paris.", index: 0 }] })).toBe("Paris.");
  });

  it("shows the tool calls of a completion that made them instead of answering", () => {
    const toolCalls = [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"city":"Paris"}' } }];
    expect(extractText({ choices: [{ message: { role: "assistant", content: null, tool_calls: toolCalls } }] })).toBe(stableJson(toolCalls));
  });

  it("reads a Gemini response, joining its parts", () => {
    const response = { candidates: [{ content: { role: "model", parts: [{ text: "Par" }, { text: "is." }] }, finishReason: "STOP" }] };
    expect(extractText(response)).toBe("Paris.");
  });

  it("writes a chat message list as role: content lines", () => {
    const messages = [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is " },
          { type: "text", text: "this?" },
          { type: "image_url", image_url: { url: "x" } },
        ],
      },
    ];
    expect(extractText(messages)).toBe("system: Be brief.\nuser: What is this?[image_url]");
    expect(extractText({ messages, model: "gpt-4o", temperature: 0 })).toBe("system: Be brief.\nuser: What is this?[image_url]");
  });

  it("reads Gemini-style contents with parts", () => {
    expect(extractText({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] })).toBe("user: Hi");
  });

  it("joins a bare list of content parts", () => {
    expect(
      extractText([
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ]),
    ).toBe("ab");
    expect(extractText({ content: [{ type: "text", text: "from Anthropic" }], role: "assistant" })).toBe("from Anthropic");
  });

  it("falls back to stable JSON with sorted keys", () => {
    expect(extractText({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(extractText([1, "two"])).toBe('[1,"two"]');
  });

  it("survives cycles and bigints", () => {
    const looped: Record<string, unknown> = { a: 1n, b: 2 };
    looped.self = looped;
    expect(stableJson(looped)).toBe('{"a":"1","b":2,"self":"[Circular]"}');
  });
});

describe("extractMessages", () => {
  it("keeps a recorded OpenAI message list, mapping roles", () => {
    const input = [
      { role: "developer", content: "Rules." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "tool", content: "42", tool_call_id: "call_1" },
    ];
    expect(extractMessages(input)).toEqual([
      { role: "system", content: "Rules." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello" },
      { role: "user", content: "tool: 42" },
    ]);
  });

  it("reads {messages} and Gemini {contents}", () => {
    expect(extractMessages({ messages: [{ role: "user", content: "Hi" }], model: "gpt-4o" })).toEqual([{ role: "user", content: "Hi" }]);
    expect(extractMessages({ contents: [{ role: "model", parts: [{ text: "Hi" }] }] })).toEqual([{ role: "assistant", content: "Hi" }]);
  });

  it("wraps anything else in one user message", () => {
    expect(extractMessages({ question: "Why?" })).toEqual([{ role: "user", content: "Why?" }]);
    expect(extractMessages("plain")).toEqual([{ role: "user", content: "plain" }]);
    expect(extractMessages({ messages: [] })).toEqual([{ role: "user", content: "[]" }]);
  });
});

describe("lastUserMessage", () => {
  it("takes the last user message of OpenAI, bare and Gemini message lists", () => {
    expect(
      lastUserMessage({
        messages: [
          { role: "system", content: "You are..." },
          { role: "user", content: "first" },
          { role: "assistant", content: "ok" },
          { role: "user", content: [{ type: "text", text: "second" }] },
        ],
      }),
    ).toBe("second");
    expect(
      lastUserMessage([
        { role: "user", content: "bare" },
        { role: "assistant", content: "ok" },
      ]),
    ).toBe("bare");
    expect(
      lastUserMessage({
        contents: [
          { role: "user", parts: [{ text: "gemini" }] },
          { role: "model", parts: [{ text: "hi" }] },
        ],
      }),
    ).toBe("gemini");
  });

  it("has nothing to say about inputs that are not chats, or chats without a user turn", () => {
    expect(lastUserMessage({ question: "Why?" })).toBeUndefined();
    expect(lastUserMessage("plain")).toBeUndefined();
    expect(lastUserMessage({ messages: [{ role: "system", content: "only a prompt" }] })).toBeUndefined();
  });
});
