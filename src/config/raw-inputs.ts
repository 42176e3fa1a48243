/** The action's inputs as text, before any parsing: what every parser in src/config starts from. */

import { INPUT_DEFAULTS, type InputName } from "../constants.js";

/** Every input by its action.yml name. */
export type RawInputs = Record<InputName, string>;

/** The value of an input, or its action.yml default when the runner did not supply one. */
export function withDefaults(raw: Partial<RawInputs>): RawInputs {
  const filled = {} as Record<InputName, string>;
  for (const name of Object.keys(INPUT_DEFAULTS) as InputName[]) {
    // An expression default (github-token's) is the runner's to resolve; without a runner there is none.
    const fallback: string = INPUT_DEFAULTS[name].startsWith("${{") ? "" : INPUT_DEFAULTS[name];
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
