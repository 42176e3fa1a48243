import type { JsonObject, JsonValue } from "./json.js";
import { compareIds } from "./uuid-v7.js";

/**
 * In-memory state, kept in the backend's own (snake_case) vocabulary so that what a
 * test reads here is what went over the wire. Records are replaced, never mutated in
 * place, so a dataset version can share item records with the live dataset.
 */

export const DEFAULT_PROJECT_NAME = "Default Project";
/** The user the backend attributes writes to on a self-hosted install without auth. */
export const DEFAULT_USER = "admin";

export type SpanType = "general" | "tool" | "llm" | "guardrail";
export const SPAN_TYPES: readonly SpanType[] = ["general", "tool", "llm", "guardrail"];
export type ScoreSource = "ui" | "sdk" | "online_scoring";
export const SCORE_SOURCES: readonly ScoreSource[] = ["ui", "sdk", "online_scoring"];
export type DatasetItemSource = "manual" | "trace" | "span" | "sdk";
export const DATASET_ITEM_SOURCES: readonly DatasetItemSource[] = ["manual", "trace", "span", "sdk"];
export type Visibility = "private" | "public";
export const VISIBILITIES: readonly Visibility[] = ["private", "public"];
/** Where a trace or span came from (`source` on Trace_Write / Span_Write in current backends). */
export type EntitySource = "sdk" | "experiment" | "playground" | "optimization";
export const ENTITY_SOURCES: readonly EntitySource[] = ["sdk", "experiment", "playground", "optimization"];
export type ExperimentType = "regular" | "trial" | "mini-batch";
export const EXPERIMENT_TYPES: readonly ExperimentType[] = ["regular", "trial", "mini-batch"];
export type ExperimentStatus = "running" | "completed" | "cancelled";
export const EXPERIMENT_STATUSES: readonly ExperimentStatus[] = ["running", "completed", "cancelled"];
/** `evaluation_suite` is a test suite (the SDK's TestSuite); plain datasets are `dataset`. */
export type DatasetType = "dataset" | "evaluation_suite";
export const DATASET_TYPES: readonly DatasetType[] = ["dataset", "evaluation_suite"];
export type EvaluatorType = "llm_judge" | "code_metric";
export const EVALUATOR_TYPES: readonly EvaluatorType[] = ["llm_judge", "code_metric"];

/** A test suite's assertion holder (EvaluatorItem): an LLM judge config with its assertions in `config.schema`. */
export interface StoredEvaluator {
  name: string;
  type: EvaluatorType;
  config: JsonValue;
}

export interface StoredExecutionPolicy {
  runs_per_item: number;
  pass_threshold: number;
}

interface Audited {
  created_at: string;
  created_by: string;
  last_updated_at: string;
  last_updated_by: string;
}

export interface ErrorInfo {
  exception_type: string;
  message?: string;
  traceback: string;
}

export interface StoredProject extends Audited {
  id: string;
  name: string;
  visibility: Visibility;
  description?: string;
  last_updated_trace_at?: string;
}

export interface StoredTrace extends Audited {
  id: string;
  project_id: string;
  name?: string;
  start_time: string;
  end_time?: string;
  input?: JsonValue;
  output?: JsonValue;
  metadata?: JsonValue;
  tags?: string[];
  error_info?: ErrorInfo;
  thread_id?: string;
  source?: EntitySource;
  environment?: string;
}

export interface StoredSpan extends Audited {
  id: string;
  project_id: string;
  trace_id: string;
  parent_span_id?: string;
  name?: string;
  type: SpanType;
  start_time: string;
  end_time?: string;
  input?: JsonValue;
  output?: JsonValue;
  metadata?: JsonValue;
  model?: string;
  provider?: string;
  tags?: string[];
  usage?: Record<string, number>;
  error_info?: ErrorInfo;
  total_estimated_cost?: number;
  total_estimated_cost_version?: string;
  source?: EntitySource;
  environment?: string;
}

export type ScoredEntity = "trace" | "span";

export interface StoredFeedbackScore extends Audited {
  entity_type: ScoredEntity;
  entity_id: string;
  project_id: string;
  name: string;
  value: number;
  reason?: string;
  category_name?: string;
  source: ScoreSource;
}

/** Entities an assertion result attaches to (AssertionResultBatch.entity_type). */
export type AssertionEntity = "TRACE" | "SPAN" | "THREAD";
export const ASSERTION_ENTITIES: readonly AssertionEntity[] = ["TRACE", "SPAN", "THREAD"];
export type AssertionStatus = "passed" | "failed";
export const ASSERTION_STATUSES: readonly AssertionStatus[] = ["passed", "failed"];

