import { GoogleGenerativeAIAbortError, GoogleGenerativeAIError, GoogleGenerativeAIFetchError } from "@google/generative-ai";
import type { RetryDecision } from "./retry.js";

const RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

/**
 * Whether a failed Gemini call is worth another attempt. The SDK's
 * GoogleGenerativeAIFetchError carries status, statusText and the error's
 * `details`, but not the response headers, so the server's requested wait can
 * only come from a google.rpc.RetryInfo detail (`retryDelay: "7s"`).
 */
export function classifyGeminiError(error: unknown): RetryDecision {
  if (error instanceof GoogleGenerativeAIFetchError) {
    const status = error.status ?? 0;
    const retryable = status === 408 || status === 429 || status >= 500;
    const hintedDelayMs = retryDelayFromDetails(error.errorDetails);
    return hintedDelayMs === undefined ? { retryable } : { retryable, hintedDelayMs };
  }
  // The per-attempt timeout fired (a caller's abort is checked before retrying).
  if (error instanceof GoogleGenerativeAIAbortError) return { retryable: true };
  // The SDK wraps network failures (refused, reset, DNS) in the base class itself.
  if (error instanceof GoogleGenerativeAIError && error.constructor === GoogleGenerativeAIError) return { retryable: true };
  return { retryable: false };
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof GoogleGenerativeAIFetchError ? error.status : undefined;
}

/** The wait a RetryInfo detail asks for, in milliseconds. */
export function retryDelayFromDetails(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as unknown[]) {
    if (typeof detail === "object" && detail !== null && "@type" in detail && detail["@type"] === RETRY_INFO_TYPE && "retryDelay" in detail) {
      return parseProtobufDuration(detail.retryDelay);
    }
  }
  return undefined;
}

/** Parses the JSON form of google.protobuf.Duration ("7s", "0.250s"), in milliseconds. */
export function parseProtobufDuration(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}
