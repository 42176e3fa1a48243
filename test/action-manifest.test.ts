import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { DEFAULT_INPUTS, OUTPUTS } from "../src/constants.js";

interface Manifest {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const manifest = parse(readFileSync(new URL("../action.yml", import.meta.url), "utf8")) as Manifest;

describe("action.yml", () => {
  it("declares exactly the inputs the code reads, with the same defaults", () => {
    const declared = Object.fromEntries(Object.entries(manifest.inputs).map(([name, input]) => [name, input.default]));
    expect(declared).toEqual(DEFAULT_INPUTS);
  });

  it("describes every input, and quotes every default as a string", () => {
    for (const [name, input] of Object.entries(manifest.inputs)) {
      expect(input.description, name).toBeTruthy();
      expect(typeof input.default, name).toBe("string");
    }
  });

  it("declares exactly the outputs the code sets", () => {
    expect(Object.keys(manifest.outputs).sort()).toEqual(Object.values(OUTPUTS).sort());
    for (const [name, output] of Object.entries(manifest.outputs)) expect(output.description, name).toBeTruthy();
  });

  it("runs the bundled entry on Node 24", () => {
    expect(manifest.runs).toEqual({ using: "node24", main: "dist/index.js" });
  });
});
