import type { PromoteSettings } from "../config/parse-promote.js";
import type { NewSuiteItem, OpikGateway, TestSuiteSettings } from "../opik/opik-gateway.js";
import type { PromotedItem, PromotionFlag, PromotionOutcome } from "../run-result.js";
import type { DatasetItemRecord, ItemOutcome } from "../types.js";
import { suiteItemId } from "./derived-id.js";
import type { Logger } from "./logger.js";
import { selectPromotions, type PromotionCandidate } from "./select-promotions.js";

/** Dataset items read at once while promoting: a handful of small GETs, never the whole dataset. */
const READ_CONCURRENCY = 4;

/**
 * Adds the run's failures to the feature's test suite (created if missing): each flagged item's span input, its
 * recorded output as context, its source ids and what flagged it. Dedups by source span against the suite's items, and
 * the item ids derive from suite and span, so an overlapping run's write of the same span is an upsert. Throws on any
 * failed or unconfirmed write; the caller turns that into a warning.
 */
export async function promoteFailures(
  opik: OpikGateway,
  settings: PromoteSettings,
  /** The experiment's outcomes: their trace ids are the evaluation's, the source span's are in the dataset items. */
  outcomes: readonly ItemOutcome[],
  context: { experimentType: string; experimentName: string },
  log: Logger,
): Promise<{ outcome: PromotionOutcome; warnings: string[] }> {
  const warnings: string[] = [];
  const outcome: PromotionOutcome = { suiteName: settings.suiteName, created: false, items: [], alreadyInSuite: 0, overCap: 0 };
  // Nothing flagged, nothing to write: the suite is not even created.
  if (selectPromotions(outcomes, settings.bounds, new Set(), Number.MAX_SAFE_INTEGER).chosen.length === 0) return { outcome, warnings };

  const wanted: TestSuiteSettings = { assertions: settings.assertions, executionPolicy: settings.executionPolicy };
  const description = `Regression cases of ${context.experimentType}, promoted from production spans by opik-evaluate`;
  const { suite, created, settings: current } = await opik.ensureTestSuite(settings.suiteName, description, wanted);
  outcome.created = created;
  outcome.suiteUrl = opik.datasetUrl(suite);
  if (!created && JSON.stringify(current) !== JSON.stringify(wanted)) {
    // The suite's settings are Opik's once it exists (edited in its UI, say); the config's only seed a new suite.
    warnings.push(
      `test suite ${suite.name} keeps its own settings (${describeSettings(current)}), not test_suite's (${describeSettings(wanted)}), which apply when a run creates the suite`,
    );
  }

  const inSuite = new Set(await opik.testSuiteSourceSpans(suite));
  const selection = selectPromotions(outcomes, settings.bounds, inSuite, settings.maxPerRun);
  outcome.alreadyInSuite = selection.alreadyInSuite;
  outcome.overCap = selection.overCap;
  if (selection.chosen.length === 0) return { outcome, warnings };

  // The experiment let go of the items' payloads to keep memory flat, so the chosen few are read again.
  const sources = await readItems(
    opik,
    selection.chosen.map((candidate) => candidate.outcome.datasetItemId),
  );
  const items = selection.chosen.map((candidate) => suiteItem(candidate, sources.get(candidate.outcome.datasetItemId), suite, context));
  log.info(`Promoting ${items.length} item(s) to test suite ${suite.name}${created ? " (created)" : ""}`);
  await opik.insertTestSuiteItems(suite, items);

  const readBack = new Map((await opik.listDatasetItems(suite)).map((item) => [item.id, item]));
  const missing = items.filter((item) => readBack.get(item.id)?.data.source_span_id !== item.spanId);
  if (missing.length)
    throw new Error(`test suite ${suite.name} does not hold ${missing.length} of the ${items.length} item(s) written, e.g. span ${missing[0]?.spanId}`);

  outcome.items = items.map((item, index): PromotedItem => ({
    spanId: item.spanId,
    traceId: item.traceId,
    suiteItemId: item.id,
    flags: selection.chosen[index]?.flags ?? [],
    url: opik.traceUrl(item.traceId),
  }));
  return { outcome, warnings };
}

async function readItems(opik: OpikGateway, ids: readonly string[]): Promise<Map<string, DatasetItemRecord>> {
  const found = new Map<string, DatasetItemRecord>();
  for (let start = 0; start < ids.length; start += READ_CONCURRENCY) {
    const batch = await Promise.all(ids.slice(start, start + READ_CONCURRENCY).map((id) => opik.getDatasetItem(id)));
    for (const [index, item] of batch.entries()) {
      const id = ids[start + index];
      if (!item || id === undefined) throw new Error(`dataset item ${id} of the evaluated dataset cannot be read back`);
      found.set(id, item);
    }
  }
  return found;
}

/**
 * The suite item, keyed as a suite built in Opik's UI is: `input` is what the task receives and the judge reads as
 * the input; `context` holds the output production recorded (the failure, not an expected answer); the `source_*` keys
 * and `flagged_by` say where it came from and why. docs/architecture.md lists the keys for the suite gate.
 */
function suiteItem(
  candidate: PromotionCandidate,
  datasetItem: DatasetItemRecord | undefined,
  suite: { id: string; createdAt?: string },
  context: { experimentType: string; experimentName: string },
): NewSuiteItem & { spanId: string; traceId: string } {
  const { outcome, flags } = candidate;
  const data = datasetItem?.data ?? {};
  // The outcome's trace is the evaluation's; the span's own trace is the harvested item's.
  const traceId = datasetItem?.traceId ?? (typeof data.trace_id === "string" ? data.trace_id : "");
  return {
    id: suiteItemId(suite, outcome.spanId),
    spanId: outcome.spanId,
    traceId,
    data: {
      input: data.input ?? outcome.input,
      context: data.expected_output ?? null,
      source_span_id: outcome.spanId,
      source_trace_id: traceId,
      ...(typeof data.span_name === "string" ? { source_span_name: data.span_name } : {}),
      source_experiment: context.experimentName,
      flagged_by: flags.map(flagData),
    },
    description: `Promoted from span ${outcome.spanId}: ${flags.map(describeFlag).join("; ")}`,
  };
}

function flagData(flag: PromotionFlag): Record<string, unknown> {
  return "value" in flag
    ? { metric: flag.metric, value: flag.value, [flag.bound]: flag.limit, ...(flag.reason ? { reason: flag.reason } : {}) }
    : { metric: flag.metric, error: flag.error };
}

function describeFlag(flag: PromotionFlag): string {
  if (!("value" in flag)) return `${flag.metric} failed to score`;
  return `${flag.metric} ${round(flag.value)} ${flag.bound === "min" ? "<" : ">"} ${flag.limit}`;
}

function describeSettings(settings: TestSuiteSettings): string {
  const { runsPerItem, passThreshold } = settings.executionPolicy;
  return `${settings.assertions.length} assertion(s), runs_per_item ${runsPerItem}, pass_threshold ${passThreshold}`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
