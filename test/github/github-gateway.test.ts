import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readEventContext, type ActionsContext } from "../../src/github/event-context.js";
import { githubOpenApi, OWNER, REPO, schemaErrors, startGitHubServer, type GitHubServer } from "../support/github-server.js";

let server: GitHubServer;

beforeEach(async () => {
  server = await startGitHubServer();
});

afterEach(async () => {
  expect(server.schemaViolations).toEqual([]);
  await server.close();
});

const base: ActionsContext = {
  payload: {},
  eventName: "push",
  sha: "a1b2c3",
  ref: "refs/heads/main",
  workflow: "Evaluate",
  job: "opik",
  runId: 42,
  serverUrl: "https://github.com",
  apiUrl: "https://api.github.com",
  repo: { owner: OWNER, repo: REPO },
};

describe("readEventContext", () => {
  it("reads a pull request: number, base branch, head commit, fork or not", () => {
    const context = readEventContext({
      ...base,
      eventName: "pull_request",
      ref: "refs/pull/7/merge",
      payload: {
        pull_request: {
          number: 7,
          base: { ref: "main", repo: { full_name: "octo-org/hello-world" } },
          head: { ref: "feature", sha: "ffee", repo: { full_name: "fork-owner/hello-world" } },
        },
      },
    });
    expect(context).toEqual({
      owner: OWNER,
      repo: REPO,
      eventName: "pull_request",
      prNumber: 7,
      baseBranch: "main",
      headBranch: "feature",
      headSha: "ffee",
      workflow: "Evaluate",
      job: "opik",
      runUrl: `https://github.com/${OWNER}/${REPO}/actions/runs/42`,
      fromFork: true,
    });
  });

  it("reads a push or a schedule: no pull request, the branch from GITHUB_REF", () => {
    expect(readEventContext({ ...base, eventName: "schedule" })).toMatchObject({
      eventName: "schedule",
      headBranch: "main",
      headSha: "a1b2c3",
      fromFork: false,
    });
    expect(readEventContext({ ...base, eventName: "schedule" }).prNumber).toBeUndefined();
  });

  it("says what is missing when GITHUB_REPOSITORY is not set", () => {
    const context = {
      ...base,
      get repo(): { owner: string; repo: string } {
        throw new Error("context.repo requires a GITHUB_REPOSITORY environment variable like 'owner/repo'");
      },
    };
    expect(() => readEventContext(context)).toThrow(/GITHUB_REPOSITORY is not set/);
  });
});

describe("createGitHubGateway with the runner's environment", () => {
  it("reads GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_EVENT_NAME and GITHUB_EVENT_PATH through @actions/github", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "gh-event-"));
    const eventPath = path.join(dir, "event.json");
    await writeFile(eventPath, JSON.stringify({ pull_request: { number: 12, base: { ref: "develop" }, head: { ref: "fix", sha: "beef" } } }));
    vi.stubEnv("GITHUB_API_URL", server.url);
    vi.stubEnv("GITHUB_REPOSITORY", `${OWNER}/${REPO}`);
    vi.stubEnv("GITHUB_EVENT_NAME", "pull_request");
    vi.stubEnv("GITHUB_EVENT_PATH", eventPath);
    vi.stubEnv("GITHUB_WORKFLOW", "Evaluate");
    vi.stubEnv("GITHUB_JOB", "opik");
    vi.resetModules();
    // Fresh modules, so @actions/github builds its context (and its default fetch) from this environment.
    const { createGitHubGateway } = await import("../../src/github/github-gateway.js");
    const { publishComment } = await import("../../src/publish/publish-comment.js");
    const gateway = createGitHubGateway({ token: "ghs_env" });
    expect(gateway.event).toMatchObject({
      owner: OWNER,
      repo: REPO,
      eventName: "pull_request",
      prNumber: 12,
      baseBranch: "develop",
      headSha: "beef",
      workflow: "Evaluate",
      job: "opik",
    });
    // Default pacing (throttled writes, real retry settings): one write goes straight through.
    const result = await publishComment(gateway, { body: "## Report", marker: "<!-- m -->", mode: "sticky" });
    expect(result.action).toBe("created");
    expect(server.comments(12)).toHaveLength(1);
  });
});

describe("the loopback server's schema check", () => {
  it("holds responses to GitHub's OpenAPI description of issue-comment", () => {
    const schema = { $ref: "#/components/schemas/issue-comment" };
    expect(githubOpenApi().components.schemas["issue-comment"]?.required).toContain("node_id");
    expect(schemaErrors({ id: "1", body: "x" }, schema, "comment")).toEqual(
      expect.arrayContaining(["comment.id: expected integer, got string", "comment: missing required node_id", "comment: missing required user"]) as unknown,
    );
    expect(
      schemaErrors(
        { id: 1, node_id: "n", url: "u", html_url: "h", issue_url: "i", user: null, created_at: "yesterday", updated_at: "2026-02-04T14:00:00Z" },
        schema,
        "c",
      ),
    ).toEqual(['c.url: "u" is not a uri', 'c.html_url: "h" is not a uri', 'c.issue_url: "i" is not a uri', 'c.created_at: "yesterday" is not a date-time']);
  });
});
