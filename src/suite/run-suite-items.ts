import { errorMessage } from "../errors.js";
import { extractText, lastUserMessage } from "../metrics/extract-text.js";
import { judgeAssertions } from "../opik/suite-judge.js";
import type { SuiteRunOutcome } from "../run-result.js";
import type { ChatModel, TokenUsage } from "../types.js";
import type { AdaptiveLimiter } from "../util/adaptive-limiter.js";
import type { ResolvedSuiteItem } from "./resolve-suite.js";
import { runPassed } from "./suite-results.js";
import { SpanTrace } from "../pipeline/span-recorder.js";

/** What the task gives for one run of one item. */
export type SuiteTask = (item: ResolvedSuiteItem) => Promise<{ output: unknown; usage?: TokenUsage }>;

/** One run, timed, with what the trace records. */
export interface TimedSuiteRun extends SuiteRunOutcome {
  itemId: string;
  startTime: Date;
  endTime: Date;
  /** The task's raw output, as the trace records it. */
  rawOutput: unknown;
  /** The run's spans: the task, the judge, and their model calls. */
  trace: SpanTrace;
}

/** The span of the judge that checks a run's assertions, named as the SDK's suite evaluator (LLMJudge) is. */
const SUITE_JUDGE_SPAN = "llm_judge";

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
    // As the SDK's runTests records a run: the task and the judge as spans of the run's trace, each model call under them.
    const trace = new SpanTrace();
    try {
      let rawOutput: unknown;
      try {
        rawOutput = (
          await trace.span(
            "llm_task",
            { id: item.id, ...item.data },
            () => deps.task(item),
            (result) => ({ output: { output: result.output } }),
          )
        ).output;
      } catch (error) {
        const taskError = errorMessage(error);
        return { itemId: item.id, runIndex, passed: false, output: "", taskError, assertions: [], startTime, endTime: new Date(), rawOutput: null, trace };
      }
      const output = extractText(rawOutput);
      const calculation = trace.open("metrics_calculation");
      const scores = await calculation.child(
        SUITE_JUDGE_SPAN,
        () => judgeAssertions(deps.judge, item.data.input ?? item.data, output, item.assertions),
        (judged) => ({
          output: { scores: judged.map((s) => ({ name: s.assertion, value: s.value, reason: s.reason })) },
        }),
      );
      calculation.end();
      const assertions = scores.map((s) => ({
        assertion: s.assertion,
        passed: s.value === 1,
        reason: s.reason,
        ...(s.scoringFailed ? { scoringFailed: true } : {}),
      }));
      deps.limiter.succeeded();
      return { itemId: item.id, runIndex, passed: runPassed({ assertions }), output, assertions, startTime, endTime: new Date(), rawOutput, trace };
    } finally {
      deps.limiter.release();
      done += 1;
      deps.progress(done, todo.length);
    }
  };
  return Promise.all(todo.map(runOne));
}
