#!/usr/bin/env node
/**
 * Runs the server in the foreground, for local runs of code that talks to Opik and for
 * poking at it with curl:
 *
 *   npm run opik:local -- --port 5173 [--persist .opik-local/state.json] [--no-assertion-results]   (from the repository root)
 *   npx opik-local-server --port 5173                                     (after `npm run build` here)
 */
import { parseArgs } from "node:util";
import { startOpikServer } from "./index.js";
import { errorMessage } from "./errors.js";

const USAGE = "usage: opik-local-server --port PORT [--persist FILE] [--no-assertion-results]";

function parseOptions(argv: string[]): { port: number; persistPath: string | undefined; assertionResults: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      persist: { type: "string" },
      // Plays a backend older than PUT /v1/private/assertion-results (the route answers 404).
      "no-assertion-results": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be an integer between 0 and 65535, got '${values.port}'`);
  return { port, persistPath: values.persist, assertionResults: !values["no-assertion-results"] };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${errorMessage(error)}\n${USAGE}`);
    process.exit(2);
  }
  const server = await startOpikServer({
    port: options.port,
    assertionResults: options.assertionResults,
    ...(options.persistPath ? { persistPath: options.persistPath } : {}),
  });
  console.log(`Opik-compatible server listening. Use this as opik-url: ${server.url}`);
  if (options.persistPath) console.log(`State is kept in ${options.persistPath}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, stopping.`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Failed to stop cleanly: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`Cannot start the Opik server: ${errorMessage(error)}`);
  process.exit(1);
});
