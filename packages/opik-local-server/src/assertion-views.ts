import type { OpikStore, StoredExecutionPolicy, StoredExperiment, StoredExperimentItem } from "./store.js";

/**
 * How a backend with assertion results (SDK 2.0.40's AssertionResult, ExperimentItem.status,
 * ExperimentPublic.pass_rate / passed_count / total_count / assertion_scores) shows a test suite run.
 * The published OpenAPI description predates these members and says nothing of how they are
 * computed; what is modelled here follows the SDK's own `buildSuiteResult`, which produces the
 * same figures client-side (see each function for the choices it makes).
 */

const DEFAULT_POLICY: StoredExecutionPolicy = { runs_per_item: 1, pass_threshold: 1 };

interface ItemAssertions {
  assertion_results?: { value: string; passed: boolean; reason?: string }[];
  status?: "passed" | "failed";
}

/**
 * An experiment item's TRACE results, by name. `status` only on items of an evaluation_suite
 * experiment that have results: passed iff every result passed.
 */
export function renderItemAssertions(store: OpikStore, item: StoredExperimentItem): ItemAssertions {
  const results = store.assertionResultsOf("TRACE", item.trace_id);
  if (results.length === 0) return {};
  const rendered = results.map((r) => ({ value: r.name, passed: r.status === "passed", ...(r.reason !== undefined ? { reason: r.reason } : {}) }));
  const suite = store.experiments.get(item.experiment_id)?.evaluation_method === "evaluation_suite";
  return { assertion_results: rendered, ...(suite ? { status: rendered.every((r) => r.passed) ? "passed" : "failed" } : {}) };
}

interface SuiteAggregates {
  pass_rate?: number;
  passed_count?: number;
  total_count?: number;
  assertion_scores?: { name: string; value: number }[];
}

/**
 * The pass figures of an evaluation_suite experiment; nothing for a regular one.
 *
 * - A run (experiment item) passes when none of its assertions failed: the SDK's buildSuiteResult
 *   counts a run without results as passing, and so does this.
 * - A dataset item passes when at least `pass_threshold` of its runs passed, under its own
 *   execution policy, else the suite version's, else one run that must pass.
 * - `total_count` counts the dataset items with at least one result in the experiment (the SDK's
 *   pass rate is over items with assertions); `pass_rate` is absent while there are none.
 * - `assertion_scores` is, per assertion name, the share of passed results over the experiment's items.
 */
export function renderSuiteAggregates(store: OpikStore, experiment: StoredExperiment): SuiteAggregates {
  if (experiment.evaluation_method !== "evaluation_suite") return {};
  const runsByItem = new Map<string, { passed: number; assessed: boolean }>();
  const byName = new Map<string, { passed: number; total: number }>();
  for (const item of store.itemsOfExperiment(experiment.id)) {
    const results = store.assertionResultsOf("TRACE", item.trace_id);
    const runs = runsByItem.get(item.dataset_item_id) ?? { passed: 0, assessed: false };
    if (results.every((r) => r.status === "passed")) runs.passed += 1;
    if (results.length > 0) runs.assessed = true;
    runsByItem.set(item.dataset_item_id, runs);
    for (const result of results) {
      const tally = byName.get(result.name) ?? { passed: 0, total: 0 };
      tally.total += 1;
      if (result.status === "passed") tally.passed += 1;
      byName.set(result.name, tally);
    }
  }
  let passedCount = 0;
  let totalCount = 0;
  for (const [datasetItemId, runs] of runsByItem) {
    if (!runs.assessed) continue;
    totalCount += 1;
    if (runs.passed >= policyOf(store, experiment, datasetItemId).pass_threshold) passedCount += 1;
  }
  const scores = [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, { passed, total }]) => ({ name, value: passed / total }));
  return {
    ...(totalCount > 0 ? { pass_rate: passedCount / totalCount } : {}),
    passed_count: passedCount,
    total_count: totalCount,
    ...(scores.length > 0 ? { assertion_scores: scores } : {}),
  };
}

/** The item as of the experiment's suite version when it has one, else the live item; the version's policy, else the latest's. */
function policyOf(store: OpikStore, experiment: StoredExperiment, datasetItemId: string): StoredExecutionPolicy {
  const version =
    (experiment.dataset_version_id ? store.datasetVersions.get(experiment.dataset_version_id) : undefined) ?? store.versionsOfDataset(experiment.dataset_id)[0];
  const item = version?.snapshot[datasetItemId] ?? store.datasetItems.get(datasetItemId);
  return item?.execution_policy ?? version?.execution_policy ?? DEFAULT_POLICY;
}
