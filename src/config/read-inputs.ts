import { readFile } from "node:fs/promises";
import path from "node:path";
import * as core from "@actions/core";
import { INPUT_DEFAULTS, SECRET_INPUTS, type InputName } from "../constants.js";
import type { RawInputs, RegistrySource } from "./parse-config.js";

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
  for (const name of Object.keys(INPUT_DEFAULTS) as InputName[]) {
    raw[name] = core.getInput(name);
  }
  return raw;
}

/** Reads the feature registry named by the `config` input, relative to the workspace. */
export async function readRegistry(raw: RawInputs, workspace = process.env.GITHUB_WORKSPACE ?? process.cwd()): Promise<RegistrySource> {
  const configured = raw.config || INPUT_DEFAULTS.config;
  const file = path.resolve(workspace, configured);
  try {
    return { path: configured, text: await readFile(file, "utf8") };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return { path: configured, missing: true, explicit: configured !== INPUT_DEFAULTS.config };
    }
    throw error;
  }
}
