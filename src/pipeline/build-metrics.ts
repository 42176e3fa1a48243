import { createCustomJudgeMetric } from "../metrics/custom-judge.js";
import { describeMetric, needsJudgeModel } from "../metrics/metric-catalog.js";
import type { CustomJudges, MetricSettings } from "../metrics/metric-settings.js";
import { createOutputFormatMetric, type OutputFormatSpec } from "../metrics/output-format.js";
import { createExactMatchMetric, createLevenshteinRatioMetric } from "../metrics/reference-heuristics.js";
import { createAgentTrajectoryMetric } from "../metrics/span/agent-trajectory.js";
import { createErrorAnalysisMetric } from "../metrics/span/error-analysis.js";
import { createExecutionQualityMetric } from "../metrics/span/execution-quality.js";
import { createPerformanceMetric } from "../metrics/span/performance.js";
import { createContainsMetric, createIsJsonMetric, createRegexMatchMetric, missingSettingError } from "../metrics/text-heuristics.js";
import { unscorableMetric } from "../metrics/metric-result.js";
import type { JudgeMetricFactory } from "../opik/opik-gateway.js";
import type { ChatModel, Metric } from "../types.js";

export interface BuildMetricsOptions {
  /** Builds the opik SDK's judges (src/opik/opik-judges.ts). */
  judgeMetrics: JudgeMetricFactory;
  /** The configured judge model; judges and custom judges need it. */
  judge?: ChatModel | undefined;
  /** The feature's output_format spec. */
  outputFormat?: OutputFormatSpec | undefined;
  /** The feature's metric_settings. */
  metricSettings?: MetricSettings | undefined;
  /** The feature's custom judges, by metric name. */
  judges?: CustomJudges | undefined;
}

/**
 * Turns metric names (already validated by parseConfig) into runnable
 * metrics. Throws for a name it does not know and for a judge without a
 * judge model; a metric missing its settings still builds, and fails every
 * score with a message saying which setting to add.
 */
export function buildMetrics(names: readonly string[], options: BuildMetricsOptions): Metric[] {
  const settings = options.metricSettings ?? {};
  const judges = options.judges ?? {};
  return names.map((name) => {
    const info = describeMetric(name, judges);
    if (!info) throw new Error(`metric "${name}" has no implementation`);
    if (needsJudgeModel(info)) requireJudge(name, options.judge);
    const custom = info.kind === "custom" ? judges[name] : undefined;
    if (custom) return createCustomJudgeMetric(name, custom, requireJudge(name, options.judge));
    return buildCatalogMetric(name, settings, options);
  });
}

function buildCatalogMetric(name: string, settings: MetricSettings, options: BuildMetricsOptions): Metric {
  const { judge, judgeMetrics } = options;
  switch (name) {
    case "hallucination":
      return judgeMetrics.hallucination(requireJudge(name, judge));
    case "moderation":
      return judgeMetrics.moderation(requireJudge(name, judge));
    case "answer_relevance":
      return judgeMetrics.answerRelevance(requireJudge(name, judge));
    case "usefulness":
      return judgeMetrics.usefulness(requireJudge(name, judge));
    case "g_eval":
      if (!settings.g_eval) return unscorableMetric(name, missingSettingError("g_eval", "task_introduction and evaluation_criteria"));
      return judgeMetrics.gEval(requireJudge(name, judge), {
        taskIntroduction: settings.g_eval.task_introduction,
        evaluationCriteria: settings.g_eval.evaluation_criteria,
      });
    case "output_format":
      return createOutputFormatMetric(options.outputFormat);
    case "is_json":
      return createIsJsonMetric();
    case "regex_match":
      return createRegexMatchMetric(settings.regex_match);
    case "contains":
      return createContainsMetric(settings.contains);
    case "exact_match":
      return createExactMatchMetric(settings.exact_match);
    case "levenshtein_ratio":
      return createLevenshteinRatioMetric(settings.levenshtein_ratio);
    case "execution_quality":
      return createExecutionQualityMetric();
    case "performance":
      return createPerformanceMetric(settings.performance);
    case "error_analysis":
      return createErrorAnalysisMetric();
    case "agent_trajectory":
      return createAgentTrajectoryMetric(settings.agent_trajectory);
    default:
      throw new Error(`metric "${name}" has no implementation`);
  }
}

function requireJudge(name: string, judge: ChatModel | undefined): ChatModel {
  if (!judge) throw new Error(`${name} needs a judge model (judge-provider)`);
  return judge;
}
