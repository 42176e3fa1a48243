import type { Metric, MetricInput, SpanRecord } from "../../types.js";
import { stableJson } from "../extract-text.js";
import { localMetric, type LocalScore } from "../metric-result.js";
import { nestingDepth } from "./nesting-depth.js";
import { listNames, traceSpansOf } from "./trace-spans.js";

/** The original job's agent trajectory example (docs/architecture.md): up to 3 levels of nesting is good decomposition. */
export const DEFAULT_MAX_DEPTH = 3;
const DEPTH_PENALTY_PER_LEVEL = 0.1;
const WEIGHTS = { repetition: 0.4, failures: 0.4, depth: 0.2 };

/**
 * agent_trajectory (higher is better, 0 to 1): how cleanly the agent used
 * its tools, from the trace's spans of type "tool".
 *   repetition = 1 − repeated ÷ tool calls, where a call is repeated when the
 *                same tool already ran with the same input (stable JSON);
 *   failures   = 1 − failed ÷ tool calls, failed = tool spans with error_info;
 *   depth      = 1 while the span tree is at most max_depth levels deep
 *                (metric_settings.agent_trajectory.max_depth, default 3),
 *                minus 0.1 per level beyond, not below 0 (see nesting-depth.ts);
 *   score      = 0.4 × repetition + 0.4 × failures + 0.2 × depth.
 * A trace without tool spans has no trajectory to judge: a failed score, as
 * is a missing trace.
 */
export function scoreAgentTrajectory(input: MetricInput, maxDepth = DEFAULT_MAX_DEPTH): LocalScore {
  const found = traceSpansOf(input, "agent_trajectory");
  if ("error" in found) return found;
  const tools = found.spans.filter((span) => span.type === "tool");
  if (tools.length === 0) return { error: `agent_trajectory: the trace has no tool spans (${found.spans.length} span(s), none of type tool)` };

  const repeated = repeatedCalls(tools);
  const failed = tools.filter((span) => span.errorInfo !== undefined);
  const depth = nestingDepth(found.spans);
  const repetition = 1 - repeated.length / tools.length;
  const failures = 1 - failed.length / tools.length;
  const depthScore = Math.max(0, 1 - DEPTH_PENALTY_PER_LEVEL * Math.max(0, depth - maxDepth));
  const value = WEIGHTS.repetition * repetition + WEIGHTS.failures * failures + WEIGHTS.depth * depthScore;

  const notes = [`${tools.length} tool call(s)`];
  notes.push(repeated.length ? `${repeated.length} repeated (${listNames(repeated.map((span) => span.name))})` : "none repeated");
  notes.push(failed.length ? `${failed.length} failed (${listNames(failed.map((span) => span.name))})` : "none failed");
  notes.push(`depth ${depth}${depth > maxDepth ? ` > ${maxDepth}` : ""}`);
  return { value, reason: notes.join(", ") };
}

/** Calls after the first of each (tool name, input) pair. */
function repeatedCalls(tools: readonly SpanRecord[]): SpanRecord[] {
  const seen = new Set<string>();
  return tools.filter((span) => {
    const key = `${span.name}\u0000${stableJson(span.input ?? null)}`;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

export function createAgentTrajectoryMetric(settings: { max_depth?: number } | undefined): Metric {
  return localMetric("agent_trajectory", (input) => scoreAgentTrajectory(input, settings?.max_depth ?? DEFAULT_MAX_DEPTH), { needsTraceSpans: true });
}
