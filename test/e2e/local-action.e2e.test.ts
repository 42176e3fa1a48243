import { describe, expect, it } from "vitest";
import { localActionProblems, runLocalAction } from "../../scripts/local-action.js";

describe("the action's source under GitHub's @github/local-action", () => {
  it("runs src/main.ts to a success against the seeded embedded Opik server", async () => {
    const run = await runLocalAction({ timeoutMs: 45_000 });
    expect(localActionProblems(run), `${run.stdout}\n${run.stderr}`).toEqual([]);
    expect(run.outputs).toMatchObject({ status: "success", "spans-new": run.expected["spans-new"], "spans-found": run.expected["spans-found"] });
    expect(run.outputs["dataset-name"]).toMatch(/^charter-optimization-\d{8}-\d{6}$/);
    expect(run.outputs["experiment-name"]).toMatch(/^charter_validation-eval-\d{8}-\d{6}$/);
    expect(JSON.parse(run.outputs["result-json"] ?? "{}")).toMatchObject({ status: "success", spans_new: Number(run.expected["spans-new"]) });
    expect(run.summary).toContain("Opik evaluation: charter_optimization — success");
  }, 55_000);
});
