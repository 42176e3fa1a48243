import { describe, expect, it } from "vitest";
import { computeVerdict } from "../../src/gate/compute-verdict.js";
import type { GateVerdict } from "../../src/gate/types.js";
import type { PipelineRun } from "../../src/run-result.js";
import { commentMarker, MAX_COMMENT_CHARS } from "../../src/report/limits.js";
import { renderComment } from "../../src/report/render-comment.js";
import type { ItemOutcome } from "../../src/types.js";
import { baseline, gateInput, item, settings } from "../gate/fixtures.js";
import { JUDGE_CONFIG } from "../gate/fixtures.js";
import { LINKS, PROMPT_VERSION, scenarios } from "../gate/report-scenarios.js";

const marker = commentMarker({ workflow: "Evaluate", job: "opik", experimentType: "charter_optimization" });

/**
 * Reads markdown the way GitHub does where it matters here: fenced blocks
 * (whose content is inert), raw HTML outside them, table rows split on
 * unescaped pipes. Returns every way the text could break the page.
 */
function structuralProblems(markdown: string): string[] {
  const problems: string[] = [];
  let fence: string | undefined;
  let openDetails = 0;
  let tableColumns: number | undefined;
  const lines = markdown.split("\n");
  lines.forEach((line, index) => {
    const where = `line ${index + 1}`;
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (fenceMatch && line.trim() === fenceMatch && fenceMatch[0] === fence[0] && fenceMatch.length >= fence.length) fence = undefined;
      else if (fenceMatch?.[0] === fence[0])
        problems.push(`${where}: a line inside a code block that looks like its fence: ${JSON.stringify(line.slice(0, 40))}`);
      return;
    }
    if (fenceMatch) {
      if (line !== "```text") problems.push(`${where}: unexpected fence opener ${JSON.stringify(line.slice(0, 40))}`);
      fence = fenceMatch;
      return;
    }
    const isMarker = index === lines.length - 1 && line === marker;
    const tags = [...line.matchAll(/<\/?([A-Za-z][\w-]*)|<!--/g)].map((m) => m[0]);
    for (const tag of tags) {
      if (!["<details", "</details", "<summary", "</summary"].includes(tag) && !(tag === "<!--" && isMarker))
        problems.push(`${where}: raw HTML ${tag} in ${JSON.stringify(line.slice(0, 80))}`);
    }
    openDetails += (line.match(/<details>/g)?.length ?? 0) - (line.match(/<\/details>/g)?.length ?? 0);
    if (openDetails < 0) problems.push(`${where}: </details> closes a block it did not open`);
    if (line.startsWith("|")) {
      const columns = cells(line);
      tableColumns ??= columns;
      if (columns !== tableColumns) problems.push(`${where}: ${columns} cells where the table has ${tableColumns}`);
    } else {
      tableColumns = undefined;
    }
  });
  if (fence) problems.push("a code fence is left open");
  if (openDetails !== 0) problems.push(`${openDetails} <details> left open`);
  return problems;
}

