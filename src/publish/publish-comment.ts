import type { CommentMode } from "../constants.js";
import { errorMessage } from "../errors.js";
import { GitHubError, httpStatusOf, type GitHubGateway, type IssueComment } from "../github/index.js";

export interface PublishOptions {
  body: string;
  /** The hidden marker that identifies this workflow/job/experiment's comment; appended if the body lacks it. */
  marker: string;
  mode: CommentMode;
  /** The event's pull request unless given. */
  issueNumber?: number;
}

export interface PublishResult {
  action: "created" | "updated" | "unchanged" | "skipped";
  url?: string;
  /** Set when GitHub refused the comment (403/404): for core.warning, not a failure. */
  warning?: string;
  /** Why nothing was published, for a skipped result. */
  reason?: string;
}

/**
 * Posts the report on the pull request. Sticky mode keeps one comment per
 * marker and edits it in place, and leaves it alone when nothing changed, so
 * reruns do not notify anyone. A refusal (403/404: a fork's read-only token,
 * missing `pull-requests: write`) comes back as a warning; other failures
 * throw a GitHubError.
 */
export async function publishComment(gateway: GitHubGateway, options: PublishOptions): Promise<PublishResult> {
  if (options.mode === "off") return { action: "skipped", reason: "comment is off" };
  const issueNumber = options.issueNumber ?? gateway.event.prNumber;
  if (issueNumber === undefined) return { action: "skipped", reason: `no pull request to comment on (event ${gateway.event.eventName || "unknown"})` };
  const body = options.body.includes(options.marker) ? options.body : `${options.body.trimEnd()}\n\n${options.marker}`;

  try {
    if (options.mode === "sticky") {
      const existing = await findSticky(gateway, await gateway.listIssueComments(issueNumber), options.marker);
      if (existing && sameBody(existing.body, body)) return { action: "unchanged", url: existing.htmlUrl };
      if (existing) {
        const updated = await updateUnlessDeleted(gateway, existing.id, body);
        if (updated) return { action: "updated", url: updated.htmlUrl };
      }
    }
    const created = await gateway.createIssueComment(issueNumber, body);
    return { action: "created", url: created.htmlUrl };
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 403 || status === 404) return { action: "skipped", warning: refusalWarning(issueNumber, status, gateway.event.fromFork, error) };
    throw error instanceof GitHubError ? error : new GitHubError(`comment on #${issueNumber}`, error);
  }
}

/**
 * The oldest comment carrying the marker and written by the token's user.
 * When the token cannot say who it is (the workflow's GITHUB_TOKEN), a bot's
 * comment is preferred, since that is what github-actions[bot] is.
 */
async function findSticky(gateway: GitHubGateway, comments: readonly IssueComment[], marker: string): Promise<IssueComment | undefined> {
  const marked = comments.filter((comment) => comment.body.includes(marker));
  if (!marked.length) return undefined;
  const viewer = await gateway.viewerLogin();
  if (viewer) return marked.find((comment) => comment.author?.login === viewer);
  return marked.find((comment) => comment.author?.type === "Bot") ?? marked[0];
}

/** GitHub stores what it is sent, but a body edited by hand may come back with CRLF. */
function sameBody(a: string, b: string): boolean {
  const normal = (text: string): string => text.replace(/\r\n/g, "\n").trimEnd();
  return normal(a) === normal(b);
}

/** A comment deleted between listing and editing is replaced by a new one. */
async function updateUnlessDeleted(gateway: GitHubGateway, commentId: number, body: string): Promise<IssueComment | undefined> {
  try {
    return await gateway.updateIssueComment(commentId, body);
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw error;
  }
}

function refusalWarning(issueNumber: number, status: number, fromFork: boolean, error: unknown): string {
  const detail = errorMessage(error).replace(/\.$/, "");
  const hint = fromFork
    ? "Pull requests from forks get a read-only GITHUB_TOKEN; the report is in the job summary."
    : "Give the job `permissions: pull-requests: write` (or a token that can comment); the report is in the job summary.";
  return `Could not comment on #${issueNumber} (HTTP ${status}): ${detail}. ${hint}`;
}

/** The comment a run would post: its body carries the marker that finds it again. */
export interface PullRequestComment {
  body: string;
  marker: string;
  mode: CommentMode;
  issueNumber: number;
}

/**
 * Posts the sticky pull request comment. Never throws: a fork's read-only
 * token or an API failure is a warning, since the summary already carries
 * the report.
 */
export async function postComment(gateway: () => GitHubGateway, comment: PullRequestComment, warn: (message: string) => void): Promise<string | undefined> {
  try {
    const published = await publishComment(gateway(), comment);
    if (published.warning) warn(published.warning);
    return published.url;
  } catch (error) {
    warn(`The pull request comment could not be posted: ${errorMessage(error)}`);
    return undefined;
  }
}
