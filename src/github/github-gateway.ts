import { context as actionsContext, getOctokit } from "@actions/github";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { readEventContext, type ActionsContext, type GitHubEventContext } from "./event-context.js";
import { GitHubError, httpStatusOf } from "./github-error.js";

export interface IssueComment {
  id: number;
  body: string;
  htmlUrl: string;
  /** Null on GitHub for a deleted ("ghost") account. */
  author?: { login: string; type: string };
  createdAt: string;
}

/** A repository issue (never a pull request), as the drift alert reads it. */
export interface Issue {
  number: number;
  title: string;
  body: string;
  htmlUrl: string;
  state: "open" | "closed";
  labels: string[];
  createdAt: string;
}

export interface IssueEdit {
  body?: string;
  state?: "open" | "closed";
  /** Why it was closed: `completed` when the drift recovered, `duplicate` for a second issue a concurrent run opened. */
  stateReason?: "completed" | "not_planned" | "duplicate";
}

/** The few GitHub calls the action makes; everything else stays out of reach. */
export interface GitHubGateway {
  readonly event: GitHubEventContext;
  /**
   * The login the token acts as, when GitHub says. The workflow's
   * GITHUB_TOKEN may not ask (403), and then this is undefined.
   */
  viewerLogin(): Promise<string | undefined>;
  /** Every comment on the issue or pull request, oldest first. */
  listIssueComments(issueNumber: number): Promise<IssueComment[]>;
  createIssueComment(issueNumber: number, body: string): Promise<IssueComment>;
  updateIssueComment(commentId: number, body: string): Promise<IssueComment>;
  /** The repository's open issues carrying the label, oldest first; pull requests are left out. */
  listOpenIssues(label: string): Promise<Issue[]>;
  createIssue(title: string, body: string, labels: readonly string[]): Promise<Issue>;
  updateIssue(issueNumber: number, edit: IssueEdit): Promise<Issue>;
}

export interface GitHubGatewayOptions {
  token: string;
  /** GITHUB_API_URL (through the context) unless given: GitHub Enterprise Server has its own. */
  apiUrl?: string;
  /** @actions/github's context, read from the runner's environment, unless given. */
  context?: ActionsContext;
  /** Tests against a loopback server shorten the waits; the defaults suit api.github.com. */
  pacing?: { retryBaseMs?: number; spaceWrites?: boolean };
  warn?: (message: string) => void;
}

/**
 * Statuses retrying cannot fix: the request or the token is wrong, or the
 * resource is gone. 429 is left out of retry because plugin-throttling
 * handles it with GitHub's own reset time; 403 is here because a
 * rate-limit 403 is also the throttling plugin's, and any other 403
 * (a read-only token on a fork) will not change on a second try.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];
/** Waits longer than this would hold the job for a comment; give up and warn instead. */
const MAX_RATE_LIMIT_WAIT_S = 60;

interface RawComment {
  id: number;
  body?: string | undefined;
  html_url: string;
  created_at: string;
  user: { login: string; type: string } | null;
}

function toComment(raw: RawComment): IssueComment {
  return {
    id: raw.id,
    body: raw.body ?? "",
    htmlUrl: raw.html_url,
    createdAt: raw.created_at,
    ...(raw.user ? { author: { login: raw.user.login, type: raw.user.type } } : {}),
  };
}

interface RawIssue {
  number: number;
  title: string;
  body?: string | null | undefined;
  html_url: string;
  state: string;
  labels: (string | { name?: string | undefined })[];
  created_at: string;
  pull_request?: unknown;
}

function toIssue(raw: RawIssue): Issue {
  return {
    number: raw.number,
    title: raw.title,
    body: raw.body ?? "",
    htmlUrl: raw.html_url,
    state: raw.state === "closed" ? "closed" : "open",
    labels: raw.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
    createdAt: raw.created_at,
  };
}

export function createGitHubGateway(options: GitHubGatewayOptions): GitHubGateway {
  const context = options.context ?? actionsContext;
  const event = readEventContext(context);
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const octokit = getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl ?? context.apiUrl,
      retry: {
        doNotRetry: DO_NOT_RETRY,
        retries: 3,
        ...(options.pacing?.retryBaseMs !== undefined ? { retryAfterBaseValue: options.pacing.retryBaseMs } : {}),
      },
      throttle:
        options.pacing?.spaceWrites === false
          ? { enabled: false }
          : {
              // Primary limit: the hourly quota is spent; waiting for its reset is worth it only when it is near.
              onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
                warn(
                  `GitHub rate limit reached on ${request.method} ${request.url}; ${retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S ? `retrying in ${retryAfter}s` : "giving up"}`,
                );
                return retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
              },
              // Secondary limit: GitHub's abuse guard on bursts of writes; one patient retry, as GitHub's docs advise.
              onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
                warn(
                  `GitHub secondary rate limit on ${request.method} ${request.url}; ${retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S ? `retrying in ${retryAfter}s` : "giving up"}`,
                );
                return retryCount === 0 && retryAfter <= MAX_RATE_LIMIT_WAIT_S;
              },
            },
    },
    retry,
    throttling,
  );
  const repo = { owner: event.owner, repo: event.repo };
  let viewer: Promise<string | undefined> | undefined;

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new GitHubError(operation, error);
    }
  }

  return {
    event,
    viewerLogin() {
      viewer ??= octokit.rest.users.getAuthenticated().then(
        (response) => response.data.login,
        (error: unknown) => {
          // GITHUB_TOKEN and app tokens cannot read /user; anything else is a real failure worth a warning.
          if (![401, 403, 404].includes(httpStatusOf(error) ?? 0))
            warn(`Could not tell which user the token acts as: ${new GitHubError("get authenticated user", error).message}`);
          return undefined;
        },
      );
      return viewer;
    },
    listIssueComments(issueNumber) {
      return call(`list comments of #${issueNumber}`, async () => {
        const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
        return comments.map(toComment);
      });
    },
    createIssueComment(issueNumber, body) {
      return call(`comment on #${issueNumber}`, async () =>
        toComment((await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body })).data),
      );
    },
    updateIssueComment(commentId, body) {
      return call(`update comment ${commentId}`, async () =>
        toComment((await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body })).data),
      );
    },
    listOpenIssues(label) {
      return call(`list open issues labelled ${label}`, async () => {
        const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
          ...repo,
          state: "open",
          labels: label,
          sort: "created",
          direction: "asc",
          per_page: 100,
        });
        return issues.filter((issue) => !issue.pull_request).map(toIssue);
      });
    },
    createIssue(title, body, labels) {
      return call(`create issue "${title}"`, async () => toIssue((await octokit.rest.issues.create({ ...repo, title, body, labels: [...labels] })).data));
    },
    updateIssue(issueNumber, edit) {
      return call(`update issue #${issueNumber}`, async () =>
        toIssue(
          (
            await octokit.rest.issues.update({
              ...repo,
              issue_number: issueNumber,
              ...(edit.body !== undefined ? { body: edit.body } : {}),
              ...(edit.state ? { state: edit.state } : {}),
              ...(edit.stateReason ? { state_reason: edit.stateReason } : {}),
            })
          ).data,
        ),
      );
    },
  };
}

/** The event this run belongs to, or undefined outside a runner (no GITHUB_REPOSITORY). */
export function currentEventContext(): GitHubEventContext | undefined {
  try {
    return readEventContext(actionsContext);
  } catch {
    return undefined;
  }
}
