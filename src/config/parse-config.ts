import { z } from "zod";
import { CACHE_MODES, type CacheMode, DEFAULT_METRICS, DEFAULT_OPIK_URL, EVALUATION_PROJECT_SUFFIX, DEFAULT_INPUTS, MAX_REPEATS } from "../constants.js";
import { ConfigError } from "../errors.js";
import { describeMetric, missingSettings, needsJudgeModel, validMetricNames } from "../metrics/metric-catalog.js";
import type { CustomJudges, MetricSettings } from "../metrics/metric-settings.js";
import type { OutputFormatSpec } from "../metrics/output-format.js";
import type { JudgeProvider, TaskProvider } from "../types.js";
import { parseRegistry } from "./feature-registry.js";
import { parseList, withDefaults, type RawInputs } from "./raw-inputs.js";
import { parseRunSettings, type RunSettings } from "./parse-run-settings.js";
import { parsePromote, type PromoteSettings } from "./parse-promote.js";
import { parseDriftSettings, type DriftConfig } from "./parse-drift-settings.js";
import { parseSuiteSettings, type SuiteSettings } from "./parse-suite.js";
import { parseSpanFilter } from "../opik/span-filter.js";
import type { OpikFilter } from "../types.js";

// The input type parseConfig takes, importable next to it by the runners that call it.

/** The feature registry file as read: its text, absent, or unreadable (a directory, not UTF-8...) with the problem. */
export type RegistrySource = { path: string; text: string } | { path: string; missing: true; explicit: boolean } | { path: string; problem: string };

/** What the file system says about paths in the inputs, gathered by the caller so parseConfig stays pure. */
export interface FileFacts {
  /** Why result-file cannot be written where it points (its directory does not exist...). */
  resultFileProblem?: string;
}

export interface ProviderSettings {
  provider: JudgeProvider;
  model: string;
  apiKey: string;
  baseUrl?: string;
  temperature: number;
}

export interface ActionConfig {
  dateString: string;
  experimentType: string;
  maxItems: number;
  lookbackHours: number;
  metrics: string[];
  taskProvider: TaskProvider;
  skipIfEmpty: boolean;
  cleanupErrors: boolean;
  /** Spans and traces are harvested from [start, end). */
  window: { start: Date; end: Date };
  /** evaluationProject: where the evaluation traces go, never the harvested project unless asked for. */
  opik: { url: string; apiKey: string; workspace: string; project: string; evaluationProject: string; timeoutSeconds: number };
  feature: {
    spanName: string;
    datasetPrefix: string;
    experimentPrefix: string;
    outputFormat?: OutputFormatSpec;
    thresholds: Record<string, { min?: number; max?: number }>;
    /** The feature's metric_settings (snake_case, as in the file). */
    metricSettings?: MetricSettings;
    /** The feature's custom judges, by metric name. */
    judges?: CustomJudges;
    /** The feature's task.prompt_file, relative to the workspace; `setting` names it in errors; `promptName` its prompt in Opik. */
    promptFile?: { path: string; setting: string; promptName: string };
    /** features.<type>.test_suite with promote: what a scheduled run adds to the feature's test suite. */
    promote?: PromoteSettings;
  };
  /** Absent for the replay provider, which calls no model. */
  task?: ProviderSettings;
  /** Present when a judge metric is configured. */
  judge?: ProviderSettings;
  concurrency: number;
  /** Task runs per item, each judged; 1 = no repeats. */
  repeats: number;
  /** Outputs re-judged `judgments` times to measure the judge's noise; absent when off. */
  judgeNoise?: { sample: number; judgments: number };
  /** Stop starting items once the estimated spend reaches this; undefined = no limit. */
  maxCostUsd?: number;
  /** Share of new spans evaluated, chosen deterministically per span id. */
  samplingRate: number;
  /** The `filter` input, parsed: ANDed to the Step 1 span search. */
  spanFilter: OpikFilter[];
  resultFile?: string;
  /** Whether earlier completions are reused: see CACHE_MODES. */
  cache: CacheMode;
  /** Mode, dataset, gate and comment settings. */
  run: RunSettings;
  /** The earlier scheduled runs the trend charts read back from Opik, at most. */
  trendRuns: number;
  drift: DriftConfig;
  /** The Opik test suite evaluate runs gate on (test-suite or features.<type>.test_suite.name). */
  suite?: SuiteSettings;
}

