import type {
  AssertionVerdict,
  DatasetItemRecord,
  DatasetRecord,
  ExperimentItemRecord,
  ExperimentRecord,
  ExperimentSummary,
  FeedbackScore,
  NamedExperiment,
  Metric,
  ChatModel,
  OpikFilter,
  SpanItemData,
  SpanRecord,
  TraceRecord,
} from "../types.js";

export interface NewDatasetItem {
  id: string;
  spanId: string;
  traceId: string;
  data: SpanItemData;
}

/** Fields a span search can leave out (Opik's exclude), when only which spans match matters. */
export type SpanPayloadField =
  | "input"
  | "output"
  | "metadata"
  | "model"
  | "provider"
  | "tags"
  | "usage"
  | "error_info"
  | "end_time"
  | "total_estimated_cost"
  | "comments"
  | "duration"
  | "ttft";

export interface SpanScore {
  spanId: string;
  projectName: string;
  name: string;
  value: number;
  reason?: string;
}

/** One evaluated dataset item, as written to the experiment. */
export interface EvaluationRecord {
  datasetItemId: string;
  traceId: string;
  experimentItemId: string;
  startTime: Date;
  endTime: Date;
  input: unknown;
  output: Record<string, unknown>;
  error?: { exceptionType: string; message: string; traceback: string };
  scores: FeedbackScore[];
  /** A suite run's assertion verdicts, written as the trace's assertion results. */
  assertions?: AssertionVerdict[];
  /** The trace's spans (task, metrics, model calls), written after the trace. */
  spans?: EvaluationSpan[];
}

