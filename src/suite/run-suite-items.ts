import { errorMessage } from "../errors.js";
import { extractText, lastUserMessage } from "../metrics/extract-text.js";
import { judgeAssertions } from "../opik/suite-judge.js";
import type { SuiteRunOutcome } from "../run-result.js";
import type { ChatModel, TokenUsage } from "../types.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import type { ResolvedSuiteItem } from "./resolve-suite.js";
import { runPassed } from "./suite-results.js";

/** What the task gives for one run of one item. */
export type SuiteTask = (item: ResolvedSuiteItem) => Promise<{ output: unknown; usage?: TokenUsage }>;

/** One run, timed, with what the trace records. */
export interface TimedSuiteRun extends SuiteRunOutcome {
  itemId: string;
  startTime: Date;
  endTime: Date;
  /** The task's raw output, as the trace records it. */
  rawOutput: unknown;
}

/** The user part of an item's input: the last user message of a chat, else the input as text. */
export function suiteItemInput(data: Record<string, unknown>): string {
  return lastUserMessage(data.input) ?? extractText(data.input);
}

/**
 * Every item × runs_per_item run: the task, then one judge call for all of the run's assertions,
 * under the shared limiter so providers' pushback lowers the concurrency.
 */
export async function runSuiteItems(
  items: readonly ResolvedSuiteItem[],
  deps: { task: SuiteTask; judge: ChatModel; limiter: AdaptiveLimiter; progress: (done: number, total: number) => void },
): Promise<TimedSuiteRun[]> {
  const todo = items.flatMap((item) => Array.from({ length: item.policy.runsPerItem }, (_, runIndex) => ({ item, runIndex })));
  let done = 0;
  const runOne = async ({ item, runIndex }: { item: ResolvedSuiteItem; runIndex: number }): Promise<TimedSuiteRun> => {
    await deps.limiter.acquire();
    const startTime = new Date();
    try {
      let rawOutput: unknown;
      try {
        rawOutput = (await deps.task(item)).output;
      } catch (error) {
        const taskError = errorMessage(error);
        return { itemId: item.id, runIndex, passed: false, output: "", taskError, assertions: [], startTime, endTime: new Date(), rawOutput: null };
      }
      const output = extractText(rawOutput);
      const scores = await judgeAssertions(deps.judge, item.data.input ?? item.data, output, item.assertions);
      const assertions = scores.map((s) => ({
        assertion: s.assertion,
        passed: s.value === 1,
        reason: s.reason,
        ...(s.scoringFailed ? { scoringFailed: true } : {}),
      }));
      deps.limiter.succeeded();
      return { itemId: item.id, runIndex, passed: runPassed({ assertions }), output, assertions, startTime, endTime: new Date(), rawOutput };
    } finally {
      deps.limiter.release();
      done += 1;
      deps.progress(done, todo.length);
    }
  };
  return Promise.all(todo.map(runOne));
}