const DEFAULT_MODELS: Record<JudgeProvider, string> = {
  openai: "gpt-4o-mini",
  gemini: "gemini-2.0-flash",
  ollama: "llama3.1",
};

const PROVIDERS = ["gemini", "openai", "ollama", "replay"] as const;
const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

const boolean = z.enum(["true", "True", "TRUE", "false", "False", "FALSE"], {
  message: "expected true or false",
});
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));

/** One schema for all scalar inputs, so a single safeParse reports every bad one. */
const inputSchema = z.object({
  "date-string": z.string().regex(/^(\d{8})?$/, "expected a date as YYYYMMDD, e.g. 20260204"),
  "experiment-type": z.string().min(1, "expected an experiment type from the config file's features"),
  "max-items": integer(1, 10_000),
  "lookback-hours": integer(1, 24 * 90),
  "task-provider": z.enum(PROVIDERS, { message: `expected one of ${PROVIDERS.join(", ")}` }),
  "judge-provider": z.enum(["", "gemini", "openai", "ollama"], { message: "expected one of gemini, openai, ollama (replay cannot judge)" }),
  "skip-if-empty": boolean,
  "cleanup-errors": boolean,
  "opik-url": z.url({ protocol: /^https?$/, message: "expected an http(s) URL such as https://www.comet.com/opik/api or http://localhost:5173/api" }),
  "opik-timeout-seconds": z
    .string()
    .regex(/^\d+(\.\d+)?$/, "expected a positive number of seconds, e.g. 60")
    .transform(Number)
    .pipe(z.number().positive("expected a positive number of seconds, e.g. 60").max(3600, "expected at most 3600 seconds")),
  temperature: z
    .string()
    .regex(/^\d+(\.\d+)?$/, "expected a number from 0 to 2")
    .transform(Number)
    .pipe(z.number().max(2, "expected a number from 0 to 2")),
  concurrency: integer(1, 64),
  repeats: integer(1, MAX_REPEATS),
  "judge-noise-sample": integer(0, 10_000),
  "judge-repeats": integer(2, MAX_REPEATS),
  "max-cost-usd": z.union([z.literal(""), z.string().regex(/^\d+(\.\d+)?$/, "expected an amount in US dollars such as 2.50, or empty for no limit")]),
  "sampling-rate": z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, "expected a number from 0 to 1, e.g. 0.25")
    .transform(Number),
  "openai-base-url": z.union([z.literal(""), z.url({ message: "expected an http(s) URL" })]),
  "gemini-base-url": z.union([z.literal(""), z.url({ message: "expected an http(s) URL" })]),
  "ollama-base-url": z.url({ message: "expected an http(s) URL such as http://localhost:11434/v1" }),
  "span-name": z.string(),
  "dataset-prefix": z.union([z.literal(""), z.string().regex(NAME_PATTERN, "letters, digits, '.', '_' or '-' only")]),
  cache: z.enum(CACHE_MODES, { message: `expected one of ${CACHE_MODES.join(", ")}` }),
  "trend-runs": integer(1, 500),
});

function utcDateString(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll("-", "");
}

/** Window end: now for today, the end of the day for a past date-string. */
function windowFor(dateString: string, lookbackHours: number, now: Date): { start: Date; end: Date } | string {
  const year = Number(dateString.slice(0, 4));
  const month = Number(dateString.slice(4, 6));
  const day = Number(dateString.slice(6, 8));
  const dayStart = new Date(Date.UTC(year, month - 1, day));
  if (dayStart.getUTCFullYear() !== year || dayStart.getUTCMonth() !== month - 1 || dayStart.getUTCDate() !== day) {
    return `date-string: ${dateString} is not a calendar date (expected YYYYMMDD)`;
  }
  const dayEnd = new Date(dayStart.getTime() + 24 * 3600_000);
  if (dayStart > now) return `date-string: ${dateString} is in the future (today is ${utcDateString(now)} UTC)`;
  const end = dayEnd < now ? dayEnd : now;
  return { start: new Date(end.getTime() - lookbackHours * 3600_000), end };
}

/**
 * Turns the raw inputs and the registry file into the run's configuration.
 * Pure: every problem is collected and thrown as one ConfigError, before any
 * network call or spend.
 */