/** One span of an evaluation trace, as the SDK's evaluate() records it; ids derive from the trace's, so a rewrite upserts. */
export interface EvaluationSpan {
  id: string;
  parentSpanId?: string;
  name: string;
  type: "general" | "llm";
  startTime: Date;
  endTime: Date;
  input?: Record<string, unknown>;
  output?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  model?: string;
  provider?: string;
  /** Opik's usage keys. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  totalEstimatedCost?: number;
  error?: { exceptionType: string; message: string; traceback: string };
}

/** A version of a prompt in Opik's prompt library; Opik names versions by their commit. */
export interface PromptVersionRecord {
  promptName: string;
  promptId: string;
  versionId: string;
  commit: string;
  /** True when the latest version already had this template, so no version was created. */
  reused: boolean;
  /** The prompt's page in Opik. */
  url: string;
}

/** An experiment as Opik's experiments list shows it: its config and the aggregates Opik computes over its traces. */
export interface ExperimentAggregate {
  id: string;
  name: string;
  datasetId: string;
  datasetName: string;
  createdAt: string;
  metadata: Record<string, unknown>;
  /** Opik's mean of each score over the experiment's traces; empty when it reports none. */
  feedbackScores: { name: string; mean: number }[];
  /** Traces (evaluated items) of the experiment, as Opik counts them. */
  traceCount: number;
}

/** A test suite's suite-level settings, as the SDK's createTestSuite takes them. */
export interface TestSuiteSettings {
  /** Plain-language assertions, checked by the suite's LLM judge. */
  assertions: string[];
  executionPolicy: { runsPerItem: number; passThreshold: number };
}

/** One item added to a test suite, taken from a span. */
export interface NewSuiteItem {
  id: string;
  spanId: string;
  traceId: string;
  data: Record<string, unknown>;
  /** Shown in Opik's suite view: why the item is there. */
  description: string;
}

/** A test suite's assertion holder as Opik stores it: an LLM judge whose `config.schema` lists the assertions. */
export interface SuiteEvaluatorRecord {
  name: string;
  type: string;
  config: unknown;
}

/** A suite's or an item's execution policy; what is absent falls back (item → suite → DEFAULT_EXECUTION_POLICY). */
export interface ExecutionPolicyRecord {
  runsPerItem?: number;
  passThreshold?: number;
}

export interface TestSuiteItemRecord {
  id: string;
  data: Record<string, unknown>;
  description?: string;
  evaluators?: SuiteEvaluatorRecord[];
  executionPolicy?: ExecutionPolicyRecord;
}

/** A dataset of type evaluation_suite with its current version's suite-level assertions and policy. */
export interface TestSuiteRecord {
  dataset: DatasetRecord;
  /** "evaluation_suite" for a suite; anything else is a plain dataset. */
  type: string;
  /** The current version; absent for a suite that was never versioned. */
  version?: { id: string; name?: string; evaluators: SuiteEvaluatorRecord[]; executionPolicy?: ExecutionPolicyRecord };
  items: TestSuiteItemRecord[];
}

/**
 * Everything the pipeline asks of Opik. Every method either throws or has
 * confirmed its write: none goes through the SDK's fire-and-forget queues.
 */
export interface OpikGateway {
  readonly projectName: string;
  /** Streams traces of the project matching all filters, paging past the backend's per-request cap. */
  searchTraces(filters: OpikFilter[], options?: { exclude?: string[] }): AsyncIterable<TraceRecord>;
  countTraces(filters: OpikFilter[]): Promise<number>;
  deleteTraces(ids: readonly string[]): Promise<void>;
  /** Streams spans of the project with full (untruncated) payloads, but for the fields in `exclude`. */
  searchSpans(filters: OpikFilter[], options?: { exclude?: SpanPayloadField[] }): AsyncIterable<SpanRecord>;
  /** How many spans of the project match all filters, without downloading them; 0 when the project does not exist. */
  countSpans(filters: OpikFilter[]): Promise<number>;
  /** Every span of one trace (for span metrics). */
  listTraceSpans(traceId: string): Promise<SpanRecord[]>;
  /** Whether the project exists: a span search on an unknown project answers an empty stream, not an error. */
  projectExists(): Promise<boolean>;
  findDatasets(namePrefix: string): Promise<DatasetRecord[]>;
  /** The project's dataset of that name, or undefined when there is none. */
  findDataset(name: string): Promise<DatasetRecord | undefined>;
  /** Experiments run on a dataset, with the config each recorded. */
  listExperiments(dataset: DatasetRecord): Promise<ExperimentSummary[]>;
  /** Throws AlreadyExistsError when the project already has a dataset of that name. */
  createDataset(name: string, description: string, tags: string[]): Promise<DatasetRecord>;
  deleteDataset(dataset: DatasetRecord): Promise<void>;
  setDatasetTags(dataset: DatasetRecord, tags: string[]): Promise<void>;
  listDatasetItems(dataset: DatasetRecord): Promise<DatasetItemRecord[]>;
  /** One dataset item by id, or undefined when there is none. */
  getDatasetItem(id: string): Promise<DatasetItemRecord | undefined>;
  insertDatasetItems(dataset: DatasetRecord, items: readonly NewDatasetItem[]): Promise<void>;
  scoreSpans(scores: readonly SpanScore[]): Promise<void>;
  findExperiment(name: string, dataset: DatasetRecord): Promise<ExperimentRecord | undefined>;
  /** Every experiment of the project of exactly that name, on any dataset: how the report job finds the one its shards wrote. */
  findExperimentsByName(name: string): Promise<NamedExperiment[]>;
  /**
   * With `id`, a create repeated by another run is refused (409) instead of adding a second experiment.
   * `promptVersions` (version ids) link the experiment to the prompts it ran with, as the SDK's experiment prompts do.
   */
  createExperiment(
    name: string,
    dataset: DatasetRecord,
    metadata: Record<string, unknown>,
    id?: string,
    promptVersions?: readonly string[],
  ): Promise<ExperimentRecord>;
  /** The prompt's latest version when its template is this one, else a new version (a mustache template, as the task renders it). */
  recordPromptVersion(name: string, template: string, metadata: Record<string, unknown>): Promise<PromptVersionRecord>;
  /** The experiment's items with their scores, and the evaluation traces' input and output (cut). */
  listExperimentItems(experiment: ExperimentRecord): Promise<ExperimentItemRecord[]>;
  /** The project's test suite of that name with its current version and items, or undefined when there is no such dataset. */
  readTestSuite(name: string): Promise<TestSuiteRecord | undefined>;
  /**
   * An experiment Opik shows as a run of the suite (evaluation_method evaluation_suite, on the suite's version), as the
   * SDK's runTests creates it; like createExperiment, a repeated create under the same id is recognised, not duplicated.
   */
  createSuiteExperiment(
    name: string,
    suite: DatasetRecord,
    metadata: Record<string, unknown>,
    options: { id: string; datasetVersionId?: string; promptVersions?: readonly string[] },
  ): Promise<ExperimentRecord>;
  /**
   * Writes traces, experiment items, trace scores and assertion results for finished items; throws if any write
   * fails. A backend without assertion results gets the verdicts as trace scores in category suite_assertion.
   */
  writeEvaluations(experiment: ExperimentRecord, records: readonly EvaluationRecord[]): Promise<void>;
  /**
   * One page (from 1) of the project's experiments whose name contains `nameContains` (Opik matches it anywhere,
   * ignoring case), newest first.
   */
  findExperimentsPage(nameContains: string, page: number, size: number): Promise<ExperimentAggregate[]>;
  /**
   * Adds `entries` to the experiment's metadata, keeping what it held, and reads it back: throws unless Opik then
   * holds every entry.
   */
  addExperimentMetadata(experiment: ExperimentRecord, entries: Record<string, unknown>): Promise<void>;
  /**
   * The project's test suite of that name (a dataset of type evaluation_suite) with its current suite-level settings;
   * created with `settings` when missing, as the SDK's createTestSuite writes it. Throws when a plain dataset has the name.
   */
  ensureTestSuite(
    name: string,
    description: string,
    settings: TestSuiteSettings,
  ): Promise<{ suite: DatasetRecord; created: boolean; settings: TestSuiteSettings }>;
  /**
   * The source spans of every item the suite holds or has held: its current items', and those of the version before
   * each version that deleted items, so a case someone removed is not promoted again. Spans are read from the items'
   * `source_span_id` and `span_id`.
   */
  testSuiteSourceSpans(suite: DatasetRecord): Promise<string[]>;
  /** Upserts the items as one new version of the suite, which keeps its suite-level settings; throws if any write fails. */
  insertTestSuiteItems(suite: DatasetRecord, items: readonly NewSuiteItem[]): Promise<void>;
  newId(): string;
  /** The dataset's (or test suite's) page in Opik. */
  datasetUrl(dataset: DatasetRecord): string;
  /** The trace's page in Opik, where its spans are. */
  traceUrl(traceId: string): string;
  experimentUrl(experiment: ExperimentRecord, dataset: DatasetRecord): string;
  /** Opik's side-by-side view of experiments on one dataset. */
  compareUrl(dataset: DatasetRecord, experimentIds: readonly string[]): string;
}

/** Builds metrics that run on the opik SDK's own judge prompts, on the configured judge model. */
export interface JudgeMetricFactory {
  hallucination(judge: ChatModel): Metric;
  moderation(judge: ChatModel): Metric;
  answerRelevance(judge: ChatModel): Metric;
  usefulness(judge: ChatModel): Metric;
  /** criteria: what G-Eval's judge is told to evaluate, from the feature's metric_settings.g_eval. */
  gEval(judge: ChatModel, criteria: { taskIntroduction: string; evaluationCriteria: string }): Metric;
}
