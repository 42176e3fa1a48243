import { compact, type JsonValue } from "./json.js";
import { averageSpanScores, durationMillis } from "./filter-fields.js";
import { truncatePayload, withoutExcluded } from "./truncate.js";
import { renderPromptVersionLinks } from "./prompt-views.js";
import { renderItemAssertions, renderSuiteAggregates } from "./assertion-views.js";
import {
  type OpikStore,
  type StoredDataset,
  type StoredDatasetItem,
  type StoredDatasetVersion,
  type StoredExperiment,
  type StoredExperimentItem,
  type StoredFeedbackScore,
  type StoredProject,
  type StoredSpan,
  type StoredTrace,
  newestFirst,
} from "./store.js";

/**
 * Store records → the backend's public JSON (Span_Public, Trace_Public, ...). Only
 * members the OpenAPI schemas declare are emitted, and absent values are omitted
 * rather than sent as null, as the backend's NON_NULL mapper does.
 */

export interface PayloadOptions {
  readonly truncate: boolean;
  readonly exclude: ReadonlySet<string>;
}

export const FULL_PAYLOAD: PayloadOptions = { truncate: false, exclude: new Set() };

function payload(value: JsonValue | undefined, options: PayloadOptions): JsonValue | undefined {
  return options.truncate ? truncatePayload(value) : value;
}

export function renderScore(score: StoredFeedbackScore): Record<string, unknown> {
  return compact({
    name: score.name,
    category_name: score.category_name,
    value: score.value,
    reason: score.reason,
    source: score.source,
    created_at: score.created_at,
    last_updated_at: score.last_updated_at,
    created_by: score.created_by,
    last_updated_by: score.last_updated_by,
  });
}

function renderScores(scores: readonly StoredFeedbackScore[]): Record<string, unknown>[] | undefined {
  if (scores.length === 0) return undefined;
  return [...scores].sort((a, b) => a.name.localeCompare(b.name)).map(renderScore);
}

export function renderSpan(store: OpikStore, span: StoredSpan, options: PayloadOptions): Record<string, unknown> {
  const record = compact({
    id: span.id,
    project_id: span.project_id,
    trace_id: span.trace_id,
    parent_span_id: span.parent_span_id,
    name: span.name,
    type: span.type,
    start_time: span.start_time,
    end_time: span.end_time,
    input: payload(span.input, options),
    output: payload(span.output, options),
    metadata: payload(span.metadata, options),
    model: span.model,
    provider: span.provider,
    tags: span.tags?.length ? span.tags : undefined,
    usage: span.usage && Object.keys(span.usage).length > 0 ? span.usage : undefined,
    error_info: span.error_info,
    created_at: span.created_at,
    last_updated_at: span.last_updated_at,
    created_by: span.created_by,
    last_updated_by: span.last_updated_by,
    feedback_scores: renderScores(store.visibleScores("span", span.id, span.project_id)),
    total_estimated_cost: span.total_estimated_cost ? span.total_estimated_cost : undefined,
    total_estimated_cost_version: span.total_estimated_cost_version,
    duration: span.end_time ? durationMillis(span) : undefined,
    source: span.source,
    environment: span.environment,
  });
  return withoutExcluded(record, options.exclude);
}

export function renderTrace(store: OpikStore, trace: StoredTrace, options: PayloadOptions): Record<string, unknown> {
  const spans = store.spansOfTraceInProject(trace);
  const usage: Record<string, number> = {};
  let cost = 0;
  for (const span of spans) {
    for (const [key, amount] of Object.entries(span.usage ?? {})) usage[key] = (usage[key] ?? 0) + amount;
    cost += span.total_estimated_cost ?? 0;
  }
  const spanScores = averageSpanScores(store, spans);
  const providers = [...new Set(spans.flatMap((span) => (span.provider ? [span.provider] : [])))].sort();
  const record = compact({
    id: trace.id,
    project_id: trace.project_id,
    name: trace.name,
    start_time: trace.start_time,
    end_time: trace.end_time,
    input: payload(trace.input, options),
    output: payload(trace.output, options),
    metadata: payload(trace.metadata, options),
    tags: trace.tags?.length ? trace.tags : undefined,
    error_info: trace.error_info,
    usage: Object.keys(usage).length > 0 ? usage : undefined,
    created_at: trace.created_at,
    last_updated_at: trace.last_updated_at,
    created_by: trace.created_by,
    last_updated_by: trace.last_updated_by,
    feedback_scores: renderScores(store.visibleScores("trace", trace.id, trace.project_id)),
    span_feedback_scores: spanScores.length > 0 ? spanScores.map((s) => ({ name: s.name, value: s.value, source: "sdk" })) : undefined,
    total_estimated_cost: cost > 0 ? cost : undefined,
    span_count: spans.length,
    duration: trace.end_time ? durationMillis(trace) : undefined,
    thread_id: trace.thread_id,
    visibility_mode: "default",
    llm_span_count: spans.filter((span) => span.type === "llm").length,
    has_tool_spans: spans.some((span) => span.type === "tool"),
    providers,
    source: trace.source,
    environment: trace.environment,
  });
  return withoutExcluded(record, options.exclude);
}

