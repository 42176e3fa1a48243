import { describe, expect, it } from "vitest";
import { selectBaseline, type ExperimentCandidate } from "../../src/gate/select-baseline.js";

const experiment = (id: string, createdAt: string, metadata: Record<string, unknown>): ExperimentCandidate => ({ id, name: `eval-${id}`, createdAt, metadata });

const candidates = [
  experiment("main-old", "2026-02-01T10:00:00Z", { branch: "main", event: "push" }),
  experiment("main-new", "2026-02-03T10:00:00Z", { branch: "main", event: "push" }),
  experiment("nightly", "2026-02-04T02:00:00Z", { branch: "main", event: "schedule" }),
  experiment("other-pr", "2026-02-04T09:00:00Z", { branch: "feature/x", event: "pull_request" }),
  experiment("current", "2026-02-04T12:00:00Z", { branch: "7/merge", event: "pull_request" }),
  experiment("later", "2026-02-05T12:00:00Z", { branch: "release", event: "push" }),
];

describe("selectBaseline", () => {
  it("takes the newest earlier run on the pull request's base branch", () => {
    const choice = selectBaseline(candidates, { baseBranch: "main", mode: "auto", currentExperimentId: "current" });
    expect(choice).toEqual({ kind: "selected", experiment: candidates[2], why: "newest earlier run on the base branch main" });
  });

  it("never takes a run newer than the current experiment, nor the current one", () => {
    const choice = selectBaseline(candidates, { baseBranch: "release", mode: "auto", currentExperimentId: "current" });
    expect(choice).toMatchObject({ kind: "selected", experiment: { id: "nightly" }, why: "newest earlier scheduled run" });
  });

  it("falls back to the newest scheduled run outside pull requests", () => {
    expect(selectBaseline(candidates, { mode: "auto", currentExperimentId: "current" })).toMatchObject({ kind: "selected", experiment: { id: "nightly" } });
  });

  it("says why when nothing fits", () => {
    const onlyPrs = [candidates[3] as ExperimentCandidate, candidates[4] as ExperimentCandidate];
    expect(selectBaseline(onlyPrs, { baseBranch: "main", mode: "auto", currentExperimentId: "current" })).toEqual({
      kind: "none",
      why: "no earlier experiment on the base branch main or from a scheduled run on this dataset",
    });
  });

  it("takes no baseline for none", () => {
    expect(selectBaseline(candidates, { baseBranch: "main", mode: "none", currentExperimentId: "current" })).toEqual({ kind: "none", why: "baseline is none" });
  });

  it("takes a named experiment, and makes a missing name a problem", () => {
    expect(selectBaseline(candidates, { mode: "eval-main-old", currentExperimentId: "current" })).toMatchObject({
      kind: "selected",
      experiment: { id: "main-old" },
    });
    expect(selectBaseline(candidates, { mode: "eval-typo", currentExperimentId: "current" })).toEqual({
      kind: "problem",
      problem: 'baseline: no experiment named "eval-typo" on this dataset (expected auto, none, or the name of an earlier experiment on the same dataset)',
    });
    expect(selectBaseline(candidates, { mode: "eval-later", currentExperimentId: "current" })).toMatchObject({
      kind: "problem",
      problem: expect.stringMatching(/is not older than the current experiment/) as unknown,
    });
  });
});
