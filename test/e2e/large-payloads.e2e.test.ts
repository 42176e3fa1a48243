import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAction } from "../../scripts/run-action.js";
import { OPIK_LIMITS } from "../../src/constants.js";
import { createUuidV7, startOpikServer, type OpikServer } from "opik-local-server";
import { opikReads } from "../support/opik-reads.js";

/** verdict has an enum but no type: a failed check prints the value, which walks all of it. */
const REGISTRY = `
features:
  charter_optimization:
    span_name: charter_validation
    dataset_prefix: charter-large
    experiment_prefix: charter_large
    metrics: [output_format]
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { enum: [valid, invalid, needs_review] } } }
`;

const MB = 1024 * 1024;
const BIG_SPANS = 8;
const DEEP_LEVELS = 12_000;
const MARKER = /…\[truncated by opik-evaluate: [\d,]+ → [\d,]+ bytes\]$/;

let server: OpikServer;
let workspace: string;

beforeAll(async () => {
  server = await startOpikServer();
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-large-"));
  await mkdir(path.join(workspace, ".github"), { recursive: true });
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), REGISTRY);
});
afterAll(async () => server.close());

/** Text of a given size from a seed: the spans differ, and a failure can be replayed. */
function seededText(seed: number, bytes: number): string {
  const words = ["charter", "clause", "party", "vessel", "laytime", "demurrage", "cargo", "port"];
  let state = seed;
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const word = words[state % words.length] ?? "x";
    parts.push(word);
    size += word.length + 1;
  }
  return parts.join(" ").slice(0, bytes);
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
}

/** One span (and its trace) per request: a 10 MB span is within what Opik ingests, not within one dataset write. */
async function ingestSpan(project: string, output: unknown, input: unknown): Promise<string> {
  const traceId = createUuidV7();
  const spanId = createUuidV7();
  const start = new Date(Date.now() - 60_000).toISOString();
  await post(`${server.url}/v1/private/traces/batch`, {
    traces: [{ id: traceId, project_name: project, name: "charter_run", start_time: start, input: { note: "trace" } }],
  });
  await post(`${server.url}/v1/private/spans/batch`, {
    spans: [{ id: spanId, trace_id: traceId, project_name: project, name: "charter_validation", type: "llm", start_time: start, input, output }],
  });
  return spanId;
}

describe("spans too large for one Opik request, and JSON too deep to walk", () => {
  it("completes: every oversized item is stored truncated with a marker and named in warnings, none is lost, and the deep span scores", async () => {
    const project = `charters-large-${Date.now()}`;
    const seed = Math.floor(Math.random() * 2 ** 31);
    console.log(`large-payloads seed ${seed}`);
    const bigSpanIds: string[] = [];
    for (let i = 0; i < BIG_SPANS; i += 1) {
      bigSpanIds.push(
        await ingestSpan(project, { verdict: "valid", explanation: seededText(seed + 2 * i + 1, 5 * MB) }, { prompt: seededText(seed + 2 * i, 5 * MB) }),
      );
    }
    const deepOutput = `{"verdict":${'{"a":'.repeat(DEEP_LEVELS)}"leaf"${"}".repeat(DEEP_LEVELS)}}`;
    const deepSpanId = await ingestSpan(project, deepOutput, { prompt: "Validate the charter." });

    // From here on the server answers 413 to any body over Opik's documented 4 MB, as a capped deployment does.
    server.limitRequestBytes(OPIK_LIMITS.requestBytes);
    try {
      const run = await runAction({ "opik-url": server.url, "opik-project": project, "task-provider": "replay", "max-items": "100" }, { workspace });
      expect(run.exitCode, run.stdout).toBe(0);
      const result = run.result!;
      expect(result.status, JSON.stringify(result.errors)).toBe("success");
      expect(result.spans_new).toBe(BIG_SPANS + 1);
      expect(server.requests.filter((r) => r.status === 413)).toEqual([]);

      const warnings = result.warnings as string[];
      for (const spanId of bigSpanIds)
        expect(warnings.some((w) => w.startsWith(`Span ${spanId}: its dataset item`) && w.includes("stored truncated"))).toBe(true);
      expect(warnings.some((w) => w.includes(deepSpanId))).toBe(false);
      expect(warnings.join("\n")).not.toContain("Maximum call stack");

      const reads = opikReads(server.url, project);
      const items = await reads.datasetItems(result.dataset_name as string);
      expect(items.map((item) => (item.data as Record<string, unknown>).span_id).sort()).toEqual([...bigSpanIds, deepSpanId].sort());
      for (const item of items) {
        const data = item.data as { span_id: string; input: { prompt: string }; expected_output: unknown };
        if (data.span_id === deepSpanId) {
          expect(data.expected_output).toBe(deepOutput);
          continue;
        }
        expect(Buffer.byteLength(JSON.stringify(item.data))).toBeLessThanOrEqual(OPIK_LIMITS.requestBytes);
        expect(data.input.prompt).toMatch(MARKER);
        const output = data.expected_output as { verdict: string; explanation: string };
        expect(output.verdict).toBe("valid");
        expect(output.explanation).toMatch(MARKER);
        expect(data.input.prompt.startsWith(seededText(seed + 2 * bigSpanIds.indexOf(data.span_id), 1000))).toBe(true);
      }

      expect((await reads.spansMarked()).map((span) => span.id).sort()).toEqual([...bigSpanIds, deepSpanId].sort());
      const experiment = result.experiment_result as { experiment_name: string; experiment_id: string };
      const experimentItems = await reads.experimentItems({ name: experiment.experiment_name, id: experiment.experiment_id });
      expect(experimentItems).toHaveLength(BIG_SPANS + 1);
      const deepItem = items.find((item) => (item.data as { span_id: string }).span_id === deepSpanId);
      const deepScores = experimentItems.find((row) => row.dataset_item_id === deepItem?.id)?.feedback_scores as { name: string; value: number }[];
      // An object where the enum wants a string: the type and required checks pass, the enum check fails.
      expect(deepScores).toEqual([expect.objectContaining({ name: "output_format", value: 0.6667 })]);
    } finally {
      server.limitRequestBytes(undefined);
    }
  }, 240_000);
});
