import { describe, expect, it } from "vitest";
import { fitJson, truncationMarker } from "../../src/pipeline/fit-item.js";
import { jsonBytes } from "../../src/opik/write-batches.js";

const MB = 1024 * 1024;

function seededText(seed: number, length: number): string {
  // A small LCG: the same seed always builds the same text, including multi-byte and escaped characters.
  const alphabet = 'abcdefghij klmnop"\\\né€😀';
  const chars = [...alphabet];
  let state = seed;
  let out = "";
  while (out.length < length) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out += chars[state % chars.length];
  }
  return out;
}

describe("fitJson", () => {
  it("leaves an item that fits untouched (same object)", () => {
    const item = { input: "short", expected_output: { text: "also short" } };
    const fitted = fitJson(item, 1000);
    expect(fitted.truncated).toBe(false);
    expect(fitted.value).toBe(item);
  });

  it("cuts the largest strings of a 10 MB item to fit, with a marker naming both sizes, and keeps ids", () => {
    const item = {
      input: { prompt: "p".repeat(5 * MB) },
      expected_output: "o".repeat(5 * MB),
      span_id: "0193d3a0-0000-7000-8000-000000000002",
      note: "n".repeat(2000),
    };
    const fitted = fitJson(item, 4 * MB);
    expect(fitted.truncated).toBe(true);
    expect(fitted.originalBytes).toBe(jsonBytes(item));
    expect(fitted.bytes).toBeLessThanOrEqual(4 * MB);
    expect(jsonBytes(fitted.value)).toBe(fitted.bytes);
    expect(fitted.value.span_id).toBe(item.span_id);
    expect(fitted.value.note).toBe(item.note);
    const prompt = fitted.value.input.prompt;
    expect(prompt.startsWith("pppp")).toBe(true);
    expect(prompt).toMatch(/…\[truncated by opik-evaluate: 5,242,880 → [\d,]+ bytes\]$/);
    expect(fitted.value.expected_output).toMatch(/^o+…\[truncated by opik-evaluate: 5,242,880 → [\d,]+ bytes\]$/);
    // Both halves give up about the same: the cut is shared, not all taken from one.
    expect(Math.abs(prompt.length - fitted.value.expected_output.length)).toBeLessThan(100);
    expect(item.expected_output.length).toBe(5 * MB);
  });

  it("fits text with escapes, multi-byte characters and surrogate pairs exactly under the limit", () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`fitJson escape test seed ${seed}`);
    const item = { input: seededText(seed, 300_000), expected_output: [seededText(seed + 1, 200_000), seededText(seed + 2, 50_000)] };
    const limit = 150_000;
    const fitted = fitJson(item, limit);
    expect(fitted.truncated).toBe(true);
    expect(fitted.bytes).toBeLessThanOrEqual(limit);
    expect(fitted.bytes).toBeGreaterThan(limit * 0.9);
    const text = JSON.stringify(fitted.value);
    // No lone surrogate survived a cut.
    expect(text).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
  });

  it("drops the largest members when strings cannot make room", () => {
    const item = { span_id: "s1", input: Array.from({ length: 200_000 }, (_, i) => i) };
    const fitted = fitJson(item, 10_000);
    expect(fitted.bytes).toBeLessThanOrEqual(10_000);
    expect(fitted.value.span_id).toBe("s1");
    expect(fitted.value.input).toBe(truncationMarker(jsonBytes(item.input), 0));
  });
});
