import { describe, expect, it } from "vitest";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import { commentMarker, MAX_STEP_SUMMARY_BYTES } from "../../src/report/limits.js";
import { cut, escapeCell, fitMarkdown, measureBytes } from "../../src/report/markdown.js";
import { renderGateSection } from "../../src/report/render-gate.js";
import { baseline, gateInput, item, JUDGE_CONFIG, settings } from "../gate/fixtures.js";
import { scenarios } from "../gate/report-scenarios.js";
import { extractText } from "../../src/metrics/extract-text.js";
import { userPreview } from "../../src/pipeline/item-preview.js";
import type { ItemOutcome } from "../../src/types.js";

describe("renderGateSection", () => {
  it("renders the gate for the job summary, as reviewed in golden/gate-section-fail-regression.md", async () => {
    const regression = scenarios().find((s) => s.state === "fail-regression");
    if (!regression) throw new Error("no fail-regression scenario");
    await expect(renderGateSection(regression.verdict, { items: regression.run.items })).toMatchFileSnapshot("golden/gate-section-fail-regression.md");
  });

  it("flags a baseline judged by another model, as reviewed in golden/gate-section-incomparable-baseline.md", async () => {
    const outcomes = Array.from({ length: 12 }, (_, i) => item(`item-${String(i).padStart(2, "0")}`, { hallucination: i < 6 ? 1 : 0, output_format: 1 }));
    const before = Array.from({ length: 12 }, (_, i) => item(`item-${String(i).padStart(2, "0")}`, { hallucination: 0, output_format: 1 }));
    const verdict = computeVerdict(gateInput(outcomes, { baseline: baseline(before, { ...JUDGE_CONFIG, judge_model: "gpt-4o" }) }));
    expect(verdict.baseline?.comparable).toBe(false);
    await expect(renderGateSection(verdict)).toMatchFileSnapshot("golden/gate-section-incomparable-baseline.md");
  });

  it("tells worst items apart by the user's message, not the system prompt they share, as reviewed in golden/gate-section-chat-items.md", async () => {
    const system = "You are the charter assistant of the city council. Answer in JSON with the article you rely on and never invent one.";
    const questions = ["Can the mayor extend the consultation period?", "Who may submit a citizen proposal?", "How many signatures does a petition need?"];
    // Items as the experiment keeps them: the input's text, and the preview of a chat input.
    const outcomes: ItemOutcome[] = questions.map((question, i) => {
      const input =
        i === 2
          ? {
              contents: [
                { role: "user", parts: [{ text: "Hello" }] },
                { role: "model", parts: [{ text: "Hi" }] },
                { role: "user", parts: [{ text: question }] },
              ],
            }
          : {
              messages: [
                { role: "system", content: system },
                { role: "user", content: question },
              ],
            };
      return item(`item-${i}`, { output_format: 0 }, { input: extractText(input), ...userPreview(input) });
    });
    const verdict = computeVerdict(
      gateInput(outcomes, { settings: settings({ thresholds: { output_format: { min: 0.9 } } }) }, { metrics: ["output_format"] }),
    );
    const section = renderGateSection(verdict, { items: outcomes });
    const summaries = section.split("\n").filter((line) => line.startsWith("<details><summary>"));
    expect(summaries).toHaveLength(3);
    questions.forEach((question) => expect(summaries.some((line) => line.includes(`— ${question}`))).toBe(true));
    await expect(section).toMatchFileSnapshot("golden/gate-section-chat-items.md");
  });

  it("renders the table alone without items", () => {
    const pass = scenarios()[0];
    if (!pass) throw new Error("no scenario");
    const section = renderGateSection(pass.verdict);
    expect(section).toMatch(/^## Gate: ✅ passed\n/);
    expect(section).not.toContain("<details>");
  });

  it("stays within the bytes it is given, counting multibyte text as bytes", () => {
    const text = "日本語の回答 🎉 ".repeat(200_000);
    const outcomes = Array.from({ length: 3000 }, (_, i) =>
      item(
        `item-${i}`,
        { hallucination: i % 2, output_format: 1 },
        { input: text, output: text, scores: { hallucination: { value: i % 2, reason: text }, output_format: { value: 1 } } },
      ),
    );
    const input = gateInput(outcomes, {}, { metrics: ["hallucination", "output_format", ...Array.from({ length: 5000 }, (_, i) => `日本語_metric_${i}`)] });
    const verdict = computeVerdict(input);
    for (const maxBytes of [MAX_STEP_SUMMARY_BYTES - 20_000, 50_000, 4_000]) {
      const section = renderGateSection(verdict, { items: outcomes, maxBytes });
      expect(measureBytes(section)).toBeLessThanOrEqual(maxBytes);
      expect(section.split("\n").filter((l) => l === "```text").length).toBe(section.split("\n").filter((l) => l === "```").length);
    }
  });
});

describe("commentMarker", () => {
  it("keys the sticky comment by workflow, job, experiment type and variant", () => {
    expect(commentMarker({ workflow: "Evaluate", job: "opik", experimentType: "charter_optimization" })).toBe(
      "<!-- opik-evaluate workflow=Evaluate job=opik experiment=charter_optimization -->",
    );
    expect(commentMarker({ workflow: "Evaluate", job: "opik", experimentType: "charter", variant: "gpt-4o" })).toBe(
      "<!-- opik-evaluate workflow=Evaluate job=opik experiment=charter variant=gpt-4o -->",
    );
  });

  it("cannot be ended early or forged by a crafted name", () => {
    const crafted = commentMarker({ workflow: "CI --> <!-- opik-evaluate workflow=CI", job: "a b", experimentType: "x" });
    expect(crafted).toBe("<!-- opik-evaluate workflow=CI%20--%3E%20%3C!--%20opik-evaluate%20workflow%3DCI job=a%20b experiment=x -->");
    expect(crafted.indexOf("-->")).toBe(crafted.length - 3);
    expect(crafted).not.toContain(commentMarker({ workflow: "CI", job: "a b", experimentType: "x" }));
  });
});

describe("markdown helpers", () => {
  it("never splits a surrogate pair when cutting", () => {
    expect(cut("ab🎉cd", 4)).toBe("ab…");
    expect(cut("abc🎉", 5)).toBe("abc🎉");
  });

  it("escapes a backslash before a pipe, so the pipe cannot end the cell", () => {
    expect(escapeCell("a\\|b")).toBe("a\\\\\\|b");
  });

  it("closes a fence and open details when it cuts inside them", () => {
    const markdown = [
      "# Title",
      "<details><summary>x</summary>",
      "",
      "```text",
      ...Array.from({ length: 100 }, (_, i) => `line ${i}`),
      "```",
      "</details>",
    ].join("\n");
    const fitted = fitMarkdown(markdown, { limit: 200, measure: (t) => t.length, tail: "<!-- m -->" });
    expect(fitted.length).toBeLessThanOrEqual(200);
    expect(fitted).toMatch(/line \d+\n```\n\n<\/details>\n\n_… cut to fit GitHub's size limit._\n<!-- m -->$/);
  });
});
