import * as core from "@actions/core";
import { DEFAULT_INPUTS, SECRET_INPUTS, type InputName } from "../constants.js";
import type { RawInputs } from "./raw-inputs.js";

/**
 * The only place that reads the runner's inputs. Secrets are masked first, so
 * nothing logged afterwards (including validation errors) can show them.
 */
export function readInputs(): RawInputs {
  for (const name of SECRET_INPUTS) {
    const value = core.getInput(name);
    if (value) core.setSecret(value);
  }
  const raw = {} as Record<InputName, string>;
  for (const name of Object.keys(DEFAULT_INPUTS) as InputName[]) {
    raw[name] = core.getInput(name);
  }
  return raw;
}
