import { OWNER, REPO } from "./github-server.js";

/**
 * The event a runner gives a pull_request run (its name and the GITHUB_EVENT_PATH payload), on the loopback GitHub
 * server's repository: the base is main, the head a branch of the same repository unless `fork`.
 */
export function pullRequestEvent(number: number, options: { headRef?: string; headSha?: string; fork?: boolean } = {}): { name: string; payload: unknown } {
  const repo = { full_name: `${OWNER}/${REPO}`, name: REPO, owner: { login: OWNER } };
  return {
    name: "pull_request",
    payload: {
      action: "synchronize",
      number,
      pull_request: {
        number,
        base: { ref: "main", sha: "a".repeat(40), repo },
        head: {
          ref: options.headRef ?? "better-prompt",
          sha: options.headSha ?? "b".repeat(40),
          repo: options.fork ? { ...repo, full_name: `someone/${REPO}` } : repo,
        },
      },
      repository: repo,
    },
  };
}
