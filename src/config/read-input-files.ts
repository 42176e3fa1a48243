import { readFile } from "node:fs/promises";
import path from "node:path";
import { DEFAULT_INPUTS } from "../constants.js";
import { ConfigError, errorMessage } from "../errors.js";
import type { FileFacts, RegistrySource } from "./parse-config.js";
import type { RawInputs } from "./raw-inputs.js";
import { parsePrompt, type PromptTemplate } from "./parse-prompt.js";
import { readConfigFile, unwritableDirectory } from "./read-config-file.js";

/** Reads the feature registry named by the `config` input, relative to the workspace. */
export async function readRegistry(raw: RawInputs, workspace: string): Promise<RegistrySource> {
  const configured = raw.config || DEFAULT_INPUTS.config;
  const read = await readConfigFile(`config: ${configured}`, path.resolve(workspace, configured));
  if ("missing" in read) return { path: configured, missing: true, explicit: configured !== DEFAULT_INPUTS.config };
  return { path: configured, ...read };
}

/** What parseConfig needs to know about the file system: checked before any Opik call, so a bad path costs nothing. */
export async function readFileFacts(raw: RawInputs): Promise<FileFacts> {
  const resultFile = raw["result-file"].trim();
  // Resolved as the publisher resolves it when it writes the file.
  const problem = resultFile ? await unwritableDirectory(resultFile) : undefined;
  return problem ? { resultFileProblem: problem } : {};
}

/**
 * Reads and parses a feature's task prompt file, relative to the workspace as
 * the config file is. A missing or malformed file is a ConfigError naming the
 * setting and the file.
 */
export async function readTaskPrompt(promptFile: { path: string; setting: string }, workspace: string): Promise<PromptTemplate> {
  const expected = "a mustache template or a JSON list of chat messages, relative to the repository root";
  let text: string;
  try {
    text = await readFile(path.resolve(workspace, promptFile.path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "not found" : code === "EISDIR" ? "is a directory" : `cannot be read (${errorMessage(error)})`;
    throw new ConfigError([`${promptFile.setting}: file ${promptFile.path} ${why} (expected ${expected})`]);
  }
  const { prompt, problems } = parsePrompt(promptFile.path, text);
  if (!prompt) throw new ConfigError(problems.map((problem) => `${promptFile.setting}: ${problem}`));
  return prompt;
}
