import { writeFile } from "node:fs/promises";
import os from "node:os";
import * as core from "@actions/core";
import { restoreActionsCompletionCache } from "./adapters/actions-completion-cache.js";
import { runContext, runIdentity } from "./adapters/run-context.js";
import { nodeDeps } from "./adapters/node-deps.js";
import { readInputs } from "./config/read-inputs.js";
import { evaluate } from "./core/evaluate.js";
import type { Outcome } from "./core/outcome.js";
import { errorMessage } from "./errors.js";
import { createGitHubGateway, currentEventContext } from "./github/index.js";
import type { Logger } from "./pipeline/logger.js";

/** The runner's log: a progress line every tenth of the work, so long runs show they are alive. */
const actionsLogger: Logger = {
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  progress: (done, total, what) => {
    if (done === total || done % Math.max(1, Math.ceil(total / 10)) === 0) core.info(`${done}/${total} ${what}`);
  },
};

/** The result file, the step outputs, the job summary and the annotations, as the runner takes them. */
async function publish(outcome: Outcome): Promise<void> {
  await writeFile(outcome.resultFile, `${outcome.resultJson}\n`);
  for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(outcome.summary).write();
  for (const annotation of outcome.annotations) core.error(annotation.message, { title: annotation.title });
  core.startGroup("Result");
  core.info(outcome.resultJson);
  core.endGroup();
}

/**
 * The GitHub Actions runner's side of a run: inputs in, the core's outcome
 * out to the runner. The one place that decides whether the step failed.
 */
export async function run(): Promise<void> {
  try {
    const raw = readInputs();
    const event = currentEventContext();
    const context = runContext(process.env, event);
    const cache = await restoreActionsCompletionCache(raw, event, process.env, actionsLogger);
    const outcome = await evaluate(
      {
        raw,
        ...(event ? { event } : {}),
        ...(process.env.GITHUB_EVENT_NAME ? { eventName: process.env.GITHUB_EVENT_NAME } : {}),
        runContext: context,
        run: runIdentity(process.env, context),
        tempDir: process.env.RUNNER_TEMP ?? os.tmpdir(),
      },
      {
        ...nodeDeps({ workspace: process.env.GITHUB_WORKSPACE ?? process.cwd(), log: actionsLogger }),
        github: (token, warn) => createGitHubGateway({ token, warn }),
        ...(cache ? { completionStore: cache.store } : {}),
      },
    );
    // Everything is published before the step is failed: a red check always comes with its report.
    try {
      await publish(outcome);
    } catch (error) {
      // A rejected configuration fails the step for its own reasons, which matter more than a report that could not be written.
      if (!outcome.result.configRejected) throw error;
      core.warning(`The rejected configuration's report could not be published: ${errorMessage(error)}`);
    }
    // After the report: saving uploads an archive, which the report should not wait for.
    await cache?.save();
    if (outcome.exit.failed) core.setFailed(outcome.exit.message);
    else core.info(outcome.exit.message);
  } catch (error) {
    core.setFailed(errorMessage(error));
  }
}
