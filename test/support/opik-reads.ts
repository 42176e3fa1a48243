/**
 * Reads back what a run left in Opik, through the REST API a user's Opik
 * exposes, so assertions do not depend on the embedded server's internals.
 */
import { readNdjson } from "../../src/opik/ndjson.js";

type Row = Record<string, unknown>;

async function json(response: Response): Promise<unknown> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Read with the action's own NDJSON reader, so these reads parse the wire as the action does. */
async function ndjson(response: Response): Promise<Row[]> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  const rows: Row[] = [];
  if (response.body) for await (const row of readNdjson(response.body)) rows.push(row as Row);
  return rows;
}

export function opikReads(opikUrl: string, projectName: string) {
  const base = `${opikUrl.replace(/\/$/, "")}/v1/private`;
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${base}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return {
    async datasets(prefix: string): Promise<Row[]> {
      const project = (await json(await post("/projects/retrieve", { name: projectName }))) as { id: string };
      const page = (await json(await fetch(`${base}/datasets?name=${encodeURIComponent(prefix)}&project_id=${project.id}&size=100`))) as { content: Row[] };
      return page.content.filter((d) => String(d.name).startsWith(prefix));
    },
    async datasetItems(datasetName: string): Promise<Row[]> {
      return ndjson(await post("/datasets/items/stream", { dataset_name: datasetName, project_name: projectName, steam_limit: 2000 }));
    },
    async span(id: string): Promise<Row> {
      return (await json(await fetch(`${base}/spans/${id}`))) as Row;
    },
    /** Every trace of the project (an unknown project has none). */
    async traces(): Promise<Row[]> {
      return ndjson(await post("/traces/search", { project_name: projectName, limit: 2000, truncate: false }));
    },
    async traceStatus(id: string): Promise<number> {
      return (await fetch(`${base}/traces/${id}`)).status;
    },
    async experiment(id: string): Promise<Row> {
      return (await json(await fetch(`${base}/experiments/${id}`))) as Row;
    },
    /** The project's experiments whose name contains `name` (names are not unique in a workspace). */
    async experiments(name: string): Promise<Row[]> {
      const project = (await json(await post("/projects/retrieve", { name: projectName }))) as { id: string };
      const page = (await json(await fetch(`${base}/experiments?name=${encodeURIComponent(name)}&project_id=${project.id}&size=100`))) as { content: Row[] };
      return page.content;
    },
    /**
     * One experiment's items. Opik streams by name and names are not unique in a workspace (two projects' runs in
     * the same minute share one), so rows are kept by the experiment's id.
     */
    async experimentItems(experiment: { name: string; id: string }): Promise<Row[]> {
      const rows = await ndjson(
        await post("/experiments/items/stream", { experiment_name: experiment.name, project_name: projectName, limit: 2000, truncate: false }),
      );
      return rows.filter((row) => row.experiment_id === experiment.id);
    },
    /** Every span of the project (an unknown project has none). */
    async spans(): Promise<Row[]> {
      return ndjson(await post("/spans/search", { project_name: projectName, limit: 2000, truncate: false }));
    },
    /** The spans of one trace, as Opik's trace view reads them. */
    async traceSpans(traceId: string): Promise<Row[]> {
      return ndjson(await post("/spans/search", { project_name: projectName, trace_id: traceId, limit: 2000, truncate: false }));
    },
    async spansMarked(): Promise<Row[]> {
      return ndjson(
        await post("/spans/search", {
          project_name: projectName,
          limit: 2000,
          truncate: false,
          filters: [{ field: "feedback_scores", operator: "is_not_empty", key: "added_to_dataset", value: "" }],
        }),
      );
    },
  };
}
