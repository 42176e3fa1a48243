import { afterAll, beforeAll, beforeEach } from "vitest";
import { createOpenAIChatModel } from "../../src/providers/openai-chat-model.js";
import type { ChatModel } from "../../src/types.js";
import { startOpenAIServer, type OpenAIServer } from "../support/openai-server.js";

export interface ChatBody {
  messages: { role: string; content: string }[];
  response_format?: { type: string };
}

/**
 * A judge ChatModel on the real openai client, answered by a loopback
 * OpenAI server for the calling test file: started once, requests cleared
 * before each test, closed at the end.
 */
export function useLoopbackJudge(): { readonly server: OpenAIServer; readonly judge: ChatModel; readonly promptOf: (index?: number) => string } {
  let server: OpenAIServer | undefined;
  let judge: ChatModel | undefined;
  beforeAll(async () => {
    server = await startOpenAIServer();
    judge = createOpenAIChatModel({ apiKey: "sk-test-judge", baseURL: server.url, model: "judge-mini", maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    if (server) server.requests.length = 0;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the loopback judge starts in beforeAll");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get judge() {
      return started(judge);
    },
    promptOf: (index = 0) => (started(server).requests[index]?.body as ChatBody).messages.map((m) => m.content).join("\n"),
  };
}
