import { DRIFT_ISSUE } from "../constants.js";
import type { DriftReport } from "../drift/types.js";
import { errorMessage } from "../errors.js";
import { httpStatusOf, type GitHubGateway, type Issue } from "../github/index.js";
import {
  driftIssueMarker,
  driftIssueTitle,
  driftingInBody,
  renderDriftIssueBody,
  renderNewDriftComment,
  renderRecoveryComment,
} from "../report/render-drift-issue.js";

export interface DriftIssueResult {
  action: "opened" | "updated" | "unchanged" | "closed" | "none";
  url?: string;
  /** Signals that started drifting while the issue was open, announced in a comment. */
  commented?: string[];
  /** Newer issues of the same feature that a concurrent run opened, closed as duplicates. */
  duplicatesClosed?: number[];
  /** GitHub refused (no `issues: write`, issues disabled): for a warning, never a failed step. */
  warning?: string;
}

export interface DriftIssueOptions {
  feature: string;
  report: DriftReport;
  /** A trend chart drawn by the history renderer, shown in the issue body when given. */
  chart?: string;
  runUrl?: string;
}

/** The feature's open drift issues, oldest first: found by label, told apart by the hidden marker. */
async function featureIssues(gateway: GitHubGateway, marker: string): Promise<Issue[]> {
  const open = await gateway.listOpenIssues(DRIFT_ISSUE.label);
  return open.filter((issue) => issue.body.includes(marker)).sort((a, b) => a.number - b.number);
}

/**
 * Keeps the oldest open issue and closes the others as its duplicates. Two runs that both found none and both opened
 * one see both when they list again, and both keep the same, older one: whatever the overlap, one issue stays open.
 */
async function keepOldest(gateway: GitHubGateway, issues: readonly Issue[]): Promise<{ kept: Issue | undefined; closed: number[] }> {
  const [kept, ...newer] = issues;
  const closed: number[] = [];
  for (const duplicate of newer) {
    try {
      await gateway.updateIssue(duplicate.number, { state: "closed", stateReason: "duplicate" });
      closed.push(duplicate.number);
    } catch (error) {
      // The other run closed it first.
      if (![404, 410, 422].includes(httpStatusOf(error) ?? 0)) throw error;
    }
  }
  return { kept, closed };
}

function sameBody(a: string, b: string): boolean {
  const normal = (text: string): string => text.replace(/\r\n/g, "\n").trimEnd();
  return normal(a) === normal(b);
}

/**
 * One GitHub issue per feature while it drifts: opened when drift starts, its body edited each run while it lasts (a
 * comment only when another signal starts drifting), commented on and closed when the check no longer finds drift.
 * insufficient-data leaves the issue as it is. A refusal (403 without `issues: write`, 404, 410 with issues off)
 * comes back as a warning; other failures throw.
 */
export async function publishDriftIssue(gateway: GitHubGateway, options: DriftIssueOptions): Promise<DriftIssueResult> {
  const { report, feature } = options;
  if (report.state === "insufficient-data") return { action: "none" };
  const marker = driftIssueMarker(feature);
  try {
    let issues = await featureIssues(gateway, marker);
    if (report.state !== "drifting") {
      if (!issues.length) return { action: "none" };
      for (const issue of issues) {
        await gateway.createIssueComment(issue.number, renderRecoveryComment(report));
        await gateway.updateIssue(issue.number, { state: "closed", stateReason: "completed" });
      }
      return { action: "closed", url: issues[0]?.htmlUrl ?? "" };
    }
    const body = renderDriftIssueBody(feature, report, {
      ...(options.chart ? { chart: options.chart } : {}),
      ...(options.runUrl ? { runUrl: options.runUrl } : {}),
    });
    let opened = false;
    if (!issues.length) {
      await gateway.createIssue(driftIssueTitle(feature), body, [DRIFT_ISSUE.label]);
      opened = true;
      issues = await featureIssues(gateway, marker);
    }
    const { kept, closed } = await keepOldest(gateway, issues);
    const duplicates = closed.length ? { duplicatesClosed: closed } : {};
    if (!kept) return { action: "none", ...duplicates };
    if (opened) {
      // A concurrent run's older issue won: bring its body up to this run's view.
      if (!sameBody(kept.body, body)) await gateway.updateIssue(kept.number, { body });
      return { action: "opened", url: kept.htmlUrl, ...duplicates };
    }
    const added = report.drifting.filter((name) => !driftingInBody(kept.body).includes(name));
    if (sameBody(kept.body, body)) return { action: "unchanged", url: kept.htmlUrl, ...duplicates };
    await gateway.updateIssue(kept.number, { body });
    if (added.length) await gateway.createIssueComment(kept.number, renderNewDriftComment(report, added));
    return { action: "updated", url: kept.htmlUrl, ...(added.length ? { commented: added } : {}), ...duplicates };
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 403 || status === 404 || status === 410)
      return {
        action: "none",
        warning: `Could not keep the drift issue for ${feature} (HTTP ${status}): ${errorMessage(error).replace(/\.$/, "")}. Give the job \`permissions: issues: write\`; the drift report is in the job summary.`,
      };
    throw error;
  }
}

/** Keeps the drift issue; never throws, since the summary already carries the drift report. */
export async function postDriftIssue(gateway: () => GitHubGateway, options: DriftIssueOptions, warn: (message: string) => void): Promise<DriftIssueResult> {
  try {
    const result = await publishDriftIssue(gateway(), options);
    if (result.warning) warn(result.warning);
    return result;
  } catch (error) {
    warn(`The drift issue could not be kept up to date: ${errorMessage(error)}`);
    return { action: "none" };
  }
}