export function renderProject(project: StoredProject): Record<string, unknown> {
  return compact({
    id: project.id,
    name: project.name,
    visibility: project.visibility,
    description: project.description,
    created_at: project.created_at,
    created_by: project.created_by,
    last_updated_at: project.last_updated_at,
    last_updated_by: project.last_updated_by,
    last_updated_trace_at: project.last_updated_trace_at,
  });
}

export function renderVersionSummary(version: StoredDatasetVersion, latest: boolean): Record<string, unknown> {
  return compact({
    id: version.id,
    version_hash: version.version_hash,
    version_name: version.version_name,
    change_description: version.change_description,
    tags: latest ? ["latest"] : [],
  });
}

export function renderVersion(version: StoredDatasetVersion, latest: boolean): Record<string, unknown> {
  return compact({
    id: version.id,
    dataset_id: version.dataset_id,
    version_hash: version.version_hash,
    tags: latest ? ["latest", ...(version.tags ?? [])] : (version.tags ?? []),
    is_latest: latest,
    version_name: version.version_name,
    items_total: version.item_ids.length,
    items_added: version.items_added,
    items_modified: version.items_modified,
    items_deleted: version.items_deleted,
    change_description: version.change_description,
    metadata: version.metadata,
    evaluators: version.evaluators,
    execution_policy: version.execution_policy,
    created_at: version.created_at,
    created_by: version.created_by,
    last_updated_at: version.last_updated_at,
    last_updated_by: version.last_updated_by,
  });
}

export function renderDataset(store: OpikStore, dataset: StoredDataset): Record<string, unknown> {
  const experiments = newestFirst([...store.experiments.values()].filter((e) => e.dataset_id === dataset.id));
  const latest = store.versionsOfDataset(dataset.id)[0];
  return compact({
    id: dataset.id,
    name: dataset.name,
    type: dataset.type ?? "dataset",
    visibility: dataset.visibility,
    tags: dataset.tags,
    description: dataset.description,
    created_at: dataset.created_at,
    created_by: dataset.created_by,
    last_updated_at: dataset.last_updated_at,
    last_updated_by: dataset.last_updated_by,
    experiment_count: experiments.length,
    dataset_items_count: store.itemsOfDataset(dataset.id).length,
    optimization_count: 0,
    most_recent_experiment_at: experiments[0]?.created_at,
    last_created_experiment_at: experiments[0]?.created_at,
    latest_version: latest ? renderVersionSummary(latest, true) : undefined,
  });
}

export function renderDatasetItem(item: StoredDatasetItem, options: PayloadOptions = FULL_PAYLOAD): Record<string, unknown> {
  return compact({
    id: item.id,
    dataset_item_id: item.id,
    trace_id: item.trace_id,
    span_id: item.span_id,
    source: item.source,
    data: options.truncate ? truncatePayload(item.data) : item.data,
    description: item.description,
    tags: item.tags?.length ? item.tags : undefined,
    evaluators: item.evaluators,
    execution_policy: item.execution_policy,
    dataset_id: item.dataset_id,
    created_at: item.created_at,
    last_updated_at: item.last_updated_at,
    created_by: item.created_by,
    last_updated_by: item.last_updated_by,
  });
}

function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank];
}

/**
 * What the backend's experiment aggregates compute from the spans of the experiment's traces: each trace's spans
 * summed (usage by key, cost), then the sum of the traces' costs, their mean, and the mean of their usage maps (avgMap),
 * over the traces that have spans. An experiment without spans reports none.
 */
function experimentSpanAggregates(store: OpikStore, traces: readonly StoredTrace[]): Record<string, unknown> {
  const perTrace = traces.flatMap((trace) => {
    const spans = store.spansOfTraceInProject(trace);
    if (spans.length === 0) return [];
    const usage: Record<string, number> = {};
    for (const span of spans) for (const [key, amount] of Object.entries(span.usage ?? {})) usage[key] = (usage[key] ?? 0) + amount;
    return [{ usage, cost: spans.reduce((sum, span) => sum + (span.total_estimated_cost ?? 0), 0) }];
  });
  if (perTrace.length === 0) return {};
  const usageTotals = new Map<string, { total: number; count: number }>();
  for (const { usage } of perTrace) {
    for (const [key, amount] of Object.entries(usage)) {
      const entry = usageTotals.get(key) ?? { total: 0, count: 0 };
      usageTotals.set(key, { total: entry.total + amount, count: entry.count + 1 });
    }
  }
  const cost = perTrace.reduce((sum, trace) => sum + trace.cost, 0);
  return {
    total_estimated_cost: cost,
    total_estimated_cost_avg: cost / perTrace.length,
    ...(usageTotals.size > 0 ? { usage: Object.fromEntries([...usageTotals].map(([key, { total, count }]) => [key, total / count])) } : {}),
  };
}

