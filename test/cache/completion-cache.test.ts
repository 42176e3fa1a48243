import { mkdtemp, readdir, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DirectoryCompletionStore, pruneCompletionStore } from "../../src/adapters/directory-completion-store.js";
import { CompletionCache } from "../../src/cache/completion-cache.js";
import { completionCacheKeys } from "../../src/adapters/actions-completion-cache.js";
import type { ChatMessage, ChatModel } from "../../src/types.js";

/** A model that answers with a counter, so a test sees which answers were made and which were replayed. */
function countingModel(model = "gpt-4o-mini"): ChatModel & { calls: number } {
  const counting = {
    provider: "openai" as const,
    model,
    calls: 0,
    complete: () => {
      counting.calls += 1;
      return Promise.resolve({ text: `answer ${counting.calls}`, model, usage: { promptTokens: 1_000_000, completionTokens: 0, totalTokens: 1_000_000 } });
    },
  };
  return counting;
}

const ask = (text: string): ChatMessage[] => [{ role: "user", content: text }];

describe("CompletionCache", () => {
  it("replays the n-th identical request's own answer, so repeats stay distinct runs", async () => {
    const store = new DirectoryCompletionStore(await mkdtemp(path.join(os.tmpdir(), "completion-cache-")));
    const first = countingModel();
    const cold = new CompletionCache(store).wrap(first, "task", { temperature: 0 });
    const coldAnswers = [await cold.complete(ask("a")), await cold.complete(ask("a")), await cold.complete(ask("b"))].map((c) => c.text);
    expect(coldAnswers).toEqual(["answer 1", "answer 2", "answer 3"]);

    const second = countingModel();
    const cache = new CompletionCache(store);
    const warm = cache.wrap(second, "task", { temperature: 0 });
    const warmAnswers = [await warm.complete(ask("a")), await warm.complete(ask("a")), await warm.complete(ask("b")), await warm.complete(ask("a"))].map(
      (c) => c.text,
    );
    // The third "a" was never asked before: a miss, answered anew.
    expect(warmAnswers).toEqual(["answer 1", "answer 2", "answer 3", "answer 1"]);
    expect(second.calls).toBe(1);
    // gpt-4o-mini input costs $0.15 per million tokens; each stored answer used a million.
    expect(cache.tally.task).toEqual({ hits: 3, misses: 1, savedUsd: expect.closeTo(0.45, 9) as unknown });
  });

  it("keys on the settings and the JSON flag, and cannot price an unknown model's savings", async () => {
    const store = new DirectoryCompletionStore(await mkdtemp(path.join(os.tmpdir(), "completion-cache-")));
    const model = countingModel("house-model");
    await new CompletionCache(store).wrap(model, "judge", { temperature: 0 }).complete(ask("a"), { json: true });
    const cache = new CompletionCache(store);
    const judge = cache.wrap(model, "judge", { temperature: 0 });
    await judge.complete(ask("a"), { json: true });
    await new CompletionCache(store).wrap(model, "judge", { temperature: 0.5 }).complete(ask("a"), { json: true });
    await new CompletionCache(store).wrap(model, "judge", { temperature: 0 }).complete(ask("a"));
    expect(model.calls).toBe(3);
    expect(cache.tally.judge).toEqual({ hits: 1, misses: 0, savedUsd: null });
  });

  it("prunes the least recently used entries down to the size bound", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "completion-cache-"));
    const store = new DirectoryCompletionStore(directory);
    const cache = new CompletionCache(store);
    const model = cache.wrap(countingModel(), "task", { temperature: 0 });
    for (const text of ["a", "b", "c", "d"]) await model.complete(ask(text));
    const files = (await readdir(directory, { recursive: true })).filter((name) => name.endsWith(".json")).map((name) => path.join(directory, name));
    expect(files).toHaveLength(4);
    const old = new Date(Date.now() - 3_600_000);
    for (const file of files.slice(0, 2)) await utimes(file, old, old);
    const removed = await pruneCompletionStore(directory, 250);
    const left = (await readdir(directory, { recursive: true })).filter((name) => name.endsWith(".json")).map((name) => path.join(directory, name));
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(left.every((file) => files.slice(2).includes(file))).toBe(true);
  });
});

describe("completionCacheKeys", () => {
  it("saves per run and restores the branch's newest, else the base branch's", () => {
    expect(completionCacheKeys("charter_optimization", "fix,prompt", "main", "77-1-gate")).toEqual({
      key: "opik-evaluate-completions-v1-charter_optimization-fix_prompt-77-1-gate",
      restoreKeys: ["opik-evaluate-completions-v1-charter_optimization-fix_prompt-", "opik-evaluate-completions-v1-charter_optimization-main-"],
    });
    expect(completionCacheKeys("t", "main", "main", "1").restoreKeys).toEqual(["opik-evaluate-completions-v1-t-main-"]);
  });
});
