import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DriftReport, DriftSignal } from "../../src/drift/types.js";
import type { ActionsContext } from "../../src/github/event-context.js";
import { createGitHubGateway, type GitHubGateway } from "../../src/github/github-gateway.js";
import { publishDriftIssue } from "../../src/publish/publish-drift-issue.js";
import { OWNER, REPO, startGitHubServer, type GitHubServer } from "../support/github-server.js";

let server: GitHubServer;

function gateway(): GitHubGateway {
  const context: ActionsContext = {
    payload: {},
    eventName: "schedule",
    sha: "a1b2c3",
    ref: "refs/heads/main",
    workflow: "Scheduled evals",
    job: "evaluate",
    runId: 42,
    serverUrl: "https://github.com",
    apiUrl: server.url,
    repo: { owner: OWNER, repo: REPO },
  };
  return createGitHubGateway({ token: "ghs_test", context, pacing: { retryBaseMs: 1, spaceWrites: false } });
}

function signal(name: string, state: DriftSignal["state"], recent = 0.9): DriftSignal {
  return {
    name,
    kind: "metric",
    direction: "higher-is-better",
    threshold: { absolute: 0.05 },
    state,
    reference: 0.9,
    recent,
    effect: { worsening: 0.9 - recent, lowerBound: 0.9 - recent - 0.05, upperBound: 0.9 - recent + 0.05 },
    referenceCount: 960,
    recentCount: 240,
  };
}

function report(state: DriftReport["state"], signals: DriftSignal[]): DriftReport {
  const run = (i: number) => ({
    experimentName: `charter_validation-eval-${i}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
    url: `https://opik.test/e/${i}`,
  });
  return {
    state,
    drifting: signals.filter((s) => s.state === "drifting").map((s) => s.name),
    previouslyDrifting: [],
    signals,
    worstItems: [],
    recentRuns: [24, 25, 26, 27, 28, 29].map(run),
    referenceRuns: Array.from({ length: 24 }, (_, i) => run(i)),
    settings: { window: 6, reference: 24, minEffect: 0.05 },
  };
}

beforeEach(async () => {
  server = await startGitHubServer();
});
afterEach(async () => {
  expect(server.schemaViolations).toEqual([]);
  await server.close();
});

describe("publishDriftIssue", () => {
  it("keeps the oldest issue when two runs find none and both open one at once", async () => {
    const drifting = report("drifting", [signal("output_format", "drifting", 0.6)]);
    const results = await Promise.all([
      publishDriftIssue(gateway(), { feature: "charter_optimization", report: drifting }),
      publishDriftIssue(gateway(), { feature: "charter_optimization", report: drifting }),
    ]);
    // Both listed before either had created: the race this guards against did happen.
    expect(server.requests.filter((r) => r.method === "POST" && r.path === `/repos/${OWNER}/${REPO}/issues`)).toHaveLength(2);
    const [oldest, newer] = server.issues();
    expect(oldest).toMatchObject({ state: "open", labels: ["opik-drift"], title: "Opik evaluation drift: charter_optimization" });
    expect(newer).toMatchObject({ state: "closed", stateReason: "duplicate" });
    expect(results.map((r) => r.url)).toEqual([
      `https://github.com/${OWNER}/${REPO}/issues/${oldest!.number}`,
      `https://github.com/${OWNER}/${REPO}/issues/${oldest!.number}`,
    ]);
  });

  it("comments only when another metric starts drifting, and leaves an unchanged body alone", async () => {
    const first = report("drifting", [signal("output_format", "drifting", 0.6), signal("hallucination", "stable")]);
    expect(await publishDriftIssue(gateway(), { feature: "charter_optimization", report: first })).toMatchObject({ action: "opened" });
    expect(await publishDriftIssue(gateway(), { feature: "charter_optimization", report: first })).toMatchObject({ action: "unchanged" });
    const worse = report("drifting", [signal("output_format", "drifting", 0.55), signal("hallucination", "stable")]);
    expect(await publishDriftIssue(gateway(), { feature: "charter_optimization", report: worse })).toEqual({
      action: "updated",
      url: expect.any(String) as unknown,
    });
    const both = report("drifting", [signal("output_format", "drifting", 0.55), signal("answer_relevance", "drifting", 0.7)]);
    expect(await publishDriftIssue(gateway(), { feature: "charter_optimization", report: both })).toMatchObject({
      action: "updated",
      commented: ["answer_relevance"],
    });
    const [issue] = server.issues();
    expect(server.comments(issue!.number).map((c) => c.body)).toEqual([expect.stringContaining("Drift now also in `answer_relevance`") as unknown]);
    expect(issue!.body).toContain("<!-- opik-evaluate-drift-metrics: output_format,answer_relevance -->");
  });

  it("keeps features apart, leaves the issue alone on insufficient-data, and closes it with a comment on recovery", async () => {
    const drifting = report("drifting", [signal("output_format", "drifting", 0.6)]);
    await publishDriftIssue(gateway(), { feature: "charter_optimization", report: drifting });
    await publishDriftIssue(gateway(), { feature: "support_bot", report: drifting });
    expect(await publishDriftIssue(gateway(), { feature: "charter_optimization", report: report("insufficient-data", []) })).toEqual({ action: "none" });
    expect(
      await publishDriftIssue(gateway(), { feature: "charter_optimization", report: report("recovered", [signal("output_format", "stable")]) }),
    ).toMatchObject({
      action: "closed",
    });
    const [charter, support] = server.issues();
    expect(charter).toMatchObject({ state: "closed", stateReason: "completed" });
    expect(server.comments(charter!.number).map((c) => c.body)).toEqual([expect.stringContaining("Recovered") as unknown]);
    expect(support).toMatchObject({ state: "open", title: "Opik evaluation drift: support_bot" });
  });

  it("answers a read-only token (403) with a warning naming the permission", async () => {
    server.forbid("writes");
    const result = await publishDriftIssue(gateway(), {
      feature: "charter_optimization",
      report: report("drifting", [signal("output_format", "drifting", 0.6)]),
    });
    expect(result.action).toBe("none");
    expect(result.warning).toMatch(
      /^Could not keep the drift issue for charter_optimization \(HTTP 403\): .*Resource not accessible by integration.*issues: write/,
    );
  });
});
