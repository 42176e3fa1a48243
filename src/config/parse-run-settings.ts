import { parseGateInputs, type GateSettings } from "../gate/index.js";
import { COMMENT_MODES, type CommentMode } from "../constants.js";
import type { RawInputs } from "./raw-inputs.js";
import { parseShard, type Shard } from "./parse-shard.js";

export type RunMode = "harvest" | "evaluate" | "report";

/** How this run works and how it is judged: the pull-request side of the inputs. */
export interface RunSettings {
  /**
   * harvest: Steps 0 to 4; evaluate: Step 4 only, on an existing dataset, changing no production data;
   * report: reads the experiment the shards wrote, gates and reports, calling no model.
   */
  mode: RunMode;
  /** In evaluate mode, this job's slice of the items; with report, what names the shards' shared experiment. */
  shard?: Shard;
  /** shard-run: shared by the shards and the report job of one evaluation; set whenever shard is or mode is report. */
  shardRun?: string;
  /** In evaluate mode: a dataset name, or "latest" (the newest complete dataset with the feature's prefix). */
  dataset: string;
  gate: GateSettings;
  comment: CommentMode;
  /** Empty when no token was given: no comment is posted. */
  githubToken: string;
}

const PULL_REQUEST_EVENTS = new Set(["pull_request", "pull_request_target"]);

/**
 * `auto` evaluates on pull requests (a PR must never change production
 * data) and harvests on schedule, workflow_dispatch and push. Pure.
 */
export function parseRunSettings(
  raw: RawInputs,
  eventName: string | undefined,
  configThresholds: Record<string, { min?: number; max?: number }>,
): { settings?: RunSettings; problems: string[] } {
  const problems: string[] = [];
  const requested = raw.mode.trim().toLowerCase();
  if (!["auto", "harvest", "evaluate", "report"].includes(requested)) problems.push(`mode: expected auto, harvest, evaluate or report (got "${raw.mode}")`);
  const mode: RunMode =
    requested === "harvest" || requested === "evaluate" || requested === "report"
      ? requested
      : PULL_REQUEST_EVENTS.has(eventName ?? "")
        ? "evaluate"
        : "harvest";

  const shard = parseShard(raw.shard, raw["shard-run"], mode);
  problems.push(...shard.problems);

  const dataset = raw.dataset.trim() || "latest";
  if (!/^[A-Za-z0-9._-]+$/.test(dataset)) problems.push(`dataset: expected a dataset name or latest (got "${raw.dataset}")`);

  const gate = parseGateInputs(
    {
      thresholds: raw.thresholds,
      "max-regression": raw["max-regression"],
      "min-items": raw["min-items"],
      "max-error-rate": raw["max-error-rate"],
      "fail-on": raw["fail-on"],
      baseline: raw.baseline,
    },
    configThresholds,
  );
  problems.push(...gate.problems);

  const comment = raw.comment.trim().toLowerCase() as CommentMode;
  if (!(COMMENT_MODES as readonly string[]).includes(comment)) problems.push(`comment: expected sticky, new or off (got "${raw.comment}")`);

  if (problems.length) return { problems };
  return {
    settings: {
      mode,
      dataset,
      ...(shard.shard ? { shard: shard.shard } : {}),
      ...(shard.shardRun ? { shardRun: shard.shardRun } : {}),
      gate: gate.settings,
      comment,
      githubToken: raw["github-token"],
    },
    problems,
  };
}
