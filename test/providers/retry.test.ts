import { GoogleGenerativeAIAbortError, GoogleGenerativeAIError, GoogleGenerativeAIFetchError, GoogleGenerativeAIResponseError } from "@google/generative-ai";
import { describe, expect, it } from "vitest";
import { classifyGeminiError, parseProtobufDuration, retryDelayFromDetails } from "../../src/providers/gemini-errors.js";
import { backoffDelayMs, nextRetryDelayMs, withRetry, type BackoffPolicy } from "../../src/providers/retry.js";

const noJitter = () => 0;
const fullJitter = () => 1;
const FAST: BackoffPolicy = { initialDelayMs: 1, maxDelayMs: 4, maxHintedDelayMs: 50 };

describe("backoffDelayMs", () => {
  it("doubles from 500 ms and stops at 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((retry) => backoffDelayMs(retry, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("takes off at most a quarter for jitter", () => {
    expect(backoffDelayMs(0, fullJitter)).toBe(375);
    expect(backoffDelayMs(4, fullJitter)).toBe(6000);
  });
});

describe("nextRetryDelayMs", () => {
  it("gives up on errors that are not retryable", () => {
    expect(nextRetryDelayMs(0, { retryable: false, hintedDelayMs: 10 })).toBeUndefined();
  });

  it("backs off when the server named no wait", () => {
    expect(nextRetryDelayMs(2, { retryable: true }, noJitter)).toBe(2000);
  });

  it("waits at least what the server asked, plus up to 10 %", () => {
    expect(nextRetryDelayMs(0, { retryable: true, hintedDelayMs: 7000 }, noJitter)).toBe(7000);
    expect(nextRetryDelayMs(0, { retryable: true, hintedDelayMs: 7000 }, fullJitter)).toBeCloseTo(7700);
  });

  it("gives up when the server asks for longer than a minute", () => {
    expect(nextRetryDelayMs(0, { retryable: true, hintedDelayMs: 3_600_000 })).toBeUndefined();
  });
});

describe("withRetry", () => {
  it("retries retryable failures until one succeeds", async () => {
    const seen: number[] = [];
    const result = await withRetry(
      (attempt) => {
        seen.push(attempt);
        return attempt < 3 ? Promise.reject(new Error(`boom ${attempt}`)) : Promise.resolve("done");
      },
      { maxRetries: 4, classify: () => ({ retryable: true }), policy: FAST },
    );

    expect(result).toBe("done");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("rethrows the last error once the retries run out", async () => {
    let calls = 0;
    const run = withRetry(
      (attempt) => {
        calls++;
        return Promise.reject(new Error(`boom ${attempt}`));
      },
      { maxRetries: 2, classify: () => ({ retryable: true }), policy: FAST },
    );

    await expect(run).rejects.toThrow("boom 3");
    expect(calls).toBe(3);
  });

  it("rethrows at once when the error is not retryable", async () => {
    let calls = 0;
    const run = withRetry(
      () => {
        calls++;
        return Promise.reject(new Error("bad request"));
      },
      { maxRetries: 5, classify: () => ({ retryable: false }), policy: FAST },
    );

    await expect(run).rejects.toThrow("bad request");
    expect(calls).toBe(1);
  });

  it("stops waiting when the caller aborts", async () => {
    const controller = new AbortController();
    const run = withRetry(
      () => {
        controller.abort();
        return Promise.reject(new Error("boom"));
      },
      { maxRetries: 5, classify: () => ({ retryable: true, hintedDelayMs: 10 }), signal: controller.signal, policy: FAST },
    );

    await expect(run).rejects.toThrow("boom");
  });
});

describe("Gemini retry classification", () => {
  const retryInfo = (retryDelay: string) => [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }];

  it("parses protobuf durations", () => {
    expect(parseProtobufDuration("7s")).toBe(7000);
    expect(parseProtobufDuration("0.250s")).toBe(250);
    expect(parseProtobufDuration("7")).toBeUndefined();
    expect(parseProtobufDuration(7)).toBeUndefined();
  });

  it("finds the RetryInfo among other details", () => {
    const details = [{ "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [] }, ...retryInfo("42s")];
    expect(retryDelayFromDetails(details)).toBe(42_000);
    expect(retryDelayFromDetails(undefined)).toBeUndefined();
  });

  it("retries rate limits, server errors, timeouts and network failures, not bad requests or blocked replies", () => {
    expect(classifyGeminiError(new GoogleGenerativeAIFetchError("quota", 429, "Too Many Requests", retryInfo("7s")))).toEqual({
      retryable: true,
      hintedDelayMs: 7000,
    });
    expect(classifyGeminiError(new GoogleGenerativeAIFetchError("down", 503, "Service Unavailable"))).toEqual({ retryable: true });
    expect(classifyGeminiError(new GoogleGenerativeAIFetchError("bad", 400, "Bad Request"))).toEqual({ retryable: false });
    expect(classifyGeminiError(new GoogleGenerativeAIAbortError("aborted"))).toEqual({ retryable: true });
    expect(classifyGeminiError(new GoogleGenerativeAIError("Error fetching from x: fetch failed"))).toEqual({ retryable: true });
    expect(classifyGeminiError(new GoogleGenerativeAIResponseError("blocked"))).toEqual({ retryable: false });
    expect(classifyGeminiError(new SyntaxError("Unexpected token"))).toEqual({ retryable: false });
  });
});
