// Loaded with --import into the benchmarked action: records its peak memory at exit.
import { writeFileSync } from "node:fs";
import process from "node:process";

process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS * 1024));
});
