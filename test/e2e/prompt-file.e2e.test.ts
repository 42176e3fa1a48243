import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sample } from "../../scripts/sample-data.js";
import { seedCharters } from "../support/e2e-fixtures.js";
import { runAction } from "../../scripts/run-action.js";
import { startOpikServer, type OpikServer } from "opik-local-server";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";

let opik: OpikServer;
let openai: OpenAIServer;
let workspace: string;

const registry = (promptFile: string, promptName?: string): string => `
features:
  charters:
    span_name: charter_validation
    dataset_prefix: prompt-file
    metrics: [output_format]
    output_format:
      json_schema: { type: object, required: [verdict], properties: { verdict: { enum: [valid, invalid, needs_review] } } }
    task: { prompt_file: ${promptFile}${promptName ? `, prompt_name: ${promptName}` : ""} }
`;

beforeAll(async () => {
  [opik, openai] = await Promise.all([startOpikServer(), startOpenAIServer()]);
  workspace = await mkdtemp(path.join(os.tmpdir(), "opik-evaluate-prompt-"));
  await mkdir(path.join(workspace, ".github"), { recursive: true });
  await mkdir(path.join(workspace, "prompts"), { recursive: true });
  await writeFile(path.join(workspace, ".github", "opik-evaluate.yml"), registry("prompts/validate.mustache"));
  await writeFile(path.join(workspace, ".github", "versions.yml"), registry("prompts/versioned.mustache", "charter-check"));
  await writeFile(path.join(workspace, ".github", "missing.yml"), registry("prompts/nowhere.mustache"));
  await writeFile(path.join(workspace, ".github", "broken.yml"), registry("prompts/broken.json"));
  await writeFile(path.join(workspace, "prompts", "broken.json"), JSON.stringify([{ role: "robot", content: "{{input}}" }]));
  // A model that does what it is told: JSON when the prompt asks for it, a sentence otherwise.
  openai.reply((body) => {
    const prompt = (body as ChatBody).messages.map((m) => m.content).join("\n");
    return prompt.includes("Answer with JSON") ? JSON.stringify({ verdict: "valid" }) : "The charter sets out clear rules for its members.";
  });
});
afterAll(async () => {
  await Promise.all([opik.close(), openai.close()]);
});

interface ChatBody {
  messages: Array<{ role: string; content: string }>;
}

function seedProject(name: string): Promise<{ project: string; sample: Sample }> {
  return seedCharters(opik.url, name, (seed) => ({ fresh: 4 + (seed % 5) }));
}

/** The span's recorded input as `{{input}}` renders it: its messages, one `role: content` line each. */
function inputText(sample: Sample, spanId: string): string {
  const span = sample.spans.find((s) => s.id === spanId) as { input: { messages: Array<{ role: string; content: string }> } };
  return span.input.messages.map((m) => `${m.role}: ${m.content}`).join("\n");
}

const inputs = (project: string, extra: Record<string, string> = {}): Record<string, string> => ({
  "opik-url": opik.url,
  "opik-project": project,
  "experiment-type": "charters",
  "task-provider": "openai",
  "openai-api-key": "sk-test",
  "openai-base-url": openai.url,
  "cleanup-errors": "false",
  ...extra,
});

async function runWithPrompt(template: string, name: string): Promise<{ received: ChatBody[]; sample: Sample; mean: number }> {
  await writeFile(path.join(workspace, "prompts", "validate.mustache"), template);
  const { project, sample } = await seedProject(name);
  openai.requests.length = 0;
  const run = await runAction(inputs(project), { workspace });
  expect(run.exitCode, run.stdout).toBe(0);
  const results = run.result?.experiment_result as { eval_results: { output_format: { mean: number; count: number } } };
  expect(results.eval_results.output_format.count).toBe(sample.expected.newSpanIds.length);
  return { received: openai.requests.map((r) => r.body as ChatBody), sample, mean: results.eval_results.output_format.mean };
}

