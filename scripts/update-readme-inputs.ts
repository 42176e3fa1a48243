/**
 * `npm run docs`: writes the README's input and output tables, and the CLI's
 * flag descriptions, from action.yml, so none of them can drift from what the
 * runner shows. `--check` changes nothing and exits 1 when a file is stale.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "yaml";

export interface ActionManifest {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
}

const ROOT = new URL("../", import.meta.url);
export const README_PATH = fileURLToPath(new URL("README.md", ROOT));
export const ACTION_PATH = fileURLToPath(new URL("action.yml", ROOT));
export const DESCRIPTIONS_PATH = fileURLToPath(new URL("src/cli/input-descriptions.ts", ROOT));

const GENERATED_NOTE = "<!-- Generated from action.yml by scripts/update-readme-inputs.ts (npm run docs); edit action.yml, not this table. -->";

export async function readManifest(file = ACTION_PATH): Promise<ActionManifest> {
  return parse(await readFile(file, "utf8")) as ActionManifest;
}

/** A table cell: pipes would split the cell and newlines the row. */
function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|")
    .trim();
}

/** Backticks around a default; one containing backticks needs a longer fence. */
function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  const padded = text.startsWith("`") || text.endsWith("`") ? ` ${text} ` : text;
  return `${fence}${cell(padded)}${fence}`;
}

export function renderInputsTable(manifest: ActionManifest): string {
  const rows = Object.entries(manifest.inputs).map(([name, input]) => {
    const fallback = input.default ? code(input.default) : "*empty*";
    return `| \`${name}\` | ${fallback} | ${cell(input.description)} |`;
  });
  return ["| Input | Default | Description |", "| --- | --- | --- |", ...rows].join("\n");
}

export function renderOutputsTable(manifest: ActionManifest): string {
  const rows = Object.entries(manifest.outputs).map(([name, output]) => `| \`${name}\` | ${cell(output.description)} |`);
  return ["| Output | Description |", "| --- | --- |", ...rows].join("\n");
}

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->`; the markers must exist. */
export function replaceBlock(text: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block`);
  return `${text.slice(0, from + start.length)}\n${GENERATED_NOTE}\n\n${body}\n\n${text.slice(to)}`;
}

export function updateReadme(readme: string, manifest: ActionManifest): string {
  return replaceBlock(replaceBlock(readme, "inputs", renderInputsTable(manifest)), "outputs", renderOutputsTable(manifest));
}

/** The CLI's --help text comes from here: the bundle cannot read action.yml at run time. */
export function renderDescriptionsModule(manifest: ActionManifest): string {
  const entries = Object.entries(manifest.inputs).map(([name, input]) => `  ${JSON.stringify(name)}: ${JSON.stringify(cell(input.description))},`);
  return [
    "// Generated from action.yml by scripts/update-readme-inputs.ts (npm run docs); edit action.yml, not this file.",
    "",
    "/** Each input's description in action.yml, shown by `opik-evaluate --help`. */",
    "export const DESCRIPTIONS_OF_INPUTS: Readonly<Record<string, string>> = {",
    ...entries,
    "};",
    "",
  ].join("\n");
}

/** Every generated file with the text it should have. */
export async function expectedFiles(): Promise<Array<{ path: string; current: string; expected: string }>> {
  const manifest = await readManifest();
  const readme = await readFile(README_PATH, "utf8");
  const descriptions = await readFile(DESCRIPTIONS_PATH, "utf8").catch(() => "");
  return [
    { path: README_PATH, current: readme, expected: updateReadme(readme, manifest) },
    { path: DESCRIPTIONS_PATH, current: descriptions, expected: renderDescriptionsModule(manifest) },
  ];
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const stale = (await expectedFiles()).filter((file) => file.current !== file.expected);
  for (const file of stale) {
    if (check) console.error(`${file.path} is out of date with action.yml: run npm run docs`);
    else {
      await mkdir(path.dirname(file.path), { recursive: true });
      await writeFile(file.path, file.expected);
    }
  }
  if (check && stale.length) process.exitCode = 1;
  else console.log(stale.length ? `Updated ${stale.map((file) => file.path).join(", ")}` : "README.md and the CLI's descriptions match action.yml");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