/** A test-suite assertion's verdict (AssertionResultBatchItem), one per (entity_type, entity_id, name). */
export interface StoredAssertionResult extends Audited {
  entity_type: AssertionEntity;
  entity_id: string;
  project_id: string;
  name: string;
  status: AssertionStatus;
  reason?: string;
  source: ScoreSource;
}

export interface StoredDataset extends Audited {
  id: string;
  name: string;
  /** Undefined for workspace-level datasets created without a project. */
  project_id?: string;
  visibility: Visibility;
  description?: string;
  tags?: string[];
  /** Undefined on records persisted before types existed: read as "dataset". */
  type?: DatasetType;
}

export interface StoredDatasetItem extends Audited {
  id: string;
  dataset_id: string;
  source: DatasetItemSource;
  data: JsonObject;
  trace_id?: string;
  span_id?: string;
  tags?: string[];
  description?: string;
  evaluators?: StoredEvaluator[];
  execution_policy?: StoredExecutionPolicy;
}

export interface StoredDatasetVersion extends Audited {
  id: string;
  dataset_id: string;
  version_hash: string;
  version_name: string;
  batch_group_id?: string;
  change_description?: string;
  items_added: number;
  items_modified: number;
  items_deleted: number;
  /** Item ids present in this version, newest first. */
  item_ids: string[];
  /** Item contents as of this version, keyed by id. */
  snapshot: Record<string, StoredDatasetItem>;
  /** Suite-level defaults; a new version inherits its base's unless it sets or clears them. */
  evaluators?: StoredEvaluator[];
  execution_policy?: StoredExecutionPolicy;
  metadata?: Record<string, string>;
  /** User tags besides the computed "latest". */
  tags?: string[];
}

export interface StoredEnvironment extends Audited {
  id: string;
  name: string;
  description?: string;
  color: string;
  position: number;
}

export interface StoredExperiment extends Audited {
  id: string;
  name: string;
  dataset_id: string;
  project_id?: string;
  metadata?: JsonValue;
  type: ExperimentType;
  status?: ExperimentStatus;
  optimization_id?: string;
  experiment_scores?: { name: string; value: number }[];
  prompt_versions?: { id: string }[];
  dataset_version_id?: string;
  /** evaluation_suite when the experiment is a run of a test suite (the SDK's runTests), else dataset. */
  evaluation_method?: EvaluationMethod;
  tags?: string[];
}

export type EvaluationMethod = "dataset" | "evaluation_suite";
export const EVALUATION_METHODS: readonly EvaluationMethod[] = ["dataset", "evaluation_suite"];

export interface StoredExperimentItem extends Audited {
  id: string;
  experiment_id: string;
  dataset_item_id: string;
  trace_id: string;
  project_id?: string;
}

export type TemplateStructure = "text" | "chat";
export const TEMPLATE_STRUCTURES: readonly TemplateStructure[] = ["text", "chat"];
export type PromptType = "mustache" | "jinja2" | "python";
export const PROMPT_TYPES: readonly PromptType[] = ["mustache", "jinja2", "python"];

export interface StoredPrompt extends Audited {
  id: string;
  name: string;
  project_id?: string;
  description?: string;
  template_structure: TemplateStructure;
  tags?: string[];
}

/** Prompt versions are immutable but for their tags, as in the backend. */
export interface StoredPromptVersion {
  id: string;
  prompt_id: string;
  commit: string;
  template: string;
  metadata?: JsonValue;
  type: PromptType;
  change_description?: string;
  tags?: string[];
  template_structure: TemplateStructure;
  created_at: string;
  created_by: string;
}

export interface StoreSnapshot {
  version: 1;
  projects: StoredProject[];
  traces: StoredTrace[];
  spans: StoredSpan[];
  feedback_scores: StoredFeedbackScore[];
  datasets: StoredDataset[];
  dataset_items: StoredDatasetItem[];
  dataset_versions: StoredDatasetVersion[];
  experiments: StoredExperiment[];
  experiment_items: StoredExperimentItem[];
  /** Optional so that state files written before prompts existed still load. */
  prompts?: StoredPrompt[];
  prompt_versions?: StoredPromptVersion[];
  /** Absent in state files written before environments existed. */
  environments?: StoredEnvironment[];
  /** Absent in state files written before assertion results existed. */
  assertion_results?: StoredAssertionResult[];
}

export function scoreKey(score: Pick<StoredFeedbackScore, "entity_type" | "entity_id" | "project_id" | "name">): string {
  return `${score.entity_type}\u0000${score.entity_id}\u0000${score.project_id}\u0000${score.name}`;
}

export function assertionKey(result: Pick<StoredAssertionResult, "entity_type" | "entity_id" | "name">): string {
  return `${result.entity_type}\u0000${result.entity_id}\u0000${result.name}`;
}

/** Newest first, the order of every list and stream the backend serves. */
export function newestFirst<T extends { id: string }>(records: Iterable<T>): T[] {
  return [...records].sort((a, b) => compareIds(b.id, a.id));
}

