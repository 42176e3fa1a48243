import { errorMessage } from "../errors.js";

/** A call to GitHub that failed; `status` is the HTTP status when GitHub answered, `cause` keeps Octokit's error. */
export class GitHubError extends Error {
  readonly status: number | undefined;
  constructor(operation: string, cause: unknown) {
    super(`GitHub ${operation} failed: ${errorMessage(cause)}`, { cause });
    this.name = "GitHubError";
    this.status = httpStatusOf(cause);
  }
}

/** The HTTP status carried by an error or any of its causes (Octokit's RequestError has `status`). */
export function httpStatusOf(error: unknown): number | undefined {
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    if ("status" in current && typeof current.status === "number") return current.status;
    current = "cause" in current ? current.cause : undefined;
  }
  return undefined;
}
