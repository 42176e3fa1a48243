/**
 * Rewrites the README's metric table from the catalog:
 *   npx tsx scripts/update-readme-metrics.ts          # rewrite README.md
 *   npx tsx scripts/update-readme-metrics.ts --check  # exit 1 if it is stale
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { errorMessage } from "../src/errors.js";
import { replaceMetricBlock } from "../src/metrics/render-metric-table.js";

const readmePath = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "README.md");

async function main(): Promise<void> {
  const readme = await readFile(readmePath, "utf8");
  const updated = replaceMetricBlock(readme);
  if (updated === readme) {
    console.log("README.md metric table is up to date");
    return;
  }
  if (process.argv.includes("--check")) {
    console.error("README.md metric table is stale: run npx tsx scripts/update-readme-metrics.ts");
    process.exitCode = 1;
    return;
  }
  await writeFile(readmePath, updated);
  console.log("README.md metric table updated");
}

main().catch((error: unknown) => {
  console.error(`Cannot update README.md: ${errorMessage(error)}`);
  process.exit(1);
});