export class OpikStore {
  readonly projects = new Map<string, StoredProject>();
  readonly traces = new Map<string, StoredTrace>();
  readonly spans = new Map<string, StoredSpan>();
  /** Keyed by `scoreKey`: one score per (entity, project, name), upserted like the backend's ReplacingMergeTree. */
  readonly feedbackScores = new Map<string, StoredFeedbackScore>();
  readonly datasets = new Map<string, StoredDataset>();
  readonly datasetItems = new Map<string, StoredDatasetItem>();
  readonly datasetVersions = new Map<string, StoredDatasetVersion>();
  readonly experiments = new Map<string, StoredExperiment>();
  readonly experimentItems = new Map<string, StoredExperimentItem>();
  readonly prompts = new Map<string, StoredPrompt>();
  readonly promptVersions = new Map<string, StoredPromptVersion>();
  readonly environments = new Map<string, StoredEnvironment>();
  /** Keyed by `assertionKey`: a rerun's verdict replaces the previous one. */
  readonly assertionResults = new Map<string, StoredAssertionResult>();

  private readonly spanIdsByTrace = new Map<string, Set<string>>();
  private readonly scoreKeysByEntity = new Map<string, Set<string>>();
  private readonly assertionKeysByEntity = new Map<string, Set<string>>();

  projectByName(name: string): StoredProject | undefined {
    // MySQL's default collation compares project names case-insensitively.
    const wanted = name.toLowerCase();
    for (const project of this.projects.values()) if (project.name.toLowerCase() === wanted) return project;
    return undefined;
  }

  putSpan(span: StoredSpan): void {
    const previous = this.spans.get(span.id);
    if (previous && previous.trace_id !== span.trace_id) this.spanIdsByTrace.get(previous.trace_id)?.delete(span.id);
    this.spans.set(span.id, span);
    let ids = this.spanIdsByTrace.get(span.trace_id);
    if (!ids) this.spanIdsByTrace.set(span.trace_id, (ids = new Set()));
    ids.add(span.id);
  }

  deleteSpan(id: string, options: { keepScores?: boolean } = {}): void {
    const span = this.spans.get(id);
    if (!span) return;
    this.spans.delete(id);
    this.spanIdsByTrace.get(span.trace_id)?.delete(id);
    if (!options.keepScores) this.deleteScoresOf("span", id);
  }

  spansOfTrace(traceId: string): StoredSpan[] {
    const ids = this.spanIdsByTrace.get(traceId);
    if (!ids) return [];
    return [...ids].flatMap((id) => {
      const span = this.spans.get(id);
      return span ? [span] : [];
    });
  }

  /** A trace's own spans: aggregates (span_count, usage, cost) only count spans logged to the trace's project. */
  spansOfTraceInProject(trace: { id: string; project_id: string }): StoredSpan[] {
    return this.spansOfTrace(trace.id).filter((span) => span.project_id === trace.project_id);
  }

  /**
   * Deleting a trace takes its own scores and its spans (TraceDeletedListener: trace feedback
   * scores, comments, attachments, then SpanService.deleteByTraceIds). The spans' feedback scores
   * are left behind in the feedback_scores table: nothing deletes them, so a span re-logged under
   * the same id shows its old scores again.
   */
  deleteTrace(id: string): void {
    for (const span of this.spansOfTrace(id)) this.deleteSpan(span.id, { keepScores: true });
    this.spanIdsByTrace.delete(id);
    this.traces.delete(id);
    this.deleteScoresOf("trace", id);
    this.deleteAssertionResultsOf("TRACE", id);
  }

  putAssertionResult(result: StoredAssertionResult): void {
    const key = assertionKey(result);
    this.assertionResults.set(key, result);
    const entityKey = `${result.entity_type}\u0000${result.entity_id}`;
    let keys = this.assertionKeysByEntity.get(entityKey);
    if (!keys) this.assertionKeysByEntity.set(entityKey, (keys = new Set()));
    keys.add(key);
  }

