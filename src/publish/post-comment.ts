import { errorMessage } from "../errors.js";
import type { GateVerdict } from "../gate/index.js";
import { createGitHubGateway, publishComment, type CommentMode, type GitHubEventContext } from "../github/index.js";
import type { PipelineRun } from "../pipeline/run-pipeline.js";
import { commentMarker } from "../report/limits.js";
import { renderComment } from "../report/render-comment.js";

/**
 * The sticky pull request comment. Never throws: a fork's read-only token or
 * an API failure is a warning, since the summary already carries the report.
 */
export async function postComment(options: {
  run: PipelineRun;
  verdict: GateVerdict;
  event: GitHubEventContext | undefined;
  mode: CommentMode;
  token: string;
  experimentType: string;
  links: { experimentUrl?: string; compareUrl?: string };
  warn: (message: string) => void;
}): Promise<string | undefined> {
  const { event } = options;
  if (options.mode === "off" || !event?.prNumber) return undefined;
  if (!options.token) {
    options.warn("No github-token: the pull request comment was not posted (the job summary has the report)");
    return undefined;
  }
  try {
    const gateway = createGitHubGateway({ token: options.token, warn: options.warn });
    const marker = commentMarker({ workflow: event.workflow, job: event.job, experimentType: options.experimentType });
    const body = renderComment(options.run, options.verdict, { ...options.links, ...(event.runUrl ? { runUrl: event.runUrl } : {}) }, marker);
    const published = await publishComment(gateway, { body, marker, mode: options.mode, issueNumber: event.prNumber });
    if (published.warning) options.warn(published.warning);
    return published.url;
  } catch (error) {
    options.warn(`The pull request comment could not be posted: ${errorMessage(error)}`);
    return undefined;
  }
}
