/**
 * The test suite part of `npm run demo`: a suite created with the opik SDK, run with the replay task (each
 * item's recorded output) and judged by a loopback judge that answers the SDK's suite judge prompt.
 */
import { Opik } from "opik";
import { startOpenAIServer } from "../test/support/openai-server.js";
import { runAction, type ActionRun } from "./run-action.js";

const SUITE = "demo-refund-suite";

/** The loopback judge's rule: an assertion passes when the output contains its keyword. */
const KEYWORDS: Record<string, string> = { "Is polite": "thank", "Mentions the 30-day window": "30 days" };

function judge(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  const user = messages.find((m) => m.role === "user")?.content ?? "";
  const output = /---BEGIN OUTPUT---\n([\s\S]*?)\n---END OUTPUT---/.exec(user)?.[1]?.toLowerCase() ?? "";
  const answers: Record<string, unknown> = {};
  for (const [, key, assertion] of user.matchAll(/^- `(assertion_\d+)`: (.+)$/gm)) {
    const keyword = KEYWORDS[assertion ?? ""] ?? "";
    const found = output.includes(keyword);
    answers[key ?? ""] = { score: found, reason: found ? `the answer says "${keyword}"` : `the answer never says "${keyword}"`, confidence: 0.9 };
  }
  return JSON.stringify(answers);
}

export async function runSuiteDemo(opikUrl: string, project: string, experimentType: string, workspace: string): Promise<ActionRun> {
  const llm = await startOpenAIServer();
  try {
    llm.reply(judge);
    // The SDK builds a judge object per assertion list, which wants a key; the action judges, not the SDK.
    process.env.OPENAI_API_KEY ??= "sk-demo-not-called";
    const client = new Opik({ apiUrl: opikUrl, apiKey: "demo", workspaceName: "default", projectName: project, batchDelayMs: 10 });
    const suite = await client.createTestSuite({
      name: SUITE,
      projectName: project,
      globalAssertions: ["Is polite", "Mentions the 30-day window"],
      globalExecutionPolicy: { runsPerItem: 1, passThreshold: 1 },
    });
    await suite.insert([
      { data: { input: "Can I return shoes?", expected_output: "Thank you for asking: shoes can be returned within 30 days." } },
      { data: { input: "Can I return a hat?", expected_output: "Thanks! Hats go back within 30 days." } },
      { data: { input: "Can I return socks?", expected_output: "Thank you, but socks are final sale." } },
    ]);
    await client.flush();
    return await runAction(
      {
        "opik-url": opikUrl,
        "opik-project": project,
        "experiment-type": experimentType,
        mode: "evaluate",
        "task-provider": "replay",
        "judge-provider": "openai",
        "judge-model": "gpt-4o-mini",
        "openai-api-key": "sk-demo",
        "openai-base-url": llm.url,
        "test-suite": SUITE,
        "min-pass-rate": "0.6",
      },
      { workspace },
    );
  } finally {
    await llm.close();
  }
}