export function parseConfig(
  rawInputs: Partial<RawInputs>,
  registrySource: RegistrySource | undefined,
  now: Date,
  eventName?: string,
  files: FileFacts = {},
): ActionConfig {
  const raw = withDefaults(rawInputs);
  const problems: string[] = [];

  // Field by field, so one bad input does not hide the checks that depend on the others.
  const values: Partial<z.infer<typeof inputSchema>> = {};
  for (const [name, schema] of Object.entries(inputSchema.shape) as [keyof typeof inputSchema.shape, z.ZodType][]) {
    const parsed = schema.safeParse(raw[name]);
    if (parsed.success) (values as Record<string, unknown>)[name] = parsed.data;
    else problems.push(`${name}: ${parsed.error.issues[0]?.message} (got "${raw[name]}")`);
  }

  let registry: ReturnType<typeof parseRegistry>["registry"];
  if (registrySource && "text" in registrySource) {
    const result = parseRegistry(registrySource.path, registrySource.text);
    problems.push(...result.problems);
    registry = result.registry;
  } else if (registrySource && "problem" in registrySource) {
    problems.push(registrySource.problem);
  } else if (registrySource?.explicit) {
    problems.push(`config: file ${registrySource.path} not found (expected a YAML or JSON feature registry in the repository)`);
  }

  // A file that exists but could not be used is already reported; what it would have supplied is unknown, not missing.
  const registryBroken = registrySource !== undefined && !("missing" in registrySource) && !registry;
  const experimentType = raw["experiment-type"];
  const feature = registry?.features[experimentType];
  if (registry && !feature && !(raw["span-name"] && raw["dataset-prefix"])) {
    const known = Object.keys(registry.features);
    problems.push(`experiment-type: "${experimentType}" is not a feature of ${registrySource?.path} (known: ${known.join(", ") || "none"})`);
  }
  const spanName = raw["span-name"] || feature?.span_name || "";
  const datasetPrefix = raw["dataset-prefix"] || feature?.dataset_prefix || "";
  if (!registry && !registryBroken && (!spanName || !datasetPrefix)) {
    problems.push(`span-name and dataset-prefix: required when there is no config file (${registrySource?.path ?? DEFAULT_INPUTS.config} not found)`);
  }

  const project = raw["opik-project"] || registry?.project || "";
  if (!project && !registryBroken) problems.push("opik-project: required (or `project` in the config file): the Opik project whose traces are harvested");

  const metricsInput = parseList(raw.metrics);
  const metrics = metricsInput.length ? metricsInput : (feature?.metrics ?? [...DEFAULT_METRICS]);
  // A feature's custom judges are metric names for that feature only.
  const judges: CustomJudges = feature?.judges ?? {};
  const metricSettings: MetricSettings = feature?.metric_settings ?? {};
  const validNames = validMetricNames(judges).join(", ");
  const unknown = metrics.filter((name) => !describeMetric(name, judges));
  // Without the file its custom judges are unknown, so a name that is not built in may still be one.
  if (unknown.length && !registryBroken) {
    problems.push(`metrics: unknown metric ${unknown.map((m) => `"${m}"`).join(", ")} (valid: ${validNames})`);
  }
  // The feature's own metrics list was checked with the registry; names from the input are checked here.
  for (const missing of registryBroken ? [] : missingSettings(metricsInput, metricSettings)) {
    const where = feature
      ? `features.${experimentType}.metric_settings.${missing.key} in ${registrySource?.path}`
      : `metric_settings.${missing.key} in the feature config`;
    problems.push(`metrics: ${missing.metric} needs ${where}, e.g. ${missing.example}`);
  }
  if (feature?.thresholds) {
    for (const name of Object.keys(feature.thresholds)) {
      if (!describeMetric(name, judges))
        problems.push(`${registrySource?.path}: features.${experimentType}.thresholds.${name}: unknown metric (valid: ${validNames})`);
    }
  }

  const opikUrl = raw["opik-url"];
  const isCloud = values["opik-url"] !== undefined && new URL(opikUrl).hostname.endsWith("comet.com");
  if (isCloud && !raw["opik-api-key"]) problems.push(`opik-api-key: required for Opik Cloud (${DEFAULT_OPIK_URL}); set it from a secret`);
  if (isCloud && !raw["opik-workspace"]) problems.push("opik-workspace: required for Opik Cloud: your Comet workspace name");

  const runSettings = parseRunSettings(raw, eventName, feature?.thresholds ?? {});
  problems.push(...runSettings.problems);
  const driftSettings = parseDriftSettings(raw, runSettings.settings?.mode);
  problems.push(...driftSettings.problems);
  // The report job reads what the shards scored and calls no model, so it needs no provider keys.
  const callsModels = raw.mode.trim().toLowerCase() !== "report";

  const providerSettings = (provider: JudgeProvider, role: "task" | "judge"): ProviderSettings | undefined => {
    const model = (role === "judge" ? raw["judge-model"] : "") || raw.model || DEFAULT_MODELS[provider];
    const temperature = values.temperature ?? 0;
    const keyInput = provider === "openai" ? "openai-api-key" : provider === "gemini" ? "google-api-key" : undefined;
    const apiKey = keyInput ? raw[keyInput] : "ollama";
    if (keyInput && !apiKey) {
      problems.push(`${keyInput}: required because ${role === "task" ? "task-provider" : "the judge provider"} is ${provider}; set it from a secret`);
    }
    const baseUrl = provider === "openai" ? raw["openai-base-url"] : provider === "gemini" ? raw["gemini-base-url"] : raw["ollama-base-url"];
    return { provider, model, apiKey, temperature, ...(baseUrl ? { baseUrl } : {}) };
  };

  const taskProvider = values["task-provider"];
  const task = callsModels && taskProvider && taskProvider !== "replay" ? providerSettings(taskProvider, "task") : undefined;

  let judge: ProviderSettings | undefined;
  const judgeMetrics = metrics.filter((name) => {
    const info = describeMetric(name, judges);
    return info !== undefined && needsJudgeModel(info);
  });
  // The default metrics stand in for a list the unusable file may have had; judging what they need would be a guess.
  const metricsKnown = !registryBroken || metricsInput.length > 0;
  if (callsModels && judgeMetrics.length && metricsKnown && taskProvider && values["judge-provider"] !== undefined) {
    const judgeProvider = values["judge-provider"] || (taskProvider === "replay" ? undefined : taskProvider);
    if (!judgeProvider) {
      problems.push(
        `judge-provider: required because metrics include ${judgeMetrics.join(", ")} (LLM judges) and task-provider replay calls no model (expected gemini, openai or ollama)`,
      );
    } else if (judgeProvider === task?.provider && !raw["judge-model"]) {
      judge = task;
    } else {
      judge = providerSettings(judgeProvider, "judge");
    }
  }

  const promote = metricsKnown
    ? parsePromote({ feature, experimentType, file: registrySource?.path ?? DEFAULT_INPUTS.config, metrics, judges })
    : { problems: [] };
  problems.push(...promote.problems);

  // Only a named suite gates: a feature that merely promotes into its default suite keeps the dataset gate.
  const featureSuiteName = feature?.test_suite?.name;
  const suiteSettings = parseSuiteSettings(raw, featureSuiteName ? { name: featureSuiteName } : undefined);
  problems.push(...suiteSettings.problems);
  // An evaluate run gating on a suite has its assertions judged by an LLM, whatever the metrics; a scheduled run never runs the suite.
  if (suiteSettings.suite && runSettings.settings?.mode === "evaluate" && !judge && taskProvider && values["judge-provider"] !== undefined) {
    const judgeProvider = values["judge-provider"] || (taskProvider === "replay" ? undefined : taskProvider);
    if (!judgeProvider) {
      problems.push(
        `judge-provider: required because test suite ${suiteSettings.suite.name} is judged by an LLM and task-provider replay calls no model (expected gemini, openai or ollama)`,
      );
    } else {
      judge = judgeProvider === task?.provider && !raw["judge-model"] ? task : providerSettings(judgeProvider, "judge");
    }
  }
  const primaryMetric = feature?.primary_metric;
  if (primaryMetric && !metrics.includes(primaryMetric)) {
    problems.push(
      `${registrySource?.path}: features.${experimentType}.primary_metric: ${primaryMetric} is not one of the metrics this run scores (${metrics.join(", ")})`,
    );
  }

  let spanFilter: OpikFilter[] = [];
  if (raw.filter) {
    const parsedFilter = parseSpanFilter(raw.filter);
    if ("problem" in parsedFilter)
      problems.push(`filter: ${parsedFilter.problem} (expected an Opik filter expression such as model = "gpt-4o-mini" AND usage.total_tokens > 100)`);
    else spanFilter = parsedFilter.filters;
  }

  if (files.resultFileProblem) problems.push(`result-file: ${files.resultFileProblem} (expected a path in an existing directory, e.g. opik-result.json)`);

  let window: { start: Date; end: Date } | undefined;
  if (values["date-string"] !== undefined && values["lookback-hours"] !== undefined) {
    const result = windowFor(raw["date-string"] || utcDateString(now), values["lookback-hours"], now);
    if (typeof result === "string") problems.push(result);
    else window = result;
  }

  // The report job pools one row per item and a shard would run a whole suite: both combinations would be silently wrong.
  if (runSettings.settings?.shard) {
    if (values.repeats !== undefined && values.repeats > 1)
      problems.push(`shard: not supported with repeats ${values.repeats} yet (expected repeats 1 on a sharded run, or no shard)`);
    if (suiteSettings.suite)
      problems.push(
        `shard: a test suite (${suiteSettings.suite.name}) is not split into shards (expected no shard when test-suite or features.${experimentType}.test_suite.name is set)`,
      );
  }
  const scalars = problems.length === 0 ? inputSchema.parse(raw) : undefined;
  if (!scalars || !window || !taskProvider || !runSettings.settings) throw new ConfigError(problems);
  if (!driftSettings.settings) throw new ConfigError(problems);

  return {
    dateString: raw["date-string"] || utcDateString(now),
    experimentType,
    maxItems: scalars["max-items"],
    lookbackHours: scalars["lookback-hours"],
    metrics,
    taskProvider,
    skipIfEmpty: scalars["skip-if-empty"].toLowerCase() === "true",
    cleanupErrors: scalars["cleanup-errors"].toLowerCase() === "true",
    window,
    opik: {
      url: opikUrl,
      apiKey: raw["opik-api-key"],
      workspace: raw["opik-workspace"] || "default",
      project,
      evaluationProject: raw["evaluation-project"] || `${project}${EVALUATION_PROJECT_SUFFIX}`,
      timeoutSeconds: scalars["opik-timeout-seconds"],
    },
    feature: {
      spanName,
      datasetPrefix,
      experimentPrefix: feature?.experiment_prefix ?? experimentType.replace(/[^A-Za-z0-9._-]/g, "_"),
      ...(feature?.output_format ? { outputFormat: feature.output_format } : {}),
      thresholds: feature?.thresholds ?? {},
      // Left out when empty, so an experiment's recorded config only changes when settings do.
      ...(Object.keys(metricSettings).length ? { metricSettings } : {}),
      ...(Object.keys(judges).length ? { judges } : {}),
      ...(feature?.task?.prompt_file
        ? {
            promptFile: {
              path: feature.task.prompt_file,
              setting: `${registrySource?.path}: features.${experimentType}.task.prompt_file`,
              promptName: feature.task.prompt_name ?? experimentType,
            },
          }
        : {}),
      ...(promote.settings ? { promote: promote.settings } : {}),
    },
    ...(task ? { task } : {}),
    ...(judge ? { judge } : {}),
    concurrency: scalars.concurrency,
    repeats: scalars.repeats,
    ...(scalars["judge-noise-sample"] > 0 ? { judgeNoise: { sample: scalars["judge-noise-sample"], judgments: scalars["judge-repeats"] } } : {}),
    ...(scalars["max-cost-usd"] ? { maxCostUsd: Number(scalars["max-cost-usd"]) } : {}),
    samplingRate: scalars["sampling-rate"],
    spanFilter,
    ...(raw["result-file"] ? { resultFile: raw["result-file"] } : {}),
    cache: scalars.cache,
    run: primaryMetric ? { ...runSettings.settings, gate: { ...runSettings.settings.gate, primaryMetrics: [primaryMetric] } } : runSettings.settings,
    trendRuns: scalars["trend-runs"],
    drift: driftSettings.settings,
    ...(suiteSettings.suite ? { suite: suiteSettings.suite } : {}),
  };
}