export function renderExperiment(store: OpikStore, experiment: StoredExperiment): Record<string, unknown> {
  const dataset = store.datasets.get(experiment.dataset_id);
  const items = store.itemsOfExperiment(experiment.id);
  const traceIds = [...new Set(items.map((item) => item.trace_id))];
  const traces = traceIds.flatMap((id) => {
    const trace = store.traces.get(id);
    return trace ? [trace] : [];
  });

  // Averages per score name over the experiment's traces, as the experiment page shows them.
  const sums = new Map<string, { total: number; count: number }>();
  for (const trace of traces) {
    for (const score of store.visibleScores("trace", trace.id, trace.project_id)) {
      const entry = sums.get(score.name) ?? { total: 0, count: 0 };
      entry.total += score.value;
      entry.count += 1;
      sums.set(score.name, entry);
    }
  }
  const durations = traces
    .filter((t) => t.end_time)
    .map(durationMillis)
    .sort((a, b) => a - b);
  const version = experiment.dataset_version_id ? store.datasetVersions.get(experiment.dataset_version_id) : undefined;
  const latestVersion = dataset ? store.versionsOfDataset(dataset.id)[0] : undefined;

  return compact({
    id: experiment.id,
    dataset_name: dataset?.name,
    dataset_id: experiment.dataset_id,
    project_id: experiment.project_id,
    name: experiment.name,
    metadata: experiment.metadata,
    type: experiment.type,
    optimization_id: experiment.optimization_id,
    feedback_scores: [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([name, { total, count }]) => ({ name, value: total / count })),
    trace_count: traceIds.length,
    ...experimentSpanAggregates(store, traces),
    // Not in the pinned OpenAPI description, but returned by current backends and declared by SDK 2.0.40.
    dataset_item_count: new Set(items.map((item) => item.dataset_item_id)).size,
    created_at: experiment.created_at,
    duration: durations.length > 0 ? { p50: percentile(durations, 0.5), p90: percentile(durations, 0.9), p99: percentile(durations, 0.99) } : undefined,
    last_updated_at: experiment.last_updated_at,
    created_by: experiment.created_by,
    last_updated_by: experiment.last_updated_by,
    status: experiment.status,
    experiment_scores: experiment.experiment_scores,
    prompt_versions: renderPromptVersionLinks(store, experiment.prompt_versions),
    dataset_version_id: experiment.dataset_version_id,
    evaluation_method: experiment.evaluation_method ?? "dataset",
    dataset_version_summary: version ? renderVersionSummary(version, version.id === latestVersion?.id) : undefined,
    // Newer than the pinned OpenAPI description: ExperimentPublic.passRate etc. in SDK 2.0.40, suites only.
    ...renderSuiteAggregates(store, experiment),
  });
}

/**
 * ExperimentItem_Public (`GET /experiments/items/{id}`): SDK 2.0.40's ExperimentItemPublic has no
 * assertion_results or status, so, as the backend's Public view, this shows neither.
 */
export function renderExperimentItem(item: StoredExperimentItem): Record<string, unknown> {
  return compact({
    id: item.id,
    experiment_id: item.experiment_id,
    dataset_item_id: item.dataset_item_id,
    trace_id: item.trace_id,
    created_at: item.created_at,
    last_updated_at: item.last_updated_at,
    created_by: item.created_by,
    last_updated_by: item.last_updated_by,
    trace_visibility_mode: "default",
  });
}

/** Experiment item joined with its trace: what the comparison view and the SDK's getItems read. */
export function renderExperimentItemWithTrace(store: OpikStore, item: StoredExperimentItem, options: PayloadOptions): Record<string, unknown> {
  const trace = store.traces.get(item.trace_id);
  const spans = trace ? store.spansOfTraceInProject(trace) : [];
  const usage: Record<string, number> = {};
  let cost = 0;
  for (const span of spans) {
    for (const [key, amount] of Object.entries(span.usage ?? {})) usage[key] = (usage[key] ?? 0) + amount;
    cost += span.total_estimated_cost ?? 0;
  }
  return compact({
    id: item.id,
    experiment_id: item.experiment_id,
    dataset_item_id: item.dataset_item_id,
    trace_id: item.trace_id,
    input: payload(trace?.input, options),
    output: payload(trace?.output, options),
    feedback_scores: trace ? (renderScores(store.visibleScores("trace", trace.id, trace.project_id)) ?? []) : [],
    total_estimated_cost: cost > 0 ? cost : undefined,
    duration: trace?.end_time ? durationMillis(trace) : undefined,
    usage: Object.keys(usage).length > 0 ? usage : undefined,
    created_at: item.created_at,
    last_updated_at: item.last_updated_at,
    created_by: item.created_by,
    last_updated_by: item.last_updated_by,
    trace_visibility_mode: "default",
    // Newer than the pinned OpenAPI description: ExperimentItem(Compare).assertionResults / status in SDK 2.0.40.
    ...renderItemAssertions(store, item),
  });
}
