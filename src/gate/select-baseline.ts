import type { BaselineMode } from "./types.js";

/** An earlier experiment on the same dataset, as Opik lists it. */
export interface ExperimentCandidate {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
  /** The experiment's metadata; the action records `branch` and `event` there. */
  metadata: Record<string, unknown>;
}

export interface BaselineContext {
  /** The pull request's base branch (GITHUB_BASE_REF); absent outside pull requests. */
  baseBranch?: string;
  mode: BaselineMode;
  currentExperimentId: string;
}

export type BaselineChoice =
  { kind: "selected"; experiment: ExperimentCandidate; why: string } | { kind: "none"; why: string } | { kind: "problem"; problem: string };

/**
 * Which earlier experiment the run is compared with. `auto` takes the newest
 * run on the pull request's base branch, which is what the change would be
 * merged into; without one, the newest scheduled run, which samples the same
 * production traffic. A named baseline that does not exist is a problem, not
 * a silent fallback.
 */
export function selectBaseline(candidates: readonly ExperimentCandidate[], context: BaselineContext): BaselineChoice {
  if (context.mode === "none") return { kind: "none", why: "baseline is none" };
  const current = candidates.find((c) => c.id === context.currentExperimentId);
  const currentTime = current ? timeOf(current) : Number.POSITIVE_INFINITY;
  const earlier = candidates.filter((c) => c.id !== context.currentExperimentId && timeOf(c) < currentTime).sort((a, b) => timeOf(b) - timeOf(a));

  if (context.mode !== "auto") {
    const named = earlier.find((c) => c.name === context.mode);
    if (named) return { kind: "selected", experiment: named, why: `named by the baseline input` };
    const later = candidates.some((c) => c.name === context.mode && c.id !== context.currentExperimentId);
    return {
      kind: "problem",
      problem: later
        ? `baseline: experiment "${context.mode}" is not older than the current experiment (expected an earlier experiment on the same dataset)`
        : `baseline: no experiment named "${context.mode}" on this dataset (expected auto, none, or the name of an earlier experiment on the same dataset)`,
    };
  }

  if (context.baseBranch) {
    const onBase = earlier.find((c) => c.metadata.branch === context.baseBranch);
    if (onBase) return { kind: "selected", experiment: onBase, why: `newest earlier run on the base branch ${context.baseBranch}` };
  }
  const scheduled = earlier.find((c) => c.metadata.event === "schedule");
  if (scheduled) return { kind: "selected", experiment: scheduled, why: "newest earlier scheduled run" };
  const where = context.baseBranch ? `on the base branch ${context.baseBranch} or ` : "";
  return { kind: "none", why: `no earlier experiment ${where}from a scheduled run on this dataset` };
}

/** Unparseable dates sort as the oldest, so they are never preferred. */
function timeOf(candidate: ExperimentCandidate): number {
  const time = Date.parse(candidate.createdAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}
