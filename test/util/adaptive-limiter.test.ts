import { describe, expect, it } from "vitest";
import { AdaptiveLimiter } from "../../src/util/adaptive-limiter.js";

describe("AdaptiveLimiter", () => {
  it("halves on pushback at most once per cool-down, and creeps back up with successes", () => {
    let now = 0;
    const limiter = new AdaptiveLimiter(16, 1000, () => now);
    limiter.pushedBack();
    limiter.pushedBack(); // same cool-down: one cut for a burst of 429s
    expect(limiter.limit).toBe(8);
    now = 1500;
    limiter.pushedBack();
    expect(limiter.limit).toBe(4);
    for (let i = 0; i < 4; i += 1) limiter.succeeded();
    expect(limiter.limit).toBe(5);
    for (let i = 0; i < 200; i += 1) limiter.succeeded();
    expect(limiter.limit).toBe(16);
  });

  it("never lets more than the current limit run", async () => {
    const limiter = new AdaptiveLimiter(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        await limiter.acquire();
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        running -= 1;
        limiter.release();
      }),
    );
    expect(peak).toBe(3);
  });
});
