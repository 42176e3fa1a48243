import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpikGateway } from "../../src/opik/opik-sdk-gateway.js";
import { AlreadyExistsError, OpikError } from "../../src/errors.js";
import { createUuidV7, startOpikServer, type OpikServer } from "opik-local-server";

let server: OpikServer;
beforeAll(async () => {
  server = await startOpikServer();
});
afterAll(async () => server.close());

async function ingest(path: string, key: string, rows: unknown[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    const response = await fetch(`${server.url}/v1/private/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ [key]: rows.slice(i, i + 1000) }),
    });
    expect(response.status).toBe(204);
  }
}

describe("the Opik gateway on the real SDK client", () => {
  it("pages span searches past the backend's 2000-row cap with full payloads, and deletes traces in batches of 1000", async () => {
    const project = "paging";
    const start = new Date(Date.now() - 60_000).toISOString();
    const traces = Array.from({ length: 4500 }, () => ({ id: createUuidV7(), project_name: project, name: "t", start_time: start }));
    const long = "x".repeat(20_000);
    await ingest("traces/batch", "traces", traces);
    await ingest(
      "spans/batch",
      "spans",
      traces.map((t) => ({ id: createUuidV7(), trace_id: t.id, project_name: project, name: "chat", type: "llm", start_time: start, input: { prompt: long } })),
    );
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    const before = server.requests.length;
    const seen = new Set<string>();
    for await (const span of opik.searchSpans([{ field: "name", operator: "=", value: "chat" }])) {
      seen.add(span.id);
      expect((span.input as { prompt: string }).prompt).toHaveLength(20_000);
    }
    expect(seen.size).toBe(4500);
    const searches = server.requests.slice(before).filter((r) => r.path === "/v1/private/spans/search");
    expect(searches).toHaveLength(3);
    expect(searches.every((r) => (r.body as { limit: number; truncate: boolean }).limit === 2000 && (r.body as { truncate: boolean }).truncate === false)).toBe(
      true,
    );

    expect(await opik.countTraces([])).toBe(4500);
    await opik.deleteTraces(traces.map((t) => t.id));
    const deletes = server.requests.filter((r) => r.path === "/v1/private/traces/delete");
    expect(deletes.map((r) => (r.body as { ids: string[] }).ids.length)).toEqual([1000, 1000, 1000, 1000, 500]);
    expect(await opik.countTraces([])).toBe(0);
    let remaining = 0;
    for await (const _ of opik.searchSpans([])) remaining += 1;
    expect(remaining).toBe(0);
  });

  it("throws on a failed write instead of logging it, naming the operation and keeping the cause", async () => {
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "writes", evaluationProject: "writes-evaluation" });
    server.injectFault({ method: "PUT", path: "/v1/private/spans/feedback-scores", status: 400, times: 1 });
    const error = await opik.scoreSpans([{ spanId: createUuidV7(), projectName: "writes", name: "added_to_dataset", value: 1 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpikError);
    expect((error as Error).message).toMatch(/^Opik span feedback scores write failed at http:\/\/127\.0\.0\.1:\d+\/api: HTTP 400 /);
    expect(((error as Error).cause as { statusCode: number }).statusCode).toBe(400);
  });

  it("finds experiments by name in its own project only: another project's run of the same name is not its shard", async () => {
    const gateways = ["shards-a", "shards-b"].map((project) =>
      createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` }),
    );
    const created = [];
    for (const [index, opik] of gateways.entries()) {
      const dataset = await opik.createDataset(`shards-dataset-${index}`, "d", []);
      created.push(await opik.createExperiment("summaries-eval-run7-shard", dataset, { shards: 2 }));
    }
    expect((await gateways[0]!.findExperimentsByName("summaries-eval-run7-shard")).map((e) => e.id)).toEqual([created[0]!.id]);
    expect((await gateways[1]!.findExperimentsByName("summaries-eval-run7-shard")).map((e) => e.id)).toEqual([created[1]!.id]);
    const elsewhere = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "shards-none", evaluationProject: "x" });
    expect(await elsewhere.findExperimentsByName("summaries-eval-run7-shard")).toEqual([]);
  });

  it("reports a dataset name another run took instead of writing into a phantom dataset", async () => {
    const connection = { url: server.url, apiKey: "", workspace: "default", project: "dups", evaluationProject: "dups-evaluation" };
    await createOpikGateway({ ...connection, runId: "first-run" }).createDataset("same-name", "first", []);
    const error = await createOpikGateway({ ...connection, runId: "second-run" })
      .createDataset("same-name", "second", [])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlreadyExistsError);
    expect((error as Error).message).toBe('Opik dataset "same-name" already exists and was not created by this run');
    expect(((error as Error).cause as Error).message).toMatch(/dataset create "same-name" failed at .*: HTTP 409 Dataset already exists/);
  });

  it("records a prompt version once per distinct template, reads back its own create when the answer was lost, and links it to an experiment", async () => {
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project: "prompts", evaluationProject: "prompts-evaluation" });
    const creates = () => server.requests.filter((r) => r.method === "POST" && r.path === "/v1/private/prompts/versions").length;
    // The first version lands but its answer is lost: the retry's 409 is this call's own write, read back by commit.
    server.injectFault({ method: "POST", path: "/v1/private/prompts/versions", status: 504, afterApplying: true, times: 1 });
    const first = await opik.recordPromptVersion("validate", "Check {{input}}", { git_sha: "a".repeat(40) });
    expect(first).toMatchObject({ promptName: "validate", reused: false });
    expect(first.commit).toMatch(/^[0-9a-f]{8}$/);
    expect(creates()).toBe(2);

    const again = await opik.recordPromptVersion("validate", "Check {{input}}", { git_sha: "b".repeat(40) });
    expect(again).toEqual({ ...first, reused: true });
    expect(creates()).toBe(2);

    const changed = await opik.recordPromptVersion("validate", "Validate {{input}}", { git_sha: "c".repeat(40) });
    expect(changed).toMatchObject({ promptId: first.promptId, reused: false });
    expect(changed.commit).not.toBe(first.commit);
    const versions = (await (await fetch(`${server.url}/v1/private/prompts/${first.promptId}/versions`)).json()) as { content: Array<{ commit: string }> };
    expect(versions.content.map((v) => v.commit).sort()).toEqual([first.commit, changed.commit].sort());

    const dataset = await opik.createDataset("prompt-linked", "", []);
    const experiment = await opik.createExperiment("linked", dataset, {}, undefined, [changed.versionId]);
    const stored = (await (await fetch(`${server.url}/v1/private/experiments/${experiment.id}`)).json()) as { prompt_versions: unknown[] };
    expect(stored.prompt_versions).toEqual([expect.objectContaining({ id: changed.versionId, commit: changed.commit, prompt_id: first.promptId })]);
  });

  it("records one version when runs record the same template at once, and links the first version of a template that comes back", async () => {
    const connection = { url: server.url, apiKey: "", workspace: "default", project: "prompt-overlap", evaluationProject: "prompt-overlap-evaluation" };
    const runs = ["run-a", "run-b", "run-c"].map((runId) => createOpikGateway({ ...connection, runId }));
    const together = await Promise.all(
      runs.map((opik, index) => opik.recordPromptVersion("overlap", "Answer {{input}}", { git_sha: String(index).repeat(40) })),
    );
    expect(new Set(together.map((version) => version.versionId)).size).toBe(1);
    expect(together.filter((version) => !version.reused)).toHaveLength(1);
    const versionsOf = async (promptId: string) =>
      ((await (await fetch(`${server.url}/v1/private/prompts/${promptId}/versions`)).json()) as { content: Array<{ id: string; template: string }> }).content;
    expect(await versionsOf(together[0]!.promptId)).toHaveLength(1);

    const changed = await runs[0]!.recordPromptVersion("overlap", "Answer briefly: {{input}}", {});
    expect(changed.reused).toBe(false);
    const back = await runs[1]!.recordPromptVersion("overlap", "Answer {{input}}", {});
    expect(back).toMatchObject({ versionId: together[0]!.versionId, commit: together[0]!.commit, reused: true });
    expect((await versionsOf(together[0]!.promptId)).map((v) => v.template).sort()).toEqual(["Answer briefly: {{input}}", "Answer {{input}}"]);

    // A conflict over a new prompt's name (another run created the prompt, with another template): no version has
    // this commit, so the create is made again and lands.
    server.injectFault({ method: "POST", path: "/v1/private/prompts/versions", status: 409, times: 1 });
    const fresh = await runs[2]!.recordPromptVersion("overlap-new", "Reply to {{input}}", {});
    expect(fresh.reused).toBe(false);
    expect((await versionsOf(fresh.promptId)).map((v) => v.id)).toEqual([fresh.versionId]);
  });

  it("counts spans from a page total; a project that does not exist has none, any other failure throws", async () => {
    const project = "counting";
    const traceId = createUuidV7();
    await ingest("traces/batch", "traces", [{ id: traceId, project_name: project, name: "t", start_time: new Date().toISOString() }]);
    await ingest(
      "spans/batch",
      "spans",
      ["chat", "chat", "other"].map((name) => ({
        id: createUuidV7(),
        trace_id: traceId,
        project_name: project,
        name,
        type: "llm",
        start_time: new Date().toISOString(),
      })),
    );
    const opik = createOpikGateway({ url: server.url, apiKey: "", workspace: "default", project, evaluationProject: `${project}-evaluation` });
    expect(await opik.countSpans([{ field: "name", operator: "=", value: "chat" }])).toBe(2);
    expect(
      await createOpikGateway({
        url: server.url,
        apiKey: "",
        workspace: "default",
        project: "never-created",
        evaluationProject: "never-created-evaluation",
      }).countSpans([]),
    ).toBe(0);

    // A 404 for a project that does exist is not an empty project: the caller must not report zero spans.
    server.injectFault({ method: "GET", path: "/v1/private/spans", status: 404, times: 1 });
    const notFound = await opik.countSpans([]).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(OpikError);
    expect((notFound as Error).message).toMatch(/^Opik span count failed at /);
    server.injectFault({ method: "GET", path: "/v1/private/spans", status: 400, times: 1 });
    expect(((await opik.countSpans([]).catch((e: unknown) => e)) as { cause: { statusCode: number } }).cause.statusCode).toBe(400);
  });
});
