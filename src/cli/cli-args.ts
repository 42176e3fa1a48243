import { parseArgs } from "node:util";
import { DEFAULT_INPUTS, type InputName } from "../constants.js";

/** Every action input is a flag of the same name, so the two can never drift apart. */
export const ACTION_INPUTS = Object.keys(DEFAULT_INPUTS) as InputName[];

/**
 * Environment variables that fill an input no flag gave: keys typed on a command
 * line end up in the shell's history, and these are the names Opik's and the
 * providers' own tools read.
 */
export const ENV_FALLBACKS: Readonly<Partial<Record<InputName, readonly string[]>>> = {
  "opik-api-key": ["OPIK_API_KEY"],
  "opik-workspace": ["OPIK_WORKSPACE"],
  "openai-api-key": ["OPENAI_API_KEY"],
  "google-api-key": ["GOOGLE_API_KEY", "GEMINI_API_KEY"],
};

export interface CliArgs {
  help: boolean;
  /** Also print the log's folded groups (the result JSON). */
  verbose: boolean;
  inputs: Partial<Record<InputName, string>>;
}

/** Throws (node's own message names the flag) on an unknown flag, a missing value or a positional argument. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const inputFlags = Object.fromEntries(ACTION_INPUTS.map((name) => [name, { type: "string" as const }]));
  const { values } = parseArgs({
    args: [...argv],
    options: { ...inputFlags, help: { type: "boolean", short: "h" }, verbose: { type: "boolean", short: "v" } },
    strict: true,
    allowPositionals: false,
  });
  const given: Record<string, string | boolean | undefined> = values;
  const inputs: Partial<Record<InputName, string>> = {};
  for (const name of ACTION_INPUTS) {
    const value = given[name];
    if (typeof value === "string") inputs[name] = value;
  }
  return { help: values.help === true, verbose: values.verbose === true, inputs };
}

/** The flags' values, else the environment's fallbacks; inputs given neither are left to their defaults. */
export function resolveInputs(given: Partial<Record<InputName, string>>, env: NodeJS.ProcessEnv): Partial<Record<InputName, string>> {
  const inputs = { ...given };
  for (const [name, variables] of Object.entries(ENV_FALLBACKS) as Array<[InputName, readonly string[]]>) {
    if (inputs[name] !== undefined) continue;
    const value = variables.map((variable) => env[variable]).find((candidate) => candidate);
    if (value) inputs[name] = value;
  }
  return inputs;
}
