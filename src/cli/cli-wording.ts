import { ENV_FALLBACKS, ACTION_INPUTS } from "./cli-args.js";
import type { InputName } from "../constants.js";

/** How a person at a terminal sets an input: its flag, and the variable that stands in for a key. */
function flagFor(name: InputName): string {
  const variable = ENV_FALLBACKS[name]?.[0];
  return variable ? `--${name} or $${variable}` : `--${name}`;
}

/** Hyphenated names cannot be mistaken for prose; one-word ones (config, model, metrics) only where a problem is named. */
const HYPHENATED = ACTION_INPUTS.filter((name) => name.includes("-")).sort((a, b) => b.length - a.length);
const ANY_NAME = [...ACTION_INPUTS].sort((a, b) => b.length - a.length);
const escape = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const HYPHENATED_TOKEN = new RegExp(`(?<![\\w/.$-])(${HYPHENATED.map(escape).join("|")})(?![\\w/-])`, "g");
const PROBLEM_HEAD = new RegExp(`^(\\s*(?:- )?)(${ANY_NAME.map(escape).join("|")})(?=:)`, "gm");

/**
 * The action's messages name inputs and say "set it from a secret", which is
 * how a workflow is written; a terminal user passes flags or environment
 * variables instead. Rewrites each input name into its flag, once.
 */
export function inCliWords(message: string): string {
  const flagged = message.replace(/; set it from a secret/g, "").replace(HYPHENATED_TOKEN, (name) => `\uE000${name}`);
  return flagged
    .replace(PROBLEM_HEAD, (_whole, lead: string, name: string) => `${lead}\uE000${name}`)
    .replace(/\uE000+([a-z-]+)/g, (_whole, name: string) => flagFor(name as InputName));
}
