import { describe, expect, it } from "vitest";
import { parsePrompt, renderPrompt } from "../../src/config/parse-prompt.js";
import { promptVariables } from "../../src/pipeline/evaluation-task.js";

const item = {
  input: { charter: "Members meet monthly & vote <by hand>.", messages: [{ role: "user", content: "ignored" }] },
  expected_output: { content: '{"verdict":"valid"}' },
  span_name: "charter_validation",
};

describe("task prompts", () => {
  it("renders a mustache template with the input's fields, unescaped", () => {
    const { prompt, problems } = parsePrompt("prompts/validate.md", "Validate this charter:\n{{charter}}\nPrevious answer: {{expected_output}}");
    expect(problems).toEqual([]);
    expect(renderPrompt(prompt!, promptVariables(item))).toEqual([
      { role: "user", content: 'Validate this charter:\nMembers meet monthly & vote <by hand>.\nPrevious answer: {"verdict":"valid"}' },
    ]);
  });

  it("renders a JSON list of chat messages", () => {
    const text = JSON.stringify([
      { role: "system", content: "You validate {{span_name}} requests." },
      { role: "user", content: "{{charter}}" },
    ]);
    const { prompt } = parsePrompt("prompts/validate.json", text);
    expect(renderPrompt(prompt!, promptVariables(item))).toEqual([
      { role: "system", content: "You validate charter_validation requests." },
      { role: "user", content: "Members meet monthly & vote <by hand>." },
    ]);
  });

  it.each([
    ["", "the prompt file is empty"],
    ['[{"role": "robot", "content": "x"}]', '[0]: expected {"role": "system" | "user" | "assistant"'],
    ["[not json", 'starts with "[" but is not valid JSON'],
    ["Hello {{#section}} unclosed", "Unclosed section"],
  ])("names the file and the problem for %j", (text, message) => {
    const { problems } = parsePrompt("prompts/p.txt", text);
    expect(problems[0]).toMatch(/^prompts\/p\.txt: /);
    expect(problems.join()).toContain(message);
  });
});