describe("task.prompt_file", () => {
  it("is what the task model receives, rendered from each span's input, and changing it changes the scores", async () => {
    const asksForJson = await runWithPrompt(
      'Check this charter. Answer with JSON {"verdict": "valid" | "invalid" | "needs_review"}.\n{{input}}',
      "json-prompt",
    );
    const expected = asksForJson.sample.expected.newSpanIds.map((id) => [
      {
        role: "user",
        content: `Check this charter. Answer with JSON {"verdict": "valid" | "invalid" | "needs_review"}.\n${inputText(asksForJson.sample, id)}`,
      },
    ]);
    expect(asksForJson.received.map((body) => body.messages)).toEqual(expect.arrayContaining(expected));
    expect(asksForJson.received).toHaveLength(expected.length);
    expect(asksForJson.mean).toBe(1);

    // A JSON list of chat messages: the system turn is the file's, not the recorded one.
    const messages = [
      { role: "system", content: "You summarise association charters for members." },
      { role: "user", content: "Summarise in one sentence:\n{{input}}" },
    ];
    const asksForProse = await runWithPrompt(JSON.stringify(messages), "prose-prompt");
    expect(asksForProse.received).toHaveLength(asksForProse.sample.expected.newSpanIds.length);
    expect(asksForProse.received.map((body) => body.messages)).toEqual(
      expect.arrayContaining(
        asksForProse.sample.expected.newSpanIds.map((id) => [
          messages[0],
          { role: "user", content: `Summarise in one sentence:\n${inputText(asksForProse.sample, id)}` },
        ]),
      ),
    );
    expect(asksForProse.mean).toBe(0);
  });

  it("is read but not used by replay, which says so", async () => {
    const { project } = await seedProject("replay-prompt");
    openai.requests.length = 0;
    const run = await runAction(inputs(project, { "task-provider": "replay" }), { workspace });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.result?.warnings).toContain(
      ".github/opik-evaluate.yml: features.charters.task.prompt_file is not used: task-provider replay scores the recorded outputs and sends no prompt",
    );
    expect(openai.requests).toEqual([]);
  });

  it.each([
    [
      "missing.yml",
      ".github/missing.yml: features.charters.task.prompt_file: file prompts/nowhere.mustache not found (expected a mustache template or a JSON list of chat messages",
    ],
    ["broken.yml", '.github/broken.yml: features.charters.task.prompt_file: prompts/broken.json: [0]: expected {"role": "system" | "user" | "assistant"'],
  ])("fails the run before any Opik or model call when the file of %s is missing or malformed", async (config, message) => {
    const opikCalls = opik.requests.length;
    openai.requests.length = 0;
    const run = await runAction(inputs("any-project", { config: `.github/${config}` }), { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(message);
    expect(opik.requests.length).toBe(opikCalls);
    expect(openai.requests).toEqual([]);
  });
});

interface PromptVersionJson {
  name: string;
  commit: string;
  version_id: string;
  reused: boolean;
  url: string;
}

describe("task.prompt_file in Opik's prompt library", () => {
  const api = (): string => `${opik.url}/v1/private`;
  const getJson = async (url: string): Promise<Record<string, unknown>> => {
    const response = await fetch(url);
    expect(response.status, url).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  async function runVersioned(template: string, name: string): Promise<{ version: PromptVersionJson; experimentId: string }> {
    await writeFile(path.join(workspace, "prompts", "versioned.mustache"), template);
    const { project } = await seedProject(name);
    const run = await runAction(inputs(project, { config: ".github/versions.yml" }), { workspace, env: { GITHUB_SHA: `sha-of-${name}` } });
    expect(run.exitCode, run.stdout).toBe(0);
    const experiment = run.result?.experiment_result as { experiment_id: string };
    return { version: run.result?.prompt_version as PromptVersionJson, experimentId: experiment.experiment_id };
  }

  async function versionsOf(promptName: string): Promise<Array<{ id: string; commit: string; template: string; metadata?: Record<string, unknown> }>> {
    const prompts = (await getJson(`${api()}/prompts?name=${encodeURIComponent(promptName)}`)).content as Array<{ id: string; name: string }>;
    const prompt = prompts.find((p) => p.name === promptName);
    if (!prompt) return [];
    return (await getJson(`${api()}/prompts/${prompt.id}/versions?size=100`)).content as Array<{ id: string; commit: string; template: string }>;
  }

  it("records one version per distinct template, with the commit SHA, and links each experiment to the version it ran with", async () => {
    const first = await runVersioned('Check this charter. Answer with JSON {"verdict": "valid"}.\n{{input}}', "version-one");
    expect(first.version).toMatchObject({ name: "charter-check", reused: false });
    let versions = await versionsOf("charter-check");
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      id: first.version.version_id,
      commit: first.version.commit,
      template: 'Check this charter. Answer with JSON {"verdict": "valid"}.\n{{input}}',
      metadata: { prompt_file: "prompts/versioned.mustache", git_sha: "sha-of-version-one" },
    });

    const unchanged = await runVersioned('Check this charter. Answer with JSON {"verdict": "valid"}.\n{{input}}', "version-same");
    expect(unchanged.version).toEqual({ ...first.version, reused: true });
    expect(await versionsOf("charter-check")).toHaveLength(1);

    const changed = await runVersioned("Say whether this charter is valid.\n{{input}}", "version-two");
    expect(changed.version).toMatchObject({ name: "charter-check", reused: false });
    expect(changed.version.commit).not.toBe(first.version.commit);
    versions = await versionsOf("charter-check");
    expect(versions.map((v) => v.commit).sort()).toEqual([first.version.commit, changed.version.commit].sort());

    // Each experiment, read back over REST, names the version it ran with, and records its commit in the metadata.
    for (const run of [first, unchanged, changed]) {
      const experiment = await getJson(`${api()}/experiments/${run.experimentId}`);
      expect(experiment.prompt_versions).toEqual([expect.objectContaining({ id: run.version.version_id, commit: run.version.commit })]);
      expect(experiment.metadata).toMatchObject({ prompt_version: run.version.commit });
    }
  });
});
