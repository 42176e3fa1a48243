import type { Opik } from "opik";
import { OPIK_LIMITS, SUITE_ASSERTION_CATEGORY } from "../constants.js";
import type { AssertionVerdict } from "../types.js";
import type { OpikCall } from "./span-count.js";
import { writeBatches } from "./write-batches.js";

type RequestOptions = Parameters<Opik["api"]["assertionResults"]["storeAssertionsBatch"]>[1];

/** A verdict on one evaluation trace. */
export type TraceAssertion = AssertionVerdict & { traceId: string };

/** Opik's reason fields are cut where its feedback scores cut them. */
const REASON_LIMIT = 10_000;

/**
 * Writes suite assertion verdicts as the SDK's runTests does: assertion results of the run's trace
 * (PUT /v1/private/assertion-results, source sdk), which Opik turns into the run's status, the item's pass or fail and
 * the experiment's pass rate. A backend older than assertion results answers 404; the SDK then writes the verdicts as
 * trace feedback scores (1 passed, 0 failed) in category suite_assertion, and so does this, for the rest of the run.
 * Both writes upsert by trace and name, so a rerun rewrites instead of adding.
 */
export function assertionResultsWriter(
  call: OpikCall,
  api: Opik["api"],
  options: { projectName: string; requestOptions: RequestOptions },
): (verdicts: readonly TraceAssertion[]) => Promise<void> {
  let backendHasAssertionResults = true;
  const batchLimits = { maxCount: OPIK_LIMITS.assertionResultBatch, maxBytes: OPIK_LIMITS.requestBytes - OPIK_LIMITS.requestEnvelopeBytes };

  const storeAsAssertionResults = (batch: readonly TraceAssertion[]): Promise<boolean> =>
    call("assertion results write", async () => {
      try {
        await api.assertionResults.storeAssertionsBatch(
          {
            entityType: "TRACE",
            assertionResults: batch.map((v) => ({
              entityId: v.traceId,
              projectName: options.projectName,
              name: v.name,
              status: v.passed ? "passed" : "failed",
              source: "sdk",
              ...(v.reason ? { reason: v.reason.slice(0, REASON_LIMIT) } : {}),
            })),
          },
          options.requestOptions,
        );
        return true;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return false;
        throw error;
      }
    });

  const storeAsFeedbackScores = (batch: readonly TraceAssertion[]): Promise<void> =>
    call("assertion results write (as suite_assertion feedback scores)", () =>
      api.traces.scoreBatchOfTraces(
        {
          scores: batch.map((v) => ({
            id: v.traceId,
            name: v.name,
            value: v.passed ? 1 : 0,
            categoryName: SUITE_ASSERTION_CATEGORY,
            source: "sdk",
            projectName: options.projectName,
            ...(v.reason ? { reason: v.reason.slice(0, REASON_LIMIT) } : {}),
          })),
        },
        options.requestOptions,
      ),
    );

  return async (verdicts) => {
    for (const batch of writeBatches(verdicts, batchLimits)) {
      if (backendHasAssertionResults && (await storeAsAssertionResults(batch))) continue;
      backendHasAssertionResults = false;
      await storeAsFeedbackScores(batch);
    }
  };
}
