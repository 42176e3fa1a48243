import { createOutputFormatMetric, type OutputFormatSpec } from "../metrics/output-format.js";
import type { JudgeMetricFactory } from "../opik/opik-gateway.js";
import type { ChatModel, Metric } from "../types.js";

/** Turns metric names (already validated against the catalog) into runnable metrics. */
export function buildMetrics(names: readonly string[], options: { outputFormat?: OutputFormatSpec; judge?: ChatModel; judgeMetrics: JudgeMetricFactory }): Metric[] {
  return names.map((name) => {
    switch (name) {
      case "output_format":
        return createOutputFormatMetric(options.outputFormat);
      case "hallucination":
        if (!options.judge) throw new Error("hallucination needs a judge model (judge-provider)");
        return options.judgeMetrics.hallucination(options.judge);
      default:
        throw new Error(`metric "${name}" has no implementation`);
    }
  });
}
