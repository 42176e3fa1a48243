import { DEFAULT_INPUTS } from "../constants.js";
import { ENV_FALLBACKS, ACTION_INPUTS } from "./cli-args.js";
import { DESCRIPTIONS_OF_INPUTS } from "./input-descriptions.js";

const WIDTH = 100;
const INDENT = 28;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function flagEntry(flag: string, description: string): string {
  const [first = "", ...rest] = wrap(description, WIDTH - INDENT);
  const head = `  ${flag}`;
  const pad = " ".repeat(INDENT);
  const start = head.length < INDENT ? `${head.padEnd(INDENT)}${first}` : `${head}\n${pad}${first}`;
  return [start, ...rest.map((line) => `${pad}${line}`)].join("\n");
}

/** A default written as a workflow expression means nothing outside a runner. */
function shownDefault(value: string): string {
  return value && !value.includes("${{") ? ` (default: ${value})` : "";
}

export function helpText(): string {
  const inputs = ACTION_INPUTS.map((name) => {
    const variables = ENV_FALLBACKS[name] ?? [];
    const fallback = variables.length ? ` Else $${variables.join(" or $")}.` : "";
    return flagEntry(`--${name} VALUE`, `${DESCRIPTIONS_OF_INPUTS[name] ?? ""}${shownDefault(DEFAULT_INPUTS[name])}${fallback}`);
  });
  return [
    "Usage: opik-evaluate [--INPUT VALUE]...",
    "",
    "Runs the Opik Evaluate action from a terminal: harvests recent Opik spans into a dataset, runs an",
    "Opik experiment on them, and prints the job summary the action writes and the result JSON's path.",
    "Every action input is a flag of the same name; an input not given takes its action.yml default.",
    "",
    "Inputs:",
    ...inputs,
    "",
    "Options:",
    flagEntry("-v, --verbose", "Also print the log's folded groups, such as the whole result JSON."),
    flagEntry("-h, --help", "Print this help."),
    "",
    "Exit status: 0 on success or skipped, 1 when the action would fail the step, 2 on a usage error.",
    "",
  ].join("\n");
}
