import type { context as actionsContext } from "@actions/github";

/** The parts of @actions/github's context the gateway reads; tests pass a plain object. */
export type ActionsContext = Pick<
  typeof actionsContext,
  "payload" | "eventName" | "sha" | "ref" | "workflow" | "job" | "runId" | "serverUrl" | "apiUrl" | "repo"
>;

/** What the comment and the baseline need to know about the event that started the run. */
export interface GitHubEventContext {
  owner: string;
  repo: string;
  /** GITHUB_EVENT_NAME: pull_request, push, schedule, ... */
  eventName: string;
  /** The pull request the comment goes on; absent outside pull request events. */
  prNumber?: number;
  /** The branch the pull request would merge into: the baseline's branch. */
  baseBranch?: string;
  headBranch?: string;
  /** The pull request's head commit, else GITHUB_SHA. */
  headSha: string;
  /** GITHUB_WORKFLOW and GITHUB_JOB, which key the sticky comment's marker. */
  workflow: string;
  job: string;
  runUrl?: string;
  /** A fork's pull request gets a read-only GITHUB_TOKEN, so commenting will be refused. */
  fromFork: boolean;
}

/** A value at `path` in an untyped payload, or undefined. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

/**
 * Reads the event as the runner describes it: GITHUB_REPOSITORY for the
 * repository, the GITHUB_EVENT_PATH payload for the pull request, through
 * @actions/github's context.
 */
export function readEventContext(context: ActionsContext): GitHubEventContext {
  let repository: { owner: string; repo: string };
  try {
    repository = context.repo;
  } catch (error) {
    throw new Error("GITHUB_REPOSITORY is not set (expected owner/repo, as the runner sets it)", { cause: error });
  }
  const pr: unknown = context.payload.pull_request ?? (at(context.payload, "issue", "pull_request") ? context.payload.issue : undefined);
  const prNumber = at(pr, "number");
  const baseRepo = text(at(pr, "base", "repo", "full_name"));
  const headRepo = text(at(pr, "head", "repo", "full_name"));
  const baseBranch = text(at(pr, "base", "ref"));
  const headBranch = text(at(pr, "head", "ref")) ?? text(context.ref?.replace(/^refs\/(heads|tags)\//, ""));
  return {
    owner: repository.owner,
    repo: repository.repo,
    eventName: context.eventName ?? "",
    ...(typeof prNumber === "number" ? { prNumber } : {}),
    ...(baseBranch ? { baseBranch } : {}),
    ...(headBranch ? { headBranch } : {}),
    headSha: text(at(pr, "head", "sha")) ?? context.sha ?? "",
    workflow: context.workflow ?? "",
    job: context.job ?? "",
    ...(Number.isFinite(context.runId) ? { runUrl: `${context.serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${context.runId}` } : {}),
    fromFork: Boolean(baseRepo && headRepo && baseRepo !== headRepo),
  };
}
