import { randomUUID } from "node:crypto";
import os from "node:os";
import { describe, expect, it } from "vitest";
import { DEFAULT_INPUTS, type InputName } from "../../src/constants.js";
import type { RawInputs } from "../../src/config/raw-inputs.js";
import { evaluate, type EvaluateDeps } from "../../src/core/evaluate.js";
import { opikJudgeMetrics } from "../../src/opik/opik-judges.js";
import type { SpanRecord } from "../../src/types.js";
import { FakeOpikGateway } from "../support/fake-opik-gateway.js";

const NOW = new Date("2026-03-10T12:00:00Z");

const REGISTRY = `
features:
  charters:
    span_name: charter_llm
    dataset_prefix: charters
    metrics: [output_format]
    output_format: { regex: "\\\\{.*\\\\}" }
    test_suite:
      promote: { output_format: { min: 0.5 } }
      assertions: [The reply is a JSON object]
`;

/** Spans whose recorded outputs are JSON (scored 1) or prose (scored 0), in that order. */
function addSpans(opik: FakeOpikGateway, outputs: string[]): SpanRecord[] {
  const spans = outputs.map((output, i): SpanRecord => ({
    id: randomUUID(),
    traceId: randomUUID(),
    name: "charter_llm",
    type: "llm",
    startTime: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString(),
    input: { messages: [{ role: "user", content: `charter question ${i}` }] },
    output,
    feedbackScores: [],
  }));
  opik.spans.push(...spans);
  return spans;
}

function deps(opik: FakeOpikGateway): EvaluateDeps & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    files: {
      registry: () => Promise.resolve({ path: ".github/opik-evaluate.yml", text: REGISTRY }),
      facts: () => Promise.resolve({}),
      taskPrompt: () => Promise.reject(new Error("no prompt file")),
    },
    opik: () => opik,
    chatModel: () => {
      throw new Error("replay calls no model");
    },
    judgeMetrics: opikJudgeMetrics,
    now: () => NOW,
    log: { info: () => undefined, warning: (message) => warnings.push(message), progress: () => undefined },
  };
}

function raw(): RawInputs {
  const empty = Object.fromEntries(Object.keys(DEFAULT_INPUTS).map((name) => [name, ""])) as Record<InputName, string>;
  return {
    ...empty,
    "opik-url": "http://opik.test/api",
    "opik-project": "charters-app",
    "experiment-type": "charters",
    "task-provider": "replay",
    "max-items": "50",
    "lookback-hours": "24",
    "skip-if-empty": "true",
    "cleanup-errors": "false",
    "opik-timeout-seconds": "60",
    temperature: "0",
    concurrency: "4",
    "sampling-rate": "1",
    "ollama-base-url": "http://localhost:11434/v1",
    "judge-provider": "",
    mode: "harvest",
    baseline: "none",
    comment: "off",
  };
}

const run = { runContext: {}, run: { id: "promote-test" }, tempDir: os.tmpdir() };

describe("evaluate: promotion to the test suite (in process, on a fake Opik)", () => {
  it("adds the prose outputs to the suite it creates, with input, recorded output and source ids", async () => {
    const opik = new FakeOpikGateway();
    const spans = addSpans(opik, ['{"verdict":"valid"}', "looks fine", '{"verdict":"invalid"}', "no idea"]);
    const outcome = await evaluate({ raw: raw(), ...run }, deps(opik));

    expect(outcome.exit.failed).toBe(false);
    expect(outcome.outputs["promoted-count"]).toBe("2");
    expect(opik.promotionSuites.get("charters-regressions")).toEqual({
      settings: { assertions: ["The reply is a JSON object"], executionPolicy: { runsPerItem: 1, passThreshold: 1 } },
      versions: 2,
    });
    const items = [...opik.datasets.get("charters-regressions")!.items.values()];
    expect(items.map((item) => item.data.source_span_id).sort()).toEqual([spans[1]!.id, spans[3]!.id].sort());
    for (const item of items) {
      const span = spans.find((s) => s.id === item.data.source_span_id)!;
      expect(item).toMatchObject({ spanId: span.id, traceId: span.traceId });
      expect(item.data).toMatchObject({ input: span.input, context: span.output, source_trace_id: span.traceId });
    }
  });

  it("never promotes from an evaluate-mode run, which changes no production data", async () => {
    const opik = new FakeOpikGateway();
    addSpans(opik, ["looks fine", '{"verdict":"valid"}']);
    await evaluate({ raw: raw(), ...run }, deps(opik));
    const items = (): number => opik.datasets.get("charters-regressions")!.items.size;
    expect(items()).toBe(1);
    opik.datasets.get("charters-regressions")!.items.clear();

    const outcome = await evaluate({ raw: { ...raw(), mode: "evaluate", dataset: "latest" }, ...run }, deps(opik));
    expect(outcome.result.experiment?.itemsTotal).toBe(2);
    expect(outcome.result.promoted).toBeUndefined();
    expect(items()).toBe(0);
  });

  it("reports a suite that cannot be written as a warning and a summary line, and the run still succeeds", async () => {
    const opik = new FakeOpikGateway();
    addSpans(opik, ["looks fine", '{"verdict":"valid"}']);
    opik.fail("ensureTestSuite", "Opik test suite create failed: 503 Service Unavailable");
    const d = deps(opik);
    const outcome = await evaluate({ raw: raw(), ...run }, d);

    expect(outcome.exit).toEqual({ failed: false, message: "Opik evaluation success; gate pass" });
    expect(outcome.result.promoted).toMatchObject({
      suiteName: "charters-regressions",
      items: [],
      failed: "Opik test suite create failed: 503 Service Unavailable",
    });
    expect(d.warnings).toContain("Promotion to test suite charters-regressions failed: Opik test suite create failed: 503 Service Unavailable");
    expect(outcome.summary).toContain("⚠️ Promotion failed: Opik test suite create failed: 503 Service Unavailable.");
    expect(outcome.outputs["promoted-count"]).toBe("0");
  });

  it("creates no suite when nothing is flagged", async () => {
    const opik = new FakeOpikGateway();
    addSpans(opik, ['{"verdict":"valid"}']);
    const outcome = await evaluate({ raw: raw(), ...run }, deps(opik));
    expect(outcome.result.promoted).toMatchObject({ items: [], created: false });
    expect(opik.promotionSuites.size).toBe(0);
  });
});
