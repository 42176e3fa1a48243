import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The direction rule madge cannot express: `npm run lint:cycles` finds cycles, but a layer
 * importing one above it is not a cycle until something imports back. The gate and the
 * report read plain data; the pipeline, the config and the runners sit above them.
 */

const SRC = path.resolve(import.meta.dirname, "../src");

/** The runners and their entry points: the top layer, which nothing under them imports. */
const RUNNERS = ["publish", "cli", "core", "main.ts", "index.ts", "cli.ts", "run-action.ts"];
/** Parts of src/ above the gate and the report: neither may import them. */
const ABOVE_GATE_AND_REPORT = ["pipeline", "config", "github", "opik", "opik-server", "providers", ...RUNNERS];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every module a file imports or re-exports, type-only ones included, as paths relative to src/. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((ref) => ref.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier)).replace(/\.js$/, ".ts"));
}

function isUnder(relative: string, part: string): boolean {
  return relative === part || relative.startsWith(`${part}/`);
}

function violations(folder: string, forbidden: readonly string[]): string[] {
  return sourceFiles(path.join(SRC, folder)).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((part) => isUnder(target, part)))
      .map((target) => `${path.relative(SRC, file)} imports ${target}`),
  );
}

describe("import layers", () => {
  it("reads imports the way the compiler does, type-only ones and re-exports included", () => {
    const gateTypes = importsOf(path.join(SRC, "gate/types.ts"));
    const gateIndex = importsOf(path.join(SRC, "gate/index.ts"));
    expect(gateTypes).toContain("metrics/metric-catalog.ts");
    expect(gateIndex).toContain("gate/compute-verdict.ts");
    expect(isUnder("pipeline/run-pipeline.ts", "pipeline")).toBe(true);
    expect(isUnder("pipeline-notes.ts", "pipeline")).toBe(false);
  });

  it("keeps src/gate from importing the pipeline, the config or a runner", () => {
    expect(violations("gate", ABOVE_GATE_AND_REPORT)).toEqual([]);
  });

  it("keeps src/report from importing the pipeline, the config or a runner", () => {
    expect(violations("report", ABOVE_GATE_AND_REPORT)).toEqual([]);
  });

  it("keeps src/config, at the bottom of what the pipeline uses, from importing the pipeline, the report or a runner", () => {
    expect(violations("config", ["pipeline", "report", ...RUNNERS])).toEqual([]);
  });

  it("keeps src/pipeline from importing the report or a runner", () => {
    expect(violations("pipeline", ["report", ...RUNNERS])).toEqual([]);
  });

  it("keeps constants.ts a leaf that imports nothing", () => {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(SRC, "constants.ts"), "utf8"), true, true);
    expect(importedFiles.map((ref) => ref.fileName)).toEqual([]);
  });
});
