/**
 * `npm run bench [-- --n 1000 --latency 100 --concurrency 16]`: the whole
 * action (dist/index.js, as the runner runs it) against the embedded Opik
 * server and a loopback LLM that answers after a fixed latency. It reports
 * ratios, not absolute times: wall time against the ideal the LLM latency
 * allows, Opik requests per item, and peak memory. Then the harvest-transfer
 * case (`--case transfer` alone; `--matching 20000 --fresh 50 --payload 1024`):
 * bytes downloaded from Opik per new span when most matching spans are already added. Then the backlog case
 * (`--case backlog`; `--backlog 5000 --max-items 100 --payload 1024`): span reads when new spans far outnumber
 * max-items, as a ratio of one full search of them. Then the cache case
 * (`--case cache`; `--cache-n 200`): a pull request rerun with nothing changed, its cost and wall time as ratios of
 * the cold run's.
 */
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startOpikServer } from "opik-local-server";
import { startOpenAIServer } from "../test/support/openai-server.js";
import { benchBacklog } from "./bench-backlog.js";
import { benchCache } from "./bench-cache.js";
import { benchTransfer } from "./bench-transfer.js";
import { runAction } from "./run-action.js";
import { buildSample, ingestSample } from "./sample-data.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1000" },
    latency: { type: "string", default: "100" },
    concurrency: { type: "string", default: "16" },
    /** replay isolates Opik's share: no task call. */
    task: { type: "string", default: "openai" },
    metrics: { type: "string", default: "hallucination, output_format" },
    /** all, evaluate (N spans through the LLM) or transfer (the harvest's bytes per new span). */
    case: { type: "string", default: "all" },
    matching: { type: "string", default: "20000" },
    fresh: { type: "string", default: "50" },
    payload: { type: "string", default: "1024" },
    "cache-n": { type: "string", default: "200" },
    backlog: { type: "string", default: "5000" },
    "max-items": { type: "string", default: "100" },
  },
});
if (!["all", "evaluate", "transfer", "backlog", "cache"].includes(values.case))
  throw new Error(`--case: expected all, evaluate, transfer, backlog or cache, got "${values.case}"`);
const n = Number(values.n);
const latencyMs = Number(values.latency);
const concurrency = Number(values.concurrency);
/** LLM calls per item: the task's (unless replayed) and one per judge metric. */
const CALLS_PER_ITEM = (values.task === "replay" ? 0 : 1) + (values.metrics.includes("hallucination") ? 1 : 0);

/** Requests that belong to the experiment (Step 4) rather than to harvesting and dataset writes. */
const EXPERIMENT_PATHS = [
  /^\/v1\/private\/experiments/,
  /^\/v1\/private\/traces\/batch$/,
  /^\/v1\/private\/spans\/batch$/,
  /^\/v1\/private\/traces\/feedback-scores$/,
];

const [opik, llm] = await Promise.all([startOpikServer(), startOpenAIServer({ latencyMs })]);
// Judges ask for JSON; the task answers the charter check.
llm.reply((body) =>
  (body as { response_format?: unknown }).response_format
    ? JSON.stringify({ score: 0, reason: "supported by the context" })
    : JSON.stringify({ verdict: "valid", reason: "complete" }),
);
try {
  if (values.case === "all" || values.case === "evaluate") await benchEvaluate();
  if (values.case === "all" || values.case === "transfer") {
    const rows = await benchTransfer(opik, { matching: Number(values.matching), fresh: Number(values.fresh), payloadBytes: Number(values.payload) });
    console.log(`\nHarvest transfer: ${values.matching} matching spans, ${values.fresh} new, node ${process.version}\n`);
    printTable(rows);
  }
  if (values.case === "all" || values.case === "backlog") {
    const rows = await benchBacklog(opik, { backlog: Number(values.backlog), maxItems: Number(values["max-items"]), payloadBytes: Number(values.payload) });
    console.log(`\nHarvest backlog: ${values.backlog} new spans, max-items ${values["max-items"]}, node ${process.version}\n`);
    printTable(rows);
  }
  if (values.case === "all" || values.case === "cache") {
    const rows = await benchCache(opik, llm, { n: Number(values["cache-n"]), concurrency });
    console.log(`\nCompletion cache: a pull request rerun with nothing changed, latency ${latencyMs} ms, node ${process.version}\n`);
    printTable(rows);
  }
} finally {
  await Promise.all([opik.close(), llm.close()]);
}

function printTable(rows: ReadonlyArray<[string, string]>): void {
  console.log("| measure | value |\n| --- | --- |");
  for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
}

async function benchEvaluate(): Promise<void> {
  const project = "bench";
  const sample = buildSample({
    project,
    spanName: "charter_validation",
    now: new Date(),
    lookbackHours: 24,
    seed: 42,
    fresh: n,
    alreadyAdded: Math.round(n / 10),
    prose: 0,
    errorTraces: Math.round(n / 20),
    otherNames: Math.round(n / 10),
    otherTypes: 0,
    outsideWindow: 0,
  });
  await ingestSample(opik.url, sample);

  const rssFile = path.join(await mkdtemp(path.join(os.tmpdir(), "opik-bench-")), "rss");
  const hook = fileURLToPath(new URL("./bench-rss.mjs", import.meta.url));
  const before = opik.requests.length;
  const started = performance.now();
  const run = await runAction(
    {
      "opik-url": opik.url,
      "opik-project": project,
      "span-name": "charter_validation",
      "dataset-prefix": "bench",
      "task-provider": values.task,
      "openai-api-key": "sk-bench",
      "openai-base-url": llm.url,
      model: "gpt-4o-mini",
      metrics: values.metrics,
      ...(values.task === "replay" ? { "judge-provider": "openai" } : {}),
      "max-items": String(n),
      concurrency: String(concurrency),
    },
    { env: { NODE_OPTIONS: `--import=${hook}`, BENCH_RSS_FILE: rssFile } },
  );
  const wallMs = performance.now() - started;
  if (run.exitCode !== 0 || run.result?.status !== "success") throw new Error(`the action failed:\n${run.stdout}\n${run.stderr}`);

  const requests = opik.requests.slice(before);
  const experimentRequests = requests.filter((r) => EXPERIMENT_PATHS.some((p) => p.test(r.path))).length;
  const harvestRequests = requests.length - experimentRequests;
  const idealMs = Math.max(1, (n * CALLS_PER_ITEM * latencyMs) / concurrency);
  const peakMb = Number(await readFile(rssFile, "utf8")) / 1024 / 1024;
  const rows: Array<[string, string]> = [
    ["spans evaluated", String(run.result.spans_new)],
    ["LLM calls", String(llm.requests.length)],
    ["wall time", `${(wallMs / 1000).toFixed(2)} s`],
    ["ideal time (N × calls × latency ÷ concurrency)", `${(idealMs / 1000).toFixed(2)} s`],
    ["wall ÷ ideal", (wallMs / idealMs).toFixed(3)],
    ["Opik requests per item, harvest + dataset", (harvestRequests / n).toFixed(4)],
    ["Opik requests per item, experiment writes", (experimentRequests / n).toFixed(4)],
    ["peak memory of the action", `${peakMb.toFixed(0)} MB`],
  ];
  console.log(`\nBenchmark: N=${n}, latency ${latencyMs} ms, concurrency ${concurrency}, node ${process.version}\n`);
  printTable(rows);
}
