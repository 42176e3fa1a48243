import type { ActionConfig } from "../config/parse-config.js";
import { detectDrift } from "../drift/detect-drift.js";
import { loadWindowScores } from "../drift/load-window-scores.js";
import type { DriftReport } from "../drift/types.js";
import { errorMessage } from "../errors.js";
import type { GitHubGateway } from "../github/index.js";
import type { RunHistory } from "../history/run-history.js";
import type { OpikGateway } from "../opik/opik-gateway.js";
import type { Logger } from "../pipeline/logger.js";
import { postDriftIssue } from "../publish/index.js";
import type { DriftOutcome } from "../run-result.js";

export interface DriftCheckDeps {
  opik: OpikGateway;
  log: Logger;
  /** How the issue is kept; without it (or a token) the drift report stays in the summary. */
  github?: ((token: string, warn: (message: string) => void) => GitHubGateway) | undefined;
  /** The feature's scheduled runs, the current one last, as read for the trend charts (at least driftRunsNeeded of them). */
  history: RunHistory;
  /** A trend chart of the drifting metrics for the issue body, when the trend renderer provides one. */
  chart?: (history: RunHistory, drifting: readonly string[]) => string | undefined;
  runUrl?: string;
}

/** Runs the check reads: both windows, and one more, since the previous run's check reached one run further back. */
export function driftRunsNeeded(config: Pick<ActionConfig, "drift">): number {
  return config.drift.window + config.drift.reference + 1;
}

/** The check's outcome when there is no history to check: insufficient data, and why. */
export function unreadHistory(config: Pick<ActionConfig, "drift">, reason: string): DriftOutcome {
  const { window, reference, minEffect } = config.drift;
  return { state: "insufficient-data", drifting: [], signals: [], window, reference, minEffect, recentRuns: 0, referenceRuns: 0, reason };
}

export function driftOutcome(report: DriftReport): DriftOutcome {
  return {
    state: report.state,
    drifting: [...report.drifting],
    signals: report.signals.map((s) => ({
      name: s.name,
      kind: s.kind,
      state: s.state,
      reference: s.reference,
      recent: s.recent,
      ...(s.effect ? { worsening: s.effect.worsening } : {}),
      ...(s.effect && Number.isFinite(s.effect.lowerBound) ? { interval: [s.effect.lowerBound, s.effect.upperBound] as [number, number] } : {}),
      ...(s.note ? { note: s.note } : {}),
    })),
    window: report.settings.window,
    reference: report.settings.reference,
    minEffect: report.settings.minEffect,
    recentRuns: report.recentRuns.length,
    referenceRuns: report.referenceRuns.length,
    ...(report.reason ? { reason: report.reason } : {}),
  };
}

/**
 * A scheduled run's drift check: the feature's history from Opik, the item scores of the two windows, the verdict,
 * and the feature's GitHub issue kept in step with it. Item scores Opik cannot give are insufficient-data with a warning,
 * never a failed run.
 */
export async function checkDrift(config: ActionConfig, deps: DriftCheckDeps): Promise<DriftOutcome> {
  const settings = { window: config.drift.window, reference: config.drift.reference, minEffect: config.drift.minEffect };
  // The previous run's check reaches one run further back than this one's.
  const history = { ...deps.history, runs: deps.history.runs.slice(-driftRunsNeeded(config)) };
  let report: DriftReport;
  try {
    report = detectDrift(history, await loadWindowScores(deps.opik, history, settings), settings);
  } catch (error) {
    const reason = `the item scores of the feature's runs could not be read from Opik: ${errorMessage(error)}`;
    deps.log.warning(`Drift check skipped: ${reason}`);
    return unreadHistory(config, reason);
  }
  deps.log.info(`Drift: ${report.state}${report.drifting.length ? ` (${report.drifting.join(", ")})` : ""}`);
  const outcome = driftOutcome(report);
  if (!config.drift.issue || report.state === "insufficient-data") return outcome;
  const warn = (message: string): void => deps.log.warning(message);
  const token = config.run.githubToken;
  if (!deps.github || !token) {
    if (report.state === "drifting") warn("No github-token: the drift issue was not opened (the job summary has the drift report)");
    return outcome;
  }
  const github = deps.github;
  const chart = deps.chart?.(history, report.drifting);
  const issue = await postDriftIssue(
    () => github(token, warn),
    { feature: config.experimentType, report, ...(chart ? { chart } : {}), ...(deps.runUrl ? { runUrl: deps.runUrl } : {}) },
    warn,
  );
  return { ...outcome, issue: { action: issue.action, ...(issue.url ? { url: issue.url } : {}) } };
}
