import path from "node:path";
import * as actionsCache from "@actions/cache";
import { CACHE_MAX_BYTES } from "../constants.js";
import { withDefaults, type RawInputs } from "../config/raw-inputs.js";
import { errorMessage } from "../errors.js";
import type { GitHubEventContext } from "../github/index.js";
import type { Logger } from "../pipeline/logger.js";
import { DirectoryCompletionStore, pruneCompletionStore } from "./directory-completion-store.js";

/** Bumped with the cache's key scheme, so a new scheme never restores an old folder. */
const KEY_PREFIX = "opik-evaluate-completions-v1";

/**
 * The Actions cache keys of this run's completions: entries are immutable, so each run saves under its own key and
 * restores the newest of its branch, else of the base branch a pull request merges into.
 */
export function completionCacheKeys(
  experimentType: string,
  branch: string,
  baseBranch: string | undefined,
  runKey: string,
): { key: string; restoreKeys: string[] } {
  // Keys may not contain commas; a branch name may.
  const clean = (text: string): string => text.replaceAll(",", "_");
  const scope = `${KEY_PREFIX}-${clean(experimentType)}`;
  const restoreKeys = [`${scope}-${clean(branch)}-`, ...(baseBranch && baseBranch !== branch ? [`${scope}-${clean(baseBranch)}-`] : [])];
  return { key: `${scope}-${clean(branch)}-${runKey}`, restoreKeys };
}

/**
 * What @actions/cache's isFeatureAvailable checks (the v2 service's URL, or v1's), read here because stand-ins for
 * the runner such as @github/local-action replace the module without that function.
 */
function cacheServiceAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL);
}

export interface ActionsCompletionCache {
  store: DirectoryCompletionStore;
  /** Prunes the folder and saves it under this run's key when the run added entries; a failure is a warning. */
  save(): Promise<void>;
}

/**
 * The completion cache of a run on GitHub Actions: a folder under RUNNER_TEMP restored from the Actions cache before
 * the run and saved after it. Undefined when the cache input is off, or when the job has no cache service to keep
 * it in (a local run, a runner without it).
 */
export async function restoreActionsCompletionCache(
  raw: RawInputs,
  event: GitHubEventContext | undefined,
  env: NodeJS.ProcessEnv,
  log: Logger,
): Promise<ActionsCompletionCache | undefined> {
  // The runner passes action.yml's defaults; a step run without them (local-action, tests) gets the same here.
  const inputs = withDefaults(raw);
  if (inputs.cache.toLowerCase() === "off") return undefined;
  // A folder nothing restores and nothing saves would only answer repeats within the run, which it must not.
  if (!cacheServiceAvailable(env) || !env.RUNNER_TEMP) {
    log.info("Completion cache: the Actions cache service is not available to this job, so every model call is made");
    return undefined;
  }
  const directory = path.join(env.RUNNER_TEMP, "opik-evaluate-completions");
  const store = new DirectoryCompletionStore(directory);
  const branch = event?.headBranch ?? env.GITHUB_REF_NAME ?? "unknown";
  const runKey = `${env.GITHUB_RUN_ID ?? Date.now()}-${env.GITHUB_RUN_ATTEMPT ?? "1"}-${env.GITHUB_JOB ?? "job"}`;
  const { key, restoreKeys } = completionCacheKeys(inputs["experiment-type"], branch, event?.baseBranch, runKey);
  try {
    const matched = await actionsCache.restoreCache([directory], key, restoreKeys);
    log.info(matched ? `Completion cache restored from ${matched}` : "Completion cache: no earlier entry for this branch or its base");
  } catch (error) {
    log.warning(`The completion cache could not be restored (${errorMessage(error)}); every model call will be made`);
  }
  return {
    store,
    save: async () => {
      if (!store.written) return;
      try {
        await pruneCompletionStore(directory, CACHE_MAX_BYTES);
        await actionsCache.saveCache([directory], key);
        log.info(`Completion cache saved as ${key}`);
      } catch (error) {
        log.warning(`The completion cache could not be saved (${errorMessage(error)}); the next run will call the models again`);
      }
    },
  };
}
