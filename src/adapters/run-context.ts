import { randomBytes } from "node:crypto";
import type { GitHubEventContext } from "../github/index.js";
import type { RunIdentity } from "../pipeline/lease.js";

/** What the experiment records about the run that produced it, so a later pull request can find its baseline. */
export function runContext(env: NodeJS.ProcessEnv, event: GitHubEventContext | undefined): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  const sha = event?.headSha || env.GITHUB_SHA;
  if (sha) context.git_sha = sha;
  const branch = event?.headBranch ?? env.GITHUB_REF_NAME;
  if (branch) context.branch = branch;
  if (event?.baseBranch) context.base_branch = event.baseBranch;
  if (event?.prNumber) context.pr_number = event.prNumber;
  const eventName = event?.eventName || env.GITHUB_EVENT_NAME;
  if (eventName) context.event = eventName;
  const runUrl =
    event?.runUrl ??
    (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined);
  if (runUrl) context.workflow_run_url = runUrl;
  return context;
}

/** A run id unique even across reruns of one workflow run, and readable back to it. */
export function runIdentity(env: NodeJS.ProcessEnv, context: Record<string, unknown>): RunIdentity {
  const workflowRun = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? "1"}.` : "";
  const url = typeof context.workflow_run_url === "string" ? context.workflow_run_url : undefined;
  return { id: `${workflowRun}${randomBytes(4).toString("hex")}`, ...(url ? { url } : {}) };
}
