/** The action's inputs as text, before any parsing: what every parser in src/config starts from. */

import { DEFAULT_INPUTS, type InputName } from "../constants.js";

/** Every input by its action.yml name. */
export type RawInputs = Record<InputName, string>;

/** The value of an input, or its action.yml default when the runner did not supply one. */
export function withDefaults(raw: Partial<RawInputs>): RawInputs {
  const filled = {} as Record<InputName, string>;
  for (const name of Object.keys(DEFAULT_INPUTS) as InputName[]) {
    // An expression default (github-token's) is the runner's to resolve; without a runner there is none.
    const fallback: string = DEFAULT_INPUTS[name].startsWith("${{") ? "" : DEFAULT_INPUTS[name];
    filled[name] = (raw[name] ?? "").trim() || fallback;
  }
  return filled;
}

export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean);
}
