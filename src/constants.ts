/**
 * Names and limits that cross file boundaries. action.yml is checked against
 * DEFAULT_INPUTS and OUTPUTS by test/action-manifest.test.ts.
 */

export const DEFAULT_OPIK_URL = "https://www.comet.com/opik/api";

/** action.yml's default for github-token: an expression only the runner can resolve. */
export const GITHUB_TOKEN_DEFAULT = "${{ github.token }}";

/** action.yml's default for shard-run: the workflow run's id, which every job of one run shares. */
export const SHARD_RUN_DEFAULT = "${{ github.run_id }}";

/** What the cache input takes: auto caches judges always and the task at temperature 0; force caches the task at any temperature. */
export const CACHE_MODES = ["auto", "off", "force"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** The cached completions kept between runs are pruned, oldest first, to this size. */
export const CACHE_MAX_BYTES = 200 * 1024 * 1024;

/** At most this many shards: beyond it a shard's slice is too small to be worth a runner. */
export const MAX_SHARDS = 64;

/**
 * The gate's states that fail the step unless fail-on says otherwise. Here rather than in src/gate
 * so this file stays a leaf of the import graph; src/gate/defaults.ts types it as FailOnState[].
 */
export const DEFAULT_FAIL_ON_STATES = ["fail-threshold", "fail-regression", "error"] as const;

/** The gate's inputs (src/gate/parse-gate-inputs.ts reads them) with the defaults action.yml declares. */
export const GATE_INPUT_DEFAULTS = {
  thresholds: "",
  "max-regression": "",
  "min-items": "10",
  "max-error-rate": "0.1",
  "fail-on": DEFAULT_FAIL_ON_STATES.join(", "),
  baseline: "auto",
} as const;

export type GateInputName = keyof typeof GATE_INPUT_DEFAULTS;

/** Repeats of the task and of the judge (issue 12): how many, and how large the judge-noise sample is. */
export const REPEAT_INPUT_DEFAULTS = {
  repeats: "1",
  "judge-noise-sample": "0",
  "judge-repeats": "3",
} as const;

/** Most runs per item and judgments per output accepted: beyond them the cost grows faster than the certainty. */
export const MAX_REPEATS = 20;

/** Every action input with the default action.yml declares ("" = no default). */
export const DEFAULT_INPUTS = {
  "date-string": "",
  "experiment-type": "charter_optimization",
  "max-items": "50",
  "lookback-hours": "24",
  metrics: "",
  "task-provider": "gemini",
  "skip-if-empty": "true",
  "cleanup-errors": "true",
  "opik-url": DEFAULT_OPIK_URL,
  "opik-api-key": "",
  "opik-workspace": "",
  "opik-project": "",
  "evaluation-project": "",
  "opik-timeout-seconds": "60",
  config: ".github/opik-evaluate.yml",
  "span-name": "",
  "dataset-prefix": "",
  model: "",
  temperature: "0",
  "openai-api-key": "",
  "openai-base-url": "",
  "google-api-key": "",
  "gemini-base-url": "",
  "ollama-base-url": "http://localhost:11434/v1",
  "judge-provider": "",
  "judge-model": "",
  concurrency: "8",
  "max-cost-usd": "",
  "sampling-rate": "1",
  filter: "",
  ...REPEAT_INPUT_DEFAULTS,
  mode: "auto",
  dataset: "latest",
  cache: "auto",
  shard: "",
  "shard-run": SHARD_RUN_DEFAULT,
  ...GATE_INPUT_DEFAULTS,
  comment: "sticky",
  "github-token": GITHUB_TOKEN_DEFAULT,
  "result-file": "",
  "trend-runs": "48",
  "drift-window": "6",
  "drift-reference": "24",
  "drift-min-effect": "0.05",
  "drift-issue": "",
  "test-suite": "",
  "min-pass-rate": "1",
} as const;

export type InputName = keyof typeof DEFAULT_INPUTS;

/** Inputs whose values are credentials: masked before anything else runs. */
export const SECRET_INPUTS: readonly InputName[] = ["opik-api-key", "openai-api-key", "google-api-key", "github-token"];

/** How the report goes on a pull request: one comment edited in place, a comment per run, or none. */
export const COMMENT_MODES = ["sticky", "new", "off"] as const;
export type CommentMode = (typeof COMMENT_MODES)[number];

export const OUTPUTS = {
  status: "status",
  resultJson: "result-json",
  resultFile: "result-file",
  datasetName: "dataset-name",
  experimentName: "experiment-name",
  spansFound: "spans-found",
  spansNew: "spans-new",
  experimentUrl: "experiment-url",
  passed: "passed",
  verdict: "verdict",
  scores: "scores",
  compareUrl: "compare-url",
  commentUrl: "comment-url",
  drift: "drift",
  driftMetrics: "drift-metrics",
  promotedCount: "promoted-count",
  passRate: "pass-rate",
  itemsPassed: "items-passed",
  itemsFailed: "items-failed",
} as const;

export type OutputName = (typeof OUTPUTS)[keyof typeof OUTPUTS];

/** The original job's defaults for the metrics parameter, used when neither input nor registry names any. */
export const DEFAULT_METRICS = ["hallucination", "output_format"] as const;

export const TASK_ID = "task_opik_evaluate";

/** Name of the trace the action writes for each evaluated item; Step 0 never deletes these. */
export const EVALUATION_TRACE_NAME = "evaluation_task";

/** Appended to the harvested project's name for the default evaluation-project. */
export const EVALUATION_PROJECT_SUFFIX = "-evaluation";

/** Feedback score that marks a span as already copied into a dataset (Step 2 of the original job). */
export const ADDED_TO_DATASET_SCORE = "added_to_dataset";

/** Tag on every dataset this action creates. */
export const DATASET_TAG = "opik-evaluate";
/**
 * Tag on a dataset whose spans are not all marked or whose experiment is not complete yet.
 * A run that finds one finishes it before harvesting anything new, so a crash never
 * leaves items twice or spans unmarked.
 */
export const PENDING_TAG = "opik-evaluate:pending";

/** Prefix of the lock datasets that let one run at a time pick spans for a dataset prefix. */
export const LOCK_DATASET_PREFIX = "opik-evaluate.lock.";
export const LOCK_TAG = "opik-evaluate:lock";
/** Tag carrying a lease: which run works on a dataset, and until when (see src/pipeline/lease.ts). */
export const LEASE_TAG_PREFIX = "opik-evaluate:lease:";

/**
 * The harvest lock is held only while a run picks spans and writes its dataset,
 * and renewed meanwhile; a run that finds it held waits up to maxWaitMs, then skips.
 */
export const HARVEST_LOCK = { ttlMs: 60_000, renewEveryMs: 15_000, pollMs: 1_000, maxWaitMs: 10 * 60_000 } as const;
/** A harvested dataset's lease lasts while its run evaluates it; a crashed run's dataset is resumed once it expires. */
export const DATASET_LEASE = { ttlMs: 10 * 60_000, renewEveryMs: 2 * 60_000 } as const;

/** Backend limits (opik-openapi.yaml and the backend's @Size/@Max annotations). */
export const OPIK_LIMITS = {
  streamPage: 2000,
  deleteBatch: 1000,
  scoreBatch: 1000,
  datasetItemBatch: 1000,
  experimentItemBatch: 1000,
  /** Assertion results per request: the SDK's queue sends 100, and the endpoint's own cap is not published. */
  assertionResultBatch: 100,
  /**
   * Bytes of JSON in one write request. 4 MB is the payload cap Opik documents (experiment-items bulk,
   * the backend's @MaxRequestSize) and the strictest one known: its SDKs batch other writes at 5-10 MB
   * and a proxy in front of a self-hosted install may answer 413 sooner. Every write is held to it.
   */
  requestBytes: 4 * 1024 * 1024,
  /** Part of requestBytes kept for the request's own members (ids, names) around its items. */
  requestEnvelopeBytes: 16 * 1024,
  /** Spans per create request (the spans batch endpoint's maxItems). */
  spanBatch: 1000,
} as const;

/**
 * Bytes of input and output one span of an evaluation trace may carry: the task span repeats the trace's input and
 * each model call its messages, so a trace of several spans stays a few megabytes and many fit one request.
 */
export const EVALUATION_SPAN_BYTES = 1024 * 1024;

/**
 * Retries of Opik calls that are safe to repeat (src/opik/opik-call.ts): backoff
 * from initialDelayMs, at most `attempts` attempts, none started past budgetMs.
 */
export const OPIK_RETRY = {
  attempts: 6,
  initialDelayMs: 250,
  maxDelayMs: 8_000,
  maxHintedDelayMs: 30_000,
  budgetMs: 120_000,
} as const;

/**
 * How deep metrics and text extraction walk parsed JSON. Deeper subtrees are opaque: a walk
 * (and JSON.stringify itself) over 12,000 levels overflows the stack.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Finished evaluation items wait in memory until this many, or this many payload
 * bytes, are ready to write: items fitted to 4 MiB each would otherwise let 100 of
 * them hold 400 MB of the worker's heap.
 */
export const EVALUATION_WRITE_BATCH = { items: 100, bytes: 32 * 1024 * 1024 } as const;

/** The key of an experiment's metadata under which a scheduled run records its health (issue 11), for later runs' trends. */
export const HEALTH_METADATA_KEY = "opik_evaluate_health";

/** Reading a feature's history: experiments per page, and experiments whose items are aggregated at once when they carry no scores. */
export const HISTORY_READ = { pageSize: 100, itemConcurrency: 4 } as const;
/** The drift alert's GitHub issue: its label, and how the hidden marker that finds it again starts. */
export const DRIFT_ISSUE = { label: "opik-drift", titlePrefix: "Opik evaluation drift: ", markerName: "opik-evaluate-drift" } as const;
/** The drift check's windows and minimum effect when the inputs do not say. */
export const DRIFT_DEFAULTS = { window: 6, reference: 24, minEffect: 0.05 } as const;

/**
 * Promotion of production failures to the feature's test suite (features.<type>.test_suite): the suite's name is
 * `<experiment type>` + suiteSuffix unless set, and a run adds at most maxPerRun items, worst first.
 */
export const PROMOTE_DEFAULTS = { suiteSuffix: "-regressions", maxPerRun: 10 } as const;

/**
 * The category the SDK gives suite assertion verdicts when the backend has no assertion results
 * (PUT /v1/private/assertion-results answers 404) and it writes them as trace feedback scores instead.
 */
export const SUITE_ASSERTION_CATEGORY = "suite_assertion";
