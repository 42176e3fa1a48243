import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubError } from "../../src/github/github-error.js";
import { createGitHubGateway, type GitHubGateway } from "../../src/github/github-gateway.js";
import type { ActionsContext } from "../../src/github/event-context.js";
import { publishComment } from "../../src/publish/publish-comment.js";
import { commentMarker } from "../../src/report/limits.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";

const PR = 7;
const marker = commentMarker({ workflow: "Evaluate", job: "opik", experimentType: "charter_optimization" });

function prContext(server: GitHubServer, options: { fork?: boolean } = {}): ActionsContext {
  return {
    payload: {
      pull_request: {
        number: PR,
        base: { ref: "main", repo: { full_name: `${OWNER}/${REPO}` } },
        head: { ref: "feature/prompt", sha: "1f2e3d4c", repo: { full_name: options.fork ? `someone/${REPO}` : `${OWNER}/${REPO}` } },
      },
    },
    eventName: "pull_request",
    sha: "merge-sha",
    ref: `refs/pull/${PR}/merge`,
    workflow: "Evaluate",
    job: "opik",
    runId: 42,
    serverUrl: "https://github.com",
    apiUrl: server.url,
    repo: { owner: OWNER, repo: REPO },
  };
}

let server: GitHubServer;
let gateway: GitHubGateway;
const warnings: string[] = [];

function gatewayFor(context: ActionsContext): GitHubGateway {
  return createGitHubGateway({ token: "ghs_test", context, pacing: { retryBaseMs: 1, spaceWrites: false }, warn: (m) => warnings.push(m) });
}

const writes = (): string[] => server.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

beforeEach(async () => {
  server = await startGitHubServer();
  gateway = gatewayFor(prContext(server));
  warnings.length = 0;
});

afterEach(async () => {
  expect(server.schemaViolations).toEqual([]);
  await server.close();
});

