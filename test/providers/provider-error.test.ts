import { describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/provider-error.js";
import { redactSecret } from "../../src/util/redact.js";

describe("redactSecret", () => {
  it("replaces every occurrence of the key", () => {
    expect(redactSecret("key sk-abcdef123 and sk-abcdef123 again", "sk-abcdef123")).toBe("key *** and *** again");
  });

  it("leaves text alone when there is no real key", () => {
    expect(redactSecret("nothing here", undefined)).toBe("nothing here");
    expect(redactSecret("a b c", "a")).toBe("a b c");
  });
});

describe("ProviderError", () => {
  it("shows where the client pointed without credentials in the URL", () => {
    const error = new ProviderError("failed: boom", { provider: "openai", model: "m", baseURL: "https://user:secret@gateway.example/v1?key=abc" });
    expect(error.message).toBe('OpenAI model "m" at https://gateway.example/v1 failed: boom');
  });
});
