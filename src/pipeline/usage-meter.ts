import { costUsd, priceOf } from "../providers/model-prices.js";
import type { UsageTotals } from "../run-result.js";
import type { ChatModel } from "../types.js";

export type UsageRole = "task" | "judge";

export const emptyUsage = (): UsageTotals => ({ calls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, costUsd: 0 });

/** Counts the tokens and estimated cost of every task and judge call, for the report and the budget. */
export class UsageMeter {
  readonly totals: Record<UsageRole, UsageTotals> = { task: emptyUsage(), judge: emptyUsage() };

  /** Estimated spend so far; calls to unpriced models count as free, which the report says. */
  get spentUsd(): number {
    return (this.totals.task.costUsd ?? 0) + (this.totals.judge.costUsd ?? 0);
  }

  record(role: UsageRole, provider: string, model: string, promptTokens: number, completionTokens: number): void {
    const totals = this.totals[role];
    totals.calls += 1;
    totals.promptTokens += promptTokens;
    totals.completionTokens += completionTokens;
    totals.totalTokens += promptTokens + completionTokens;
    const price = priceOf(provider, model);
    totals.costUsd = price && totals.costUsd !== null ? totals.costUsd + costUsd(price, promptTokens, completionTokens) : null;
  }

  /** The same model, with each completion's usage recorded under `role`. */
  meter(model: ChatModel, role: UsageRole): ChatModel {
    return {
      provider: model.provider,
      model: model.model,
      complete: async (messages, options) => {
        const completion = await model.complete(messages, options);
        this.record(role, model.provider, completion.model || model.model, completion.usage?.promptTokens ?? 0, completion.usage?.completionTokens ?? 0);
        return completion;
      },
    };
  }
}