describe("publishComment", () => {
  it("creates the comment on the first run, with the marker", async () => {
    const result = await publishComment(gateway, { body: "## Report v1", marker, mode: "sticky" });
    expect(result).toEqual({ action: "created", url: expect.stringMatching(new RegExp(`/pull/${PR}#issuecomment-\\d+$`)) as unknown });
    const [comment] = server.comments(PR);
    expect(comment?.body).toBe(`## Report v1\n\n${marker}`);
    expect(server.requests.every((r) => r.authorization === "token ghs_test")).toBe(true);
  });

  it("updates the same comment on the next run", async () => {
    await publishComment(gateway, { body: `## Report v1\n${marker}`, marker, mode: "sticky" });
    const [first] = server.comments(PR);
    const result = await publishComment(gateway, { body: `## Report v2\n${marker}`, marker, mode: "sticky" });
    expect(result.action).toBe("updated");
    expect(server.comments(PR)).toHaveLength(1);
    expect(server.comments(PR)[0]).toMatchObject({ id: first?.id, body: `## Report v2\n${marker}` });
    expect(writes()).toEqual([`POST /repos/${OWNER}/${REPO}/issues/${PR}/comments`, `PATCH /repos/${OWNER}/${REPO}/issues/comments/${first?.id}`]);
  });

  it("does not send an unchanged body again", async () => {
    await publishComment(gateway, { body: `## Same\n${marker}`, marker, mode: "sticky" });
    server.requests.length = 0;
    const result = await publishComment(gateway, { body: `## Same\n${marker}`, marker, mode: "sticky" });
    expect(result).toEqual({ action: "unchanged", url: expect.any(String) as unknown });
    expect(writes()).toEqual([]);
  });

  it("turns a 403 from a read-only token into a warning", async () => {
    server.forbid("writes");
    const result = await publishComment(gateway, { body: "## Report", marker, mode: "sticky" });
    expect(result.action).toBe("skipped");
    expect(result.warning).toMatch(
      /^Could not comment on #7 \(HTTP 403\): GitHub comment on #7 failed: Resource not accessible by integration.*pull-requests: write/,
    );
    expect(server.comments(PR)).toEqual([]);
  });

  it("does not retry a 403 with the default retry and throttle settings", async () => {
    server.forbid("writes");
    const defaults = createGitHubGateway({ token: "ghs_test", context: prContext(server), warn: (m) => warnings.push(m) });
    const result = await publishComment(defaults, { body: "## Report", marker, mode: "new" });
    expect(result.warning).toMatch(/HTTP 403/);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it("explains the 403 of a fork's pull request", async () => {
    server.forbid("writes");
    const result = await publishComment(gatewayFor(prContext(server, { fork: true })), { body: "## Report", marker, mode: "sticky" });
    expect(result.warning).toMatch(/Pull requests from forks get a read-only GITHUB_TOKEN/);
  });

  it("finds its comment past the first page of 100", async () => {
    const others = Array.from({ length: 120 }, (_, i) => ({ body: `comment ${i} from a reviewer`, user: { login: "reviewer", type: "User" as const } }));
    server.seed(PR, others);
    const [mine] = server.seed(PR, [{ body: `## Old report\n${marker}` }]);
    server.seed(PR, [{ body: "later comment", user: { login: "reviewer", type: "User" } }]);
    const result = await publishComment(gateway, { body: `## New report\n${marker}`, marker, mode: "sticky" });
    expect(result.action).toBe("updated");
    expect(server.comments(PR).find((c) => c.id === mine?.id)?.body).toBe(`## New report\n${marker}`);
    const pages = server.requests.filter((r) => r.method === "GET" && r.path.endsWith("/comments"));
    expect(pages.map((r) => `${r.query.get("per_page")}/${r.query.get("page") ?? "1"}`)).toEqual(["100/1", "100/2"]);
    // The second page came from GitHub's Link header, which points at /repositories/{id}/...
    expect(pages[1]?.path).toMatch(/^\/repositories\/\d+\/issues\/7\/comments$/);
  });

  it("leaves someone else's copy of the marker alone when it knows who it is", async () => {
    server.setViewer({ login: "eval-bot", type: "User" });
    server.seed(PR, [{ body: `quoted: ${marker}`, user: { login: "reviewer", type: "User" } }]);
    const created = await publishComment(gateway, { body: `## Report\n${marker}`, marker, mode: "sticky" });
    expect(created.action).toBe("created");
    const updated = await publishComment(gateway, { body: `## Report 2\n${marker}`, marker, mode: "sticky" });
    expect(updated.action).toBe("updated");
    expect(server.comments(PR).map((c) => [c.user.login, c.body])).toEqual([
      ["reviewer", `quoted: ${marker}`],
      ["eval-bot", `## Report 2\n${marker}`],
    ]);
  });

  it("prefers a bot's comment when the token cannot say who it is", async () => {
    server.seed(PR, [{ body: `quoted: ${marker}`, user: { login: "reviewer", type: "User" } }, { body: `## Report\n${marker}` }]);
    await publishComment(gateway, { body: `## Report 2\n${marker}`, marker, mode: "sticky" });
    expect(server.comments(PR).map((c) => c.body)).toEqual([`quoted: ${marker}`, `## Report 2\n${marker}`]);
  });

  it("keeps one comment per marker: another job's comment is not touched", async () => {
    const otherJob = commentMarker({ workflow: "Evaluate", job: "opik-nightly", experimentType: "charter_optimization" });
    server.seed(PR, [{ body: `## Other job\n${otherJob}` }]);
    expect((await publishComment(gateway, { body: "## Mine", marker, mode: "sticky" })).action).toBe("created");
    expect(server.comments(PR)).toHaveLength(2);
  });

  it("always creates in new mode", async () => {
    await publishComment(gateway, { body: "## Report", marker, mode: "new" });
    const second = await publishComment(gateway, { body: "## Report", marker, mode: "new" });
    expect(second.action).toBe("created");
    expect(server.comments(PR)).toHaveLength(2);
    expect(server.requests.some((r) => r.method === "GET")).toBe(false);
  });

  it("does nothing when off", async () => {
    expect(await publishComment(gateway, { body: "## Report", marker, mode: "off" })).toEqual({ action: "skipped", reason: "comment is off" });
    expect(server.requests).toEqual([]);
  });

  it("skips events without a pull request", async () => {
    const schedule = gatewayFor({ ...prContext(server), payload: {}, eventName: "schedule" });
    expect(await publishComment(schedule, { body: "## Report", marker, mode: "sticky" })).toEqual({
      action: "skipped",
      reason: "no pull request to comment on (event schedule)",
    });
    expect(server.requests).toEqual([]);
  });

  it("retries a server error, then succeeds", async () => {
    server.failNext(1, 502);
    expect((await publishComment(gateway, { body: "## Report", marker, mode: "new" })).action).toBe("created");
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("throws a GitHubError, with the status and the cause, when GitHub keeps failing", async () => {
    server.failNext(10, 500);
    const failure = publishComment(gateway, { body: "## Report", marker, mode: "sticky" });
    await expect(failure).rejects.toBeInstanceOf(GitHubError);
    await expect(failure).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/^GitHub list comments of #7 failed/) as unknown });
    expect(server.requests).toHaveLength(4);
  });
});
