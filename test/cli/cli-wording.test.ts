import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.js";
import { ConfigError } from "../../src/errors.js";
import { inCliWords } from "../../src/cli/cli-wording.js";
import { errorLine } from "../../src/cli/print-outcome.js";

function configErrorOf(inputs: Record<string, string>): string {
  try {
    parseConfig(inputs, { path: ".github/opik-evaluate.yml", missing: true, explicit: true }, new Date("2026-02-04T14:30:52Z"));
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the CLI's wording of the action's errors", () => {
  it("names flags and environment variables, not inputs and secrets", () => {
    const message = configErrorOf({ "task-provider": "gemini", "opik-url": "http://h/api", "max-items": "many" });
    const shown = errorLine(message);
    expect(shown).toContain("  - --google-api-key or $GOOGLE_API_KEY: required because --task-provider is gemini");
    expect(shown).toContain("  - --max-items: expected a whole number");
    expect(shown).toContain("  - --config: file .github/opik-evaluate.yml not found");
    expect(shown).not.toContain("secret");
  });

  it("turns an Opik failure's fix into flags, leaving URLs and paths alone", () => {
    expect(
      inCliWords(
        "Opik trace search failed at http://h:1/api: connection refused. Check opik-url: a self-hosted Opik's URL ends in /api (e.g. http://localhost:5173/api)",
      ),
    ).toBe(
      "Opik trace search failed at http://h:1/api: connection refused. Check --opik-url: a self-hosted Opik's URL ends in /api (e.g. http://localhost:5173/api)",
    );
    expect(inCliWords("Check opik-api-key and opik-workspace: Opik Cloud needs both.")).toBe(
      "Check --opik-api-key or $OPIK_API_KEY and --opik-workspace or $OPIK_WORKSPACE: Opik Cloud needs both.",
    );
    expect(inCliWords("the model answered; see the config file")).toBe("the model answered; see the config file");
  });
});
