import { createHash } from "node:crypto";
import { costUsd, priceOf } from "../providers/model-prices.js";
import type { ChatMessage, ChatModel, Completion, CompleteOptions } from "../types.js";

/** Where cached completions live: a folder the GitHub Actions cache carries between runs, or a local one. */
export interface CompletionStore {
  read(key: string): Promise<Completion | undefined>;
  write(key: string, completion: Completion): Promise<void>;
}

/** What the cache did for one role's calls: the report shows it, and what the hits would have cost. */
export interface CacheTally {
  hits: number;
  misses: number;
  /** Null when a hit's model has no price in the table. */
  savedUsd: number | null;
}

export const emptyTally = (): CacheTally => ({ hits: 0, misses: 0, savedUsd: 0 });

/** Bumped when what a key covers changes, so older entries stop matching instead of answering wrongly. */
const KEY_VERSION = 1;

/**
 * A model whose completions are kept by content: the key is the provider, the model, its settings and the exact
 * messages sent — for a task the rendered prompt template and the item's input, for a judge its prompt with the
 * input, output and context — so any change to any of them is a miss. The n-th identical request of a run gets
 * the n-th stored answer, so repeats of one item stay distinct runs rather than one answer replayed.
 */
export class CompletionCache {
  readonly tally: Record<"task" | "judge", CacheTally> = { task: emptyTally(), judge: emptyTally() };
  private readonly occurrences = new Map<string, number>();

  constructor(private readonly store: CompletionStore) {}

  wrap(model: ChatModel, role: "task" | "judge", settings: { temperature: number }): ChatModel {
    return {
      provider: model.provider,
      model: model.model,
      complete: async (messages: ChatMessage[], options?: CompleteOptions): Promise<Completion> => {
        const key = this.keyFor(model, settings, messages, options);
        const tally = this.tally[role];
        const cached = await this.store.read(key);
        if (cached) {
          tally.hits += 1;
          const price = priceOf(model.provider, cached.model || model.model);
          const usage = cached.usage;
          tally.savedUsd = price && tally.savedUsd !== null ? tally.savedUsd + (usage ? costUsd(price, usage.promptTokens, usage.completionTokens) : 0) : null;
          return { ...cached, cached: true };
        }
        tally.misses += 1;
        const completion = await model.complete(messages, options);
        await this.store.write(key, completion);
        return completion;
      },
    };
  }

  private keyFor(model: ChatModel, settings: { temperature: number }, messages: ChatMessage[], options: CompleteOptions | undefined): string {
    const content = JSON.stringify([KEY_VERSION, model.provider, model.model, settings.temperature, options?.json === true, messages]);
    const base = createHash("sha256").update(content).digest("hex");
    const occurrence = this.occurrences.get(base) ?? 0;
    this.occurrences.set(base, occurrence + 1);
    return occurrence === 0 ? base : createHash("sha256").update(`${base}:${occurrence}`).digest("hex");
  }
}
