import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DESCRIPTIONS_OF_INPUTS } from "../../src/cli/input-descriptions.js";
import { DEFAULT_INPUTS } from "../../src/constants.js";
import { README_PATH, expectedFiles, readManifest, renderInputsTable, replaceBlock } from "../../scripts/update-readme-inputs.js";

const STALE = "out of date with action.yml: run `npm run docs`";

function block(text: string, name: string): string {
  const start = text.indexOf(`<!-- ${name}:start -->`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  expect(start, `README.md needs a ${name} block`).toBeGreaterThanOrEqual(0);
  return text.slice(start, end);
}

describe("the README's input and output tables", () => {
  it("are what npm run docs generates from action.yml, and so are the CLI's descriptions", async () => {
    for (const file of await expectedFiles()) expect(file.current, `${file.path} is ${STALE}`).toBe(file.expected);
  });

  it("list every input with its description and default, and every output", async () => {
    const manifest = await readManifest();
    const readme = await readFile(README_PATH, "utf8");
    const inputs = block(readme, "inputs");
    for (const [name, input] of Object.entries(manifest.inputs)) {
      const row = inputs.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `input ${name}`).toBeDefined();
      expect(row).toContain(input.description.replace(/\|/g, "\\|"));
      expect(row).toContain(input.default ? `\`${input.default}\`` : "*empty*");
    }
    const outputs = block(readme, "outputs");
    for (const [name, output] of Object.entries(manifest.outputs)) expect(outputs).toContain(`| \`${name}\` | ${output.description} |`);
  });

  it("give the CLI a description for every flag", () => {
    expect(Object.keys(DESCRIPTIONS_OF_INPUTS).sort()).toEqual(Object.keys(DEFAULT_INPUTS).sort());
  });

  it("keep a pipe inside a description from splitting the row", () => {
    const table = renderInputsTable({ inputs: { sample: { description: "a | b", default: "x|y" } }, outputs: {} });
    expect(table.split("\n")[2]).toBe("| `sample` | `x\\|y` | a \\| b |");
  });

  it("replace only the text between the markers", () => {
    const text = "before\n<!-- inputs:start -->\nold\n<!-- inputs:end -->\nafter <!-- metrics:start -->kept<!-- metrics:end -->\n";
    const updated = replaceBlock(text, "inputs", "new");
    expect(updated).toMatch(
      /^before\n<!-- inputs:start -->\n<!-- Generated[^\n]*-->\n\nnew\n\n<!-- inputs:end -->\nafter <!-- metrics:start -->kept<!-- metrics:end -->\n$/,
    );
    expect(() => replaceBlock("no markers", "inputs", "new")).toThrow(/no <!-- inputs:start -->/);
  });
});
