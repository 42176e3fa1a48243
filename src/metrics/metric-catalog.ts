import type { CustomJudges, CustomJudgeSpec, MetricDirection, MetricSettings } from "./metric-settings.js";

/**
 * The single list of metric names the `metrics` input accepts, and the source
 * of the README's metric table (scripts/update-readme-metrics.ts). Besides
 * these, a feature's custom judges (its `judges`) are valid names for that
 * feature.
 */
export type MetricKind = "judge" | "heuristic" | "custom" | "span";

export interface MetricInfo {
  name: string;
  /** judge: an LLM judge on the opik SDK's prompts; heuristic: local and pure; custom: a judge template from the feature config; span: reads the harvested span's trace. */
  kind: MetricKind;
  /** Which way is better, so reports and gates read scores the right way round. */
  direction: MetricDirection;
  /** The values a score can take, e.g. "0–1" or "0 or 1". */
  range: string;
  /** What the item (and the feature config) must provide; a missing input is a failed score, never a 0. */
  requires: string;
  /** What it measures and how the score is computed. */
  description: string;
  /** The metric_settings entry it reads; `required` ones are checked while parsing the config. */
  settings?: { key: keyof MetricSettings; required: boolean; example: string };
}

export const METRIC_CATALOG: readonly MetricInfo[] = [
  {
    name: "hallucination",
    kind: "judge",
    direction: "lower-is-better",
    range: "0 or 1",
    requires: "input, output",
    description:
      "Opik's Hallucination judge prompt: 1 when the output states facts not supported by the input and the span's recorded output (given as context), 0 when faithful.",
  },
  {
    name: "moderation",
    kind: "judge",
    direction: "lower-is-better",
    range: "0–1",
    requires: "output",
    description:
      "Opik's Moderation judge prompt: 0 when the output is safe, rising to 1 for a severe content-policy violation (violence, hate, self-harm, illegal activity, privacy, harassment, extremism, spam).",
  },
  {
    name: "answer_relevance",
    kind: "judge",
    direction: "higher-is-better",
    range: "0–1",
    requires: "input, output",
    description:
      "Opik's AnswerRelevance judge prompt: how directly and completely the output answers the input. The span's recorded output is passed as context when it differs from the scored output (not in replay).",
  },
  {
    name: "usefulness",
    kind: "judge",
    direction: "higher-is-better",
    range: "0–1",
    requires: "input, output",
    description: "Opik's Usefulness judge prompt: helpfulness, relevance, accuracy, depth and level of detail of the output for the input.",
  },
  {
    name: "g_eval",
    kind: "judge",
    direction: "higher-is-better",
    range: "0–1",
    requires: "input, output; `metric_settings.g_eval`",
    description:
      "Opik's G-Eval: the judge turns your `task_introduction` and `evaluation_criteria` into evaluation steps once, then scores each item's input and output from 0 to 10; the score is that ÷ 10.",
    settings: { key: "g_eval", required: true, example: 'g_eval: { task_introduction: "...", evaluation_criteria: "..." }' },
  },
  {
    name: "output_format",
    kind: "heuristic",
    direction: "higher-is-better",
    range: "0–1",
    requires: "output; the feature's `output_format`",
    description: "Format compliance with partial credit, against the feature's `output_format` (JSON schema or regex); scoring below.",
  },
  {
    name: "is_json",
    kind: "heuristic",
    direction: "higher-is-better",
    range: "0 or 1",
    requires: "output",
    description:
      "1 when the whole trimmed output parses as a JSON object or array, 0 otherwise (a fenced or embedded object, a bare string or number score 0).",
  },
  {
    name: "regex_match",
    kind: "heuristic",
    direction: "higher-is-better",
    range: "0 or 1",
    requires: "output; `metric_settings.regex_match.pattern`",
    description:
      "1 when the regular expression `pattern` (JavaScript syntax, optional `flags`) matches anywhere in the output, 0 otherwise; anchor it with `^…$` to match the whole output.",
    settings: { key: "regex_match", required: true, example: 'regex_match: { pattern: "^\\\\{" }' },
  },
  {
    name: "contains",
    kind: "heuristic",
    direction: "higher-is-better",
    range: "0 or 1",
    requires: "output; `metric_settings.contains.substring`",
    description: "1 when the output contains `substring`, 0 otherwise; case-insensitive unless `case_sensitive: true`.",
    settings: { key: "contains", required: true, example: 'contains: { substring: "verdict" }' },
  },
  {
    name: "exact_match",
    kind: "heuristic",
    direction: "higher-is-better",
    range: "0 or 1",
    requires: "output; the recorded output, or the item field `metric_settings.exact_match.field`",
    description:
      "1 when the output equals the reference, ignoring surrounding whitespace, 0 otherwise. The reference is the span's recorded output, or the text of the item's data at the dotted path `field` (e.g. `expected_output.answer`).",
    settings: { key: "exact_match", required: false, example: "exact_match: { field: expected_output.answer }" },
  },
  {
    name: "levenshtein_ratio",
    kind: "heuristic",
    direction: "higher-is-better",
    range: "0–1",
    requires: "output; the recorded output, or the item field `metric_settings.levenshtein_ratio.field`",
    description:
      "1 − (edit distance ÷ length of the longer text), over characters, between the output and the reference (as for `exact_match`); 1 when both are empty.",
    settings: { key: "levenshtein_ratio", required: false, example: "levenshtein_ratio: { field: expected_output.answer }" },
  },
  {
    name: "execution_quality",
    kind: "span",
    direction: "higher-is-better",
    range: "0–1",
    requires: "the trace's spans",
    description: "Share of the trace's spans that finished without `error_info`: 1 when none failed, 0 when all did. The reason names the failed spans.",
  },
  {
    name: "performance",
    kind: "span",
    direction: "higher-is-better",
    range: "0–1",
    requires: "the trace's spans; `metric_settings.performance`",
    description:
      "The trace's wall time (first start to last end), tokens (sum of the spans' usage) and estimated cost (sum) against `max_duration_ms`, `max_tokens`, `max_cost_usd`. Each configured budget scores 1 when met and budget ÷ actual when exceeded (twice over = 0.5); the score is their mean. A budget the spans record nothing for is left out, and named in the reason.",
    settings: { key: "performance", required: true, example: "performance: { max_duration_ms: 5000, max_tokens: 4000, max_cost_usd: 0.01 }" },
  },
  {
    name: "error_analysis",
    kind: "span",
    direction: "higher-is-better",
    range: "0–1",
    requires: "the trace's spans",
    description:
      "1 − the combined severity of the trace's span errors: Π(1 − severity) over failed spans. Severity by the first pattern the error text matches: retries exhausted 0.7, rate limit 0.2, validation 0.8, timeout / timed out 0.3, anything else 0.5; an error on the harvested span itself is 1. No errors → 1.",
  },
  {
    name: "agent_trajectory",
    kind: "span",
    direction: "higher-is-better",
    range: "0–1",
    requires: "the trace's spans, with at least one of type tool",
    description:
      "0.4 × (1 − repeated ÷ tool calls) + 0.4 × (1 − failed ÷ tool calls) + 0.2 × depth score. Repeated: calls of the same tool with the same input beyond the first; failed: tool spans with `error_info`; depth score: 1 up to `max_depth` (default 3) nesting levels, minus 0.1 per level beyond.",
    settings: { key: "agent_trajectory", required: false, example: "agent_trajectory: { max_depth: 4 }" },
  },
];

