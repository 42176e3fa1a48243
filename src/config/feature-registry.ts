import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { judgePromptProblems } from "../metrics/custom-judge.js";
import { findMetric, missingSettings } from "../metrics/metric-catalog.js";
import type { CustomJudgeSpec, MetricSettings } from "../metrics/metric-settings.js";
import { validateOutputFormatSpec, type OutputFormatSpec } from "../metrics/output-format.js";
import { normalizeLabel } from "../metrics/rails-reply.js";
import { regexProblem } from "../metrics/text-heuristics.js";
import { testSuiteSchema } from "./test-suite-schema.js";

/**
 * The feature registry file (the original job's AGENT_FEATURE_REGISTRY, see docs/architecture.md): which spans
 * each experiment type harvests and how its experiments are named and judged.
 */
const thresholdSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((t) => t.min !== undefined || t.max !== undefined, { message: "needs min or max" });

const outputFormatSchema = z.union([z.strictObject({ json_schema: z.record(z.string(), z.unknown()) }), z.strictObject({ regex: z.string().min(1) })]);

const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;
const NAME_RULE = "letters, digits, '.', '_' or '-' only";

/** A dotted path into the dataset item's data, e.g. expected_output.answer. */
const fieldPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, "a dotted path into the item's data, e.g. expected_output.answer");

const regexMatchSchema = z
  .strictObject({
    pattern: z.string().min(1),
    flags: z
      .string()
      .regex(/^[dgimsuvy]*$/, "JavaScript regex flags (d, g, i, m, s, u, v, y)")
      .optional(),
  })
  .superRefine((settings, context) => {
    const problem = regexProblem(settings.pattern, settings.flags);
    if (problem) context.addIssue({ code: "custom", path: ["pattern"], message: `not a valid regular expression: ${problem}` });
  });

const performanceSchema = z
  .strictObject({
    max_duration_ms: z.number().positive().optional(),
    max_tokens: z.number().int().positive().optional(),
    max_cost_usd: z.number().positive().optional(),
  })
  .refine((budgets) => Object.values(budgets).some((budget) => budget !== undefined), {
    message: "needs at least one budget: max_duration_ms, max_tokens or max_cost_usd",
  });

/** Per-metric options; see METRIC_CATALOG for which metric needs which. */
const metricSettingsSchema = z.strictObject({
  regex_match: regexMatchSchema.optional(),
  contains: z.strictObject({ substring: z.string().min(1), case_sensitive: z.boolean().optional() }).optional(),
  exact_match: z.strictObject({ field: fieldPath.optional() }).optional(),
  levenshtein_ratio: z.strictObject({ field: fieldPath.optional() }).optional(),
  g_eval: z.strictObject({ task_introduction: z.string().trim().min(1), evaluation_criteria: z.string().trim().min(1) }).optional(),
  performance: performanceSchema.optional(),
  agent_trajectory: z.strictObject({ max_depth: z.number().int().min(1).optional() }).optional(),
}) satisfies z.ZodType<MetricSettings>;

const judgeSchema = z
  .strictObject({
    prompt: z.string().trim().min(1),
    rails: z.record(z.string(), z.number()),
    explanation: z.boolean().optional(),
    direction: z.enum(["higher-is-better", "lower-is-better"]).optional(),
  })
  .superRefine((judge, context) => {
    for (const problem of judgePromptProblems(judge.prompt)) context.addIssue({ code: "custom", path: ["prompt"], message: problem });
    for (const problem of railsProblems(judge.rails)) context.addIssue({ code: "custom", path: ["rails"], message: problem });
  }) satisfies z.ZodType<CustomJudgeSpec>;

/** Labels are matched case-insensitively without surrounding punctuation, so they must differ in those terms. */
function railsProblems(rails: Record<string, number>): string[] {
  const labels = Object.keys(rails);
  if (labels.length < 2) return [`needs at least two labels, each with its score (got ${labels.length}), e.g. { correct: 1, incorrect: 0 }`];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const label of labels) {
    const normalized = normalizeLabel(label);
    if (!normalized) problems.push(`label ${JSON.stringify(label)} is only whitespace or punctuation`);
    else if (seen.has(normalized))
      problems.push(
        `labels ${JSON.stringify(seen.get(normalized))} and ${JSON.stringify(label)} read the same (labels match case-insensitively, ignoring surrounding punctuation)`,
      );
    else seen.set(normalized, label);
  }
  return problems;
}

/** A judge's name is a metric name: listed in `metrics`, comma-separated, and not a built-in one. */
const judgeName = z
  .string()
  .regex(NAME_PATTERN, NAME_RULE)
  .refine((name) => !findMetric(name), { message: "is a built-in metric; give the custom judge another name" });

const judgesSchema = z.record(judgeName, judgeSchema);

const featureSchema = z.strictObject({
  span_name: z.string().min(1),
  dataset_prefix: z.string().regex(NAME_PATTERN, NAME_RULE),
  experiment_prefix: z.string().regex(NAME_PATTERN, NAME_RULE).optional(),
  metrics: z.array(z.string().min(1)).min(1).optional(),
  output_format: outputFormatSchema.optional(),
  thresholds: z.record(z.string(), thresholdSchema).optional(),
  /** The metric the gate tests alone at the full level, outside the Holm-corrected family of the others. */
  primary_metric: z.string().min(1).optional(),
  metric_settings: metricSettingsSchema.optional(),
  judges: judgesSchema.optional(),
  /** The file is read and parsed once the registry is valid (readTaskPrompt), relative to the workspace. */
  /** prompt_name: where prompt_file's versions go in Opik's prompt library (default: the experiment type). */
  task: z.strictObject({ prompt_file: z.string().trim().min(1).optional(), prompt_name: z.string().trim().min(1).optional() }).optional(),
  /** The feature's Opik test suite: what evaluate runs gate on (the test-suite input overrides it) and the schedule promotes into. */
  test_suite: testSuiteSchema.optional(),
});

const registrySchema = z.strictObject({
  project: z.string().min(1).optional(),
  features: z.record(z.string().min(1), featureSchema),
});

export type FeatureConfig = z.infer<typeof featureSchema> & { output_format?: OutputFormatSpec };
export type FeatureRegistry = z.infer<typeof registrySchema>;

/** zod says only "Invalid key in record" for a bad key; the key's own issues say why. */
function issueMessage(issue: z.core.$ZodIssue): string {
  return issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
}

/** Parses the registry text; every problem names the file and the key path. */
export function parseRegistry(file: string, text: string): { registry?: FeatureRegistry; problems: string[] } {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { problems: [`${file}: not valid YAML or JSON: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`] };
  }
  const parsed = registrySchema.safeParse(document ?? {});
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => `${file}: ${issue.path.join(".") || "(top level)"}: ${issueMessage(issue)}`) };
  }
  const problems: string[] = [];
  for (const [name, feature] of Object.entries(parsed.data.features)) {
    if (feature.output_format) {
      for (const problem of validateOutputFormatSpec(feature.output_format)) {
        problems.push(`${file}: features.${name}.output_format: ${problem}`);
      }
    }
    for (const missing of missingSettings(feature.metrics ?? [], feature.metric_settings)) {
      problems.push(
        `${file}: features.${name}.metric_settings.${missing.key}: required because features.${name}.metrics includes ${missing.metric} (e.g. ${missing.example})`,
      );
    }
  }
  return problems.length ? { problems } : { registry: parsed.data, problems };
}
