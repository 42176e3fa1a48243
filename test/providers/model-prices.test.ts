import { describe, expect, it } from "vitest";
import { costUsd, priceOf } from "../../src/providers/model-prices.js";
import { UsageMeter } from "../../src/pipeline/usage-meter.js";

describe("model prices", () => {
  it("matches dated snapshots to their family, longest prefix first", () => {
    expect(priceOf("openai", "gpt-4o-mini-2024-07-18")).toEqual(priceOf("openai", "gpt-4o-mini"));
    expect(priceOf("openai", "gpt-4o-2024-08-06")).toEqual(priceOf("openai", "gpt-4o"));
    expect(priceOf("gemini", "models/gemini-2.0-flash")).toEqual(priceOf("gemini", "gemini-2.0-flash"));
    expect(priceOf("openai", "my-fine-tune")).toBeUndefined();
    expect(priceOf("ollama", "llama3.1")).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
  });

  it("prices tokens per million", () => {
    expect(costUsd({ inputPerMillion: 0.15, outputPerMillion: 0.6 }, 1_000_000, 500_000)).toBeCloseTo(0.45, 10);
  });

  it("reports tokens only once a model has no known price", () => {
    const meter = new UsageMeter();
    meter.record("task", "openai", "gpt-4o-mini", 1000, 100);
    expect(meter.totals.task.costUsd).toBeCloseTo(0.00021, 10);
    meter.record("task", "openai", "my-fine-tune", 1000, 100);
    expect(meter.totals.task).toMatchObject({ calls: 2, totalTokens: 2200, costUsd: null });
    expect(meter.spentUsd).toBe(0);
  });
});