/** How the README describes a feature's custom judges, which the catalog cannot list by name. */
export const CUSTOM_JUDGE_DOC: Pick<MetricInfo, "range" | "requires" | "description"> = {
  range: "the rail values",
  requires: "what the prompt uses",
  description:
    "Your mustache `prompt` (`{{input}}`, `{{output}}`, `{{expected}}` and the item's data fields) goes to the judge model, which must reply with one of the `rails` labels (case-insensitive; surrounding whitespace, quotes and punctuation ignored; or JSON `{label, explanation}`, asked for with `explanation: true`); the score is that label's value. Any other reply is a failed score.",
};

export function findMetric(name: string): MetricInfo | undefined {
  return METRIC_CATALOG.find((metric) => metric.name === name);
}

/** The catalog entry of a name, or the description of one of the feature's custom judges. */
export function describeMetric(name: string, judges: CustomJudges = {}): MetricInfo | undefined {
  const judge = Object.hasOwn(judges, name) ? judges[name] : undefined;
  return findMetric(name) ?? (judge ? customJudgeInfo(name, judge) : undefined);
}

export function customJudgeInfo(name: string, judge: CustomJudgeSpec): MetricInfo {
  const values = Object.values(judge.rails);
  return {
    name,
    kind: "custom",
    direction: judge.direction ?? "higher-is-better",
    range: `${Math.min(...values)}–${Math.max(...values)}`,
    requires: "what the prompt uses",
    description: `Custom judge: one of ${Object.entries(judge.rails)
      .map(([label, value]) => `${label} = ${value}`)
      .join(", ")}.`,
  };
}

/** Every name the `metrics` input accepts for a feature with these custom judges. */
export function validMetricNames(judges: CustomJudges = {}): string[] {
  return [...METRIC_CATALOG.map((metric) => metric.name), ...Object.keys(judges)];
}

/** Judges and custom judges call the judge model; the rest run locally. */
export function needsJudgeModel(metric: Pick<MetricInfo, "kind">): boolean {
  return metric.kind === "judge" || metric.kind === "custom";
}

/**
 * Metrics among `names` that cannot run without a metric_settings entry the
 * feature does not have, each with an example of the entry to add.
 */
export function missingSettings(names: readonly string[], settings: MetricSettings = {}): { metric: string; key: keyof MetricSettings; example: string }[] {
  return names.flatMap((name) => {
    const required = findMetric(name)?.settings;
    return required?.required && settings[required.key] === undefined ? [{ metric: name, key: required.key, example: required.example }] : [];
  });
}
