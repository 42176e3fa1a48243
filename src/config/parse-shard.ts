import { MAX_SHARDS } from "../constants.js";

/** One job's slice of an evaluation split across runners: shard `index` of `count`, 1-based as a matrix lists them. */
export interface Shard {
  index: number;
  count: number;
}

const SHARD_PATTERN = /^(\d+)\s*\/\s*(\d+)$/;
const RUN_PATTERN = /^[A-Za-z0-9._-]+$/;

/**
 * The shard and shard-run inputs. A shard only slices an evaluate run; the report job needs the shard-run its
 * shards named their experiment by, and so does every shard. Pure.
 */
export function parseShard(
  shardInput: string,
  runInput: string,
  mode: "harvest" | "evaluate" | "report",
): { shard?: Shard; shardRun?: string; problems: string[] } {
  const problems: string[] = [];
  const text = shardInput.trim();
  let shard: Shard | undefined;
  if (text) {
    const match = SHARD_PATTERN.exec(text);
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || index < 1 || count < 1 || index > count || count > MAX_SHARDS) {
      problems.push(`shard: expected i/n with 1 <= i <= n <= ${MAX_SHARDS}, e.g. 2/4 (got "${shardInput}")`);
    } else if (mode !== "evaluate") {
      problems.push(`shard: only an evaluate run is split into shards (mode is ${mode}); harvest runs are not sharded and the report job reads every shard`);
    } else {
      shard = { index, count };
    }
  }
  const run = runInput.trim();
  const needsRun = Boolean(text) || mode === "report";
  if (!needsRun) return { ...(shard ? { shard } : {}), problems };
  if (!run) {
    problems.push(
      `shard-run: required ${mode === "report" ? "with mode report" : "with shard"} (expected the id every shard and the report job share, e.g. the workflow run's id; the action defaults to it)`,
    );
  } else if (!RUN_PATTERN.test(run)) {
    problems.push(`shard-run: expected letters, digits, '.', '_' or '-' (got "${runInput}")`);
  }
  return { ...(shard ? { shard } : {}), ...(run && RUN_PATTERN.test(run) ? { shardRun: run } : {}), problems };
}