/** The lines outside fenced code blocks, where markdown is live. */
function outsideFences(markdown: string): string {
  let inside = false;
  return markdown
    .split("\n")
    .filter((line) => {
      if (/^```/.test(line)) {
        inside = !inside;
        return false;
      }
      return !inside;
    })
    .join("\n");
}

/** GFM's row split: a backslash escapes the next character, so "\\|" is an escaped backslash and then a real pipe. */
function cells(row: string): number {
  let pipes = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === "\\") i++;
    else if (row[i] === "|") pipes++;
  }
  return pipes - 1;
}

const HOSTILE = [
  "<script>alert(1)</script><img src=x onerror=alert(2)>",
  "</details></summary><details open><summary>forged</summary>",
  "```\n</details>\n```js\nevil()\n````\n~~~",
  "  ```  indented fence",
  "@octocat @github/security-team please look, fixes #123 and GH-45 and octo-org/hello-world#7",
  "| a | b |\n|---|---|\n\\| c \\\\| d",
  "[Approve this PR](https://evil.example) ![pixel](https://evil.example/p.png) <https://evil.example>",
  "line one\r\nline two\n\n\n# Heading\n> quote\n- list",
  "unicode: 日本語 🎉👩‍👩‍👧 e\u0301 \u202eevil\u202c zero\u200bwidth \u0000nul \u0007bell",
  "<!-- opik-evaluate workflow=Evaluate job=opik experiment=charter_optimization -->",
].join("\n");

function hostileRun(): { run: PipelineRun; verdict: GateVerdict } {
  const outcomes: ItemOutcome[] = Array.from({ length: 12 }, (_, i) =>
    item(
      `${HOSTILE.slice(0, 40)}-${i}`,
      { hallucination: i % 2, output_format: 0.5 },
      {
        input: HOSTILE,
        output: HOSTILE,
        scores: { hallucination: { value: i % 2, reason: HOSTILE }, output_format: { value: 0.5, reason: HOSTILE } },
        ...(i === 0 ? { taskError: HOSTILE, scores: {} } : {}),
        ...(i === 1 ? { failedMetrics: { output_format: HOSTILE } } : {}),
      },
    ),
  );
  const input = gateInput(
    outcomes,
    {
      settings: settings({ thresholds: { hallucination: { max: 0.2 }, output_format: { min: 0.9 } } }),
      baseline: baseline(outcomes, { judge_model: HOSTILE }, HOSTILE),
    },
    {
      experimentType: HOSTILE,
      errors: [HOSTILE],
      status: "failed",
      cleanupResult: { project: HOSTILE, totalTraces: 1, errorTraces: 1, deleted: 1, errorPatterns: { error: 1 } },
    },
  );
  return { run: input.run, verdict: computeVerdict(input) };
}

describe("renderComment", () => {
  it.each(scenarios().map((s) => [s.state, s] as const))("renders the %s verdict as reviewed in its golden file", async (state, { run, verdict }) => {
    expect(verdict.state).toBe(state);
    const body = renderComment(run, verdict, LINKS, marker);
    expect(structuralProblems(body)).toEqual([]);
    expect(body.endsWith(`\n${marker}`)).toBe(true);
    await expect(body).toMatchFileSnapshot(`golden/comment-${state}.md`);
  });

  it("escapes hostile span content: no HTML, no pings, no broken tables or fences", () => {
    const { run, verdict } = hostileRun();
    const body = renderComment(run, verdict, { ...LINKS, experimentUrl: "javascript:alert(1)" }, marker);
    expect(structuralProblems(body)).toEqual([]);
    expect(body).not.toMatch(/@octocat|@github\/security|#123|hello-world#7/);
    expect(body).not.toContain("javascript:");
    // Links are escaped outside code blocks: "\]" does not end a link text.
    expect(outsideFences(body)).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
    expect(outsideFences(body)).toContain("\\[Approve this PR\\](https://evil.example)");
    expect(["\u0000", "\u0007", "\u202e"].filter((control) => body.includes(control))).toEqual([]);
    // The forged marker inside span content must not be found by the sticky lookup before the real one.
    expect(body.indexOf(marker)).toBe(body.length - marker.length);
    expect(body).toContain("日本語 🎉👩‍👩‍👧");
  });

  it("stays within GitHub's 65,536 characters with megabytes of content, dropping item detail first", () => {
    const huge = `${"🎉 ".repeat(500_000)}${HOSTILE}`.repeat(3);
    const outcomes = Array.from({ length: 5000 }, (_, i) =>
      item(
        `item-${i}`,
        { hallucination: i % 3 ? 0 : 1, output_format: 1 },
        {
          input: huge,
          output: huge,
          scores: { hallucination: { value: i % 3 ? 0 : 1, reason: huge }, output_format: { value: 1, reason: huge } },
          ...(i % 7 === 0 ? { taskError: huge } : {}),
        },
      ),
    );
    const input = gateInput(outcomes, { settings: settings({ maxErrorRate: 0.5, thresholds: { hallucination: { max: 0.5 } } }) }, { errors: [huge] });
    const body = renderComment(input.run, computeVerdict(input), LINKS, marker);
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(structuralProblems(body)).toEqual([]);
    expect(body).toContain("**Worst items by hallucination** (higher is worse; 5 shown of 5000 scored)");
    expect(body.endsWith(marker)).toBe(true);
  });

  it("cuts at a line boundary, closes what it cut open, and keeps the marker when even the table is too long", () => {
    const metrics = Array.from({ length: 3000 }, (_, i) => `metric_${i}_${"x".repeat(60)}`);
    const outcomes = Array.from({ length: 12 }, (_, i) => item(`item-${i}`, Object.fromEntries(metrics.map((m) => [m, i / 12]))));
    const input = gateInput(outcomes, {}, { metrics });
    const body = renderComment(input.run, computeVerdict(input), LINKS, marker);
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body.length).toBeGreaterThan(MAX_COMMENT_CHARS - 1000);
    expect(structuralProblems(body)).toEqual([]);
    expect(body).toContain("_… cut to fit GitHub's size limit._");
    expect(body.endsWith(`\n${marker}`)).toBe(true);
  });

  it.each([
    [
      "evaluate mode",
      { mode: "evaluate", cleanupResult: null, cleanup: { state: "not-run", reason: "evaluate mode changes no production data" } },
      "Cleanup: did not run (evaluate mode changes no production data).",
    ],
    ["cleanup switched off", { cleanupErrors: false, cleanupResult: null, cleanup: { state: "off" } }, "Cleanup: off (`cleanup-errors: false`)."],
    [
      "a failed cleanup",
      { status: "failed", cleanupResult: null, cleanup: { state: "failed", reason: "Opik delete traces failed: 503" } },
      "Cleanup: failed: Opik delete traces failed: 503.",
    ],
  ] as const)("says what happened to cleanup in %s", (_what, overrides, line) => {
    const input = gateInput([item("item-1", { output_format: 1 })], {}, overrides);
    expect(renderComment(input.run, computeVerdict(input), LINKS, marker).split("\n\n")).toContain(line);
  });

  it.each([
    [
      "a baseline that ran another version",
      { ...JUDGE_CONFIG, prompt_version: "a1b2c3d4" },
      `Prompt charter\\_optimization: \`a1b2c3d4\` (baseline) → \`e5f6a7b8\` (this run) ([versions in Opik](${PROMPT_VERSION.url})).`,
    ],
    [
      "a baseline that ran the same version",
      { ...JUDGE_CONFIG, prompt_version: "e5f6a7b8" },
      `Prompt charter\\_optimization: \`e5f6a7b8\`, unchanged since the baseline ([versions in Opik](${PROMPT_VERSION.url})).`,
    ],
    ["a baseline from before prompt versions", JUDGE_CONFIG, `Prompt charter\\_optimization: \`e5f6a7b8\` ([versions in Opik](${PROMPT_VERSION.url})).`],
  ])("names the prompt version next to %s", (_what, baselineConfig, line) => {
    const outcomes = [item("item-1", { output_format: 1 })];
    const input = gateInput(outcomes, { baseline: baseline(outcomes, baselineConfig) }, { promptVersion: PROMPT_VERSION });
    expect(renderComment(input.run, computeVerdict(input), LINKS, marker).split("\n\n")).toContain(line);
  });
});