  /** An entity's assertion results, sorted by name. */
  assertionResultsOf(entityType: AssertionEntity, entityId: string): StoredAssertionResult[] {
    const keys = this.assertionKeysByEntity.get(`${entityType}\u0000${entityId}`);
    if (!keys) return [];
    return [...keys]
      .flatMap((key) => {
        const result = this.assertionResults.get(key);
        return result ? [result] : [];
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private deleteAssertionResultsOf(entityType: AssertionEntity, entityId: string): void {
    const entityKey = `${entityType}\u0000${entityId}`;
    for (const key of this.assertionKeysByEntity.get(entityKey) ?? []) this.assertionResults.delete(key);
    this.assertionKeysByEntity.delete(entityKey);
  }

  putScore(score: StoredFeedbackScore): void {
    const key = scoreKey(score);
    this.feedbackScores.set(key, score);
    const entityKey = `${score.entity_type}\u0000${score.entity_id}`;
    let keys = this.scoreKeysByEntity.get(entityKey);
    if (!keys) this.scoreKeysByEntity.set(entityKey, (keys = new Set()));
    keys.add(key);
  }

  deleteScore(entityType: ScoredEntity, entityId: string, name: string): void {
    for (const score of this.scoresOf(entityType, entityId)) {
      if (score.name === name) {
        const key = scoreKey(score);
        this.feedbackScores.delete(key);
        this.scoreKeysByEntity.get(`${entityType}\u0000${entityId}`)?.delete(key);
      }
    }
  }

  /** Scores attached to an entity, in every project; callers narrow to the entity's own project. */
  scoresOf(entityType: ScoredEntity, entityId: string): StoredFeedbackScore[] {
    const keys = this.scoreKeysByEntity.get(`${entityType}\u0000${entityId}`);
    if (!keys) return [];
    return [...keys].flatMap((key) => {
      const score = this.feedbackScores.get(key);
      return score ? [score] : [];
    });
  }

  /**
   * The backend joins scores on (entity id, project id): a score logged under another
   * project than its span's is stored but invisible on the span and to its filters.
   */
  visibleScores(entityType: ScoredEntity, entityId: string, projectId: string): StoredFeedbackScore[] {
    return this.scoresOf(entityType, entityId).filter((score) => score.project_id === projectId);
  }

  private deleteScoresOf(entityType: ScoredEntity, entityId: string): void {
    const entityKey = `${entityType}\u0000${entityId}`;
    for (const key of this.scoreKeysByEntity.get(entityKey) ?? []) this.feedbackScores.delete(key);
    this.scoreKeysByEntity.delete(entityKey);
  }

  itemsOfDataset(datasetId: string): StoredDatasetItem[] {
    return [...this.datasetItems.values()].filter((item) => item.dataset_id === datasetId);
  }

  versionsOfDataset(datasetId: string): StoredDatasetVersion[] {
    return newestFirst([...this.datasetVersions.values()].filter((version) => version.dataset_id === datasetId));
  }

  itemsOfExperiment(experimentId: string): StoredExperimentItem[] {
    return [...this.experimentItems.values()].filter((item) => item.experiment_id === experimentId);
  }

  promptByName(name: string): StoredPrompt | undefined {
    // Prompt names are unique per workspace under MySQL's case-insensitive collation.
    const wanted = name.trim().toLowerCase();
    for (const prompt of this.prompts.values()) if (prompt.name.toLowerCase() === wanted) return prompt;
    return undefined;
  }

  versionsOfPrompt(promptId: string): StoredPromptVersion[] {
    return newestFirst([...this.promptVersions.values()].filter((version) => version.prompt_id === promptId));
  }

  toSnapshot(): StoreSnapshot {
    return {
      version: 1,
      projects: [...this.projects.values()],
      traces: [...this.traces.values()],
      spans: [...this.spans.values()],
      feedback_scores: [...this.feedbackScores.values()],
      datasets: [...this.datasets.values()],
      dataset_items: [...this.datasetItems.values()],
      dataset_versions: [...this.datasetVersions.values()],
      experiments: [...this.experiments.values()],
      experiment_items: [...this.experimentItems.values()],
      prompts: [...this.prompts.values()],
      prompt_versions: [...this.promptVersions.values()],
      environments: [...this.environments.values()],
      assertion_results: [...this.assertionResults.values()],
    };
  }

  static fromSnapshot(snapshot: StoreSnapshot): OpikStore {
    const store = new OpikStore();
    for (const project of snapshot.projects) store.projects.set(project.id, project);
    for (const trace of snapshot.traces) store.traces.set(trace.id, trace);
    for (const span of snapshot.spans) store.putSpan(span);
    for (const score of snapshot.feedback_scores) store.putScore(score);
    for (const dataset of snapshot.datasets) store.datasets.set(dataset.id, dataset);
    for (const item of snapshot.dataset_items) store.datasetItems.set(item.id, item);
    for (const version of snapshot.dataset_versions) store.datasetVersions.set(version.id, version);
    for (const experiment of snapshot.experiments) store.experiments.set(experiment.id, experiment);
    for (const item of snapshot.experiment_items) store.experimentItems.set(item.id, item);
    for (const prompt of snapshot.prompts ?? []) store.prompts.set(prompt.id, prompt);
    for (const version of snapshot.prompt_versions ?? []) store.promptVersions.set(version.id, version);
    for (const environment of snapshot.environments ?? []) store.environments.set(environment.id, environment);
    for (const result of snapshot.assertion_results ?? []) store.putAssertionResult(result);
    return store;
  }
}
