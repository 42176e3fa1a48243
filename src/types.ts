/** Plain data that flows between the stages. No SDK types leak past src/opik. */

export type TaskProvider = "gemini" | "openai" | "ollama" | "replay";
export type JudgeProvider = Exclude<TaskProvider, "replay">;

export interface FeedbackScore {
  name: string;
  value: number;
  reason?: string;
  /** Opik's category_name: "suite_assertion" for assertion verdicts a backend without assertion results kept as scores. */
  categoryName?: string;
}

/** One suite assertion's verdict on one run, as Opik keeps it (an assertion result of the run's trace). */
export interface AssertionVerdict {
  name: string;
  passed: boolean;
  reason?: string;
}

export interface ErrorInfo {
  exceptionType?: string;
  message?: string;
  traceback?: string;
}

export interface TraceRecord {
  id: string;
  name?: string;
  startTime: string;
  output?: unknown;
  errorInfo?: ErrorInfo;
  /** Who wrote the trace: "experiment" for an evaluation's own traces. */
  source?: string;
}

export interface SpanRecord {
  id: string;
  traceId: string;
  /** Absent on a trace's top-level spans. */
  parentSpanId?: string;
  projectName?: string;
  name: string;
  type: string;
  startTime: string;
  endTime?: string;
  input?: unknown;
  output?: unknown;
  metadata?: unknown;
  model?: string;
  provider?: string;
  usage?: Record<string, number>;
  totalEstimatedCost?: number;
  errorInfo?: ErrorInfo;
  feedbackScores: FeedbackScore[];
}

export type FilterOperator = "contains" | "not_contains" | "starts_with" | "ends_with" | "=" | "!=" | ">" | ">=" | "<" | "<=" | "is_empty" | "is_not_empty";

/** One Opik filter, exactly as the REST API takes it. */
export interface OpikFilter {
  field: string;
  operator: FilterOperator;
  value: string;
  key?: string;
}

export interface DatasetRecord {
  id: string;
  name: string;
  description?: string;
  tags: string[];
  createdAt?: string;
}

/** What a dataset item holds: the span's payload and where it came from. */
export interface SpanItemData {
  input: unknown;
  expected_output: unknown;
  span_id: string;
  trace_id: string;
  span_name: string;
  model?: string;
  provider?: string;
  usage?: Record<string, number>;
  total_estimated_cost?: number;
  start_time: string;
}

export interface DatasetItemRecord {
  id: string;
  spanId?: string;
  traceId?: string;
  data: Record<string, unknown>;
}

export interface ExperimentRecord {
  id: string;
  name: string;
}

export interface ExperimentSummary extends ExperimentRecord {
  createdAt: string;
  /** The experiment's config as recorded when it was created (branch, event, models, metric settings...). */
  metadata: Record<string, unknown>;
}

export interface ExperimentItemRecord {
  id: string;
  experimentId: string;
  datasetItemId: string;
  traceId: string;
  feedbackScores: FeedbackScore[];
  /** A suite run's assertion verdicts, on a backend that keeps assertion results. */
  assertionResults?: AssertionVerdict[];
  /** The evaluation trace's input and output as Opik lists them (cut by the stream's truncation). */
  input?: unknown;
  output?: unknown;
}

/** An experiment found by name alone, with the dataset it ran on. */
export interface NamedExperiment extends ExperimentSummary {
  datasetName: string;
}

/** A chat message sent to a task or judge model. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface Completion {
  text: string;
  model: string;
  usage?: TokenUsage;
  /** Set when the completion cache answered: an earlier run's reply, not paid for again. */
  cached?: boolean;
}

export interface CompleteOptions {
  /** Ask the provider for a JSON object reply (judges). */
  json?: boolean;
  signal?: AbortSignal;
}

/** A task or judge model behind one provider's client. */
export interface ChatModel {
  readonly provider: JudgeProvider;
  readonly model: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<Completion>;
}

/** What every metric sees for one dataset item. */
export interface MetricInput {
  /** The dataset item's data (the harvested span's input, expected_output, ids, model, usage...). */
  data: Record<string, unknown>;
  /** The spans of the harvested span's trace, for span metrics; present when a metric sets needsTraceSpans. */
  traceSpans?: readonly SpanRecord[];
  /** Text of the item's input, from whatever shape it was recorded in. */
  input: string;
  /** Text of the task's output for this item. */
  output: string;
  /** The output as the task returned it, before text extraction. */
  rawOutput: unknown;
  /** Text of the span's recorded output (the reference). */
  expected: string;
}

export type MetricResult = { name: string; ok: true; value: number; reason?: string } | { name: string; ok: false; error: string };

export interface Metric {
  readonly name: string;
  /** Span metrics read the harvested span's whole trace; the runner fetches it only for them. */
  readonly needsTraceSpans?: boolean;
  score(input: MetricInput): Promise<MetricResult>;
}

/**
 * One evaluated item, kept for the gate and the report (too large for
 * result-json): texts are cut, scores keyed by metric name.
 */
export interface ItemOutcome {
  datasetItemId: string;
  spanId?: string;
  traceId: string;
  input: string;
  /** The last user message of a chat input, cut: what tells items apart when they share a system prompt. */
  preview?: string;
  output: string;
  scores: Record<string, { value: number; reason?: string }>;
  /** Metric name → why its score could not be computed. */
  failedMetrics: Record<string, string>;
  taskError?: string;
  /**
   * With repeats > 1: each run's scores (and task error), in run order; `scores` then holds each metric's mean over the
   * runs that scored it, and `output` the first run's output.
   */
  runs?: ItemRun[];
}

/** One repeat of an item's task and metrics. */
export interface ItemRun {
  scores: Record<string, number>;
  taskError?: string;
}
