import { describe, expect, it } from "vitest";
import { jsonBytes, writeBatches } from "../../src/opik/write-batches.js";

describe("writeBatches", () => {
  it("splits by count when the items are small", () => {
    const items = Array.from({ length: 2500 }, (_, i) => ({ id: i }));
    const batches = writeBatches(items, { maxCount: 1000, maxBytes: 4 * 1024 * 1024 });
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect(batches.flat()).toEqual(items);
  });

  it("splits by serialized bytes, keeping order, every batch (commas included) within the limit", () => {
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`writeBatches seed ${seed}`);
    let state = seed;
    const items = Array.from({ length: 300 }, (_, i) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return { id: i, text: "é".repeat(state % 5000) };
    });
    const maxBytes = 40_000;
    const batches = writeBatches(items, { maxCount: 1000, maxBytes });
    expect(batches.flat()).toEqual(items);
    expect(batches.length).toBeGreaterThan(1);
    for (const batch of batches) expect(jsonBytes(batch)).toBeLessThanOrEqual(maxBytes + 2);
    // Greedy: the next item would not have fitted in the batch before it.
    for (let i = 1; i < batches.length; i += 1) expect(jsonBytes([...batches[i - 1]!, batches[i]![0]])).toBeGreaterThan(maxBytes);
  });

  it("applies both limits at once, and sends an item over the byte limit alone", () => {
    const big = { text: "x".repeat(5000) };
    const small = { text: "y" };
    const batches = writeBatches([small, small, small, big, small, small, small], { maxCount: 2, maxBytes: 1000 });
    expect(batches).toEqual([[small, small], [small], [big], [small, small], [small]]);
  });
});
