/**
 * The only module that imports the opik SDK. It uses the SDK's raw REST client
 * (`client.api.*`), whose calls throw on failure, instead of the high-level
 * methods and batch queues, which in opik 2.0.40 swallow errors and cap
 * searches at one request.
 */
import { createHash } from "node:crypto";
import { Opik, generateId } from "opik";
import { toSpanWrite } from "./span-writes.js";
import { EVALUATION_TRACE_NAME, OPIK_LIMITS } from "../constants.js";
import { AlreadyExistsError, OpikError } from "../errors.js";
import type { DatasetRecord, ExperimentSummary, NamedExperiment } from "../types.js";
import { readNdjson } from "./ndjson.js";
import { callOpik, type OpikCallSettings } from "./opik-call.js";
import { createOpikFetch } from "./opik-fetch.js";
import { countSpanPage, type OpikCall as Call } from "./span-count.js";
import type { EvaluationRecord, NewDatasetItem, OpikGateway, PromptVersionRecord, SpanScore, TestSuiteItemRecord } from "./opik-gateway.js";
import { experimentMetadataWriter, toExperimentAggregate } from "./experiment-metadata.js";
import { toSuiteEvaluators, toSuiteItemRecord } from "./suite-records.js";
import { toDatasetItemRecord, toExperimentItemRecord, toSpanRecord, toTraceRecord } from "./wire-records.js";
import { writeBatches } from "./write-batches.js";
import { testSuiteOperations } from "./test-suites.js";
import { assertionResultsWriter } from "./assertion-results.js";

export interface OpikConnection {
  url: string;
  apiKey: string;
  workspace: string;
  project: string;
  /** Where the evaluation traces and their experiment items go, so they stay out of the harvested project. */
  evaluationProject: string;
  /** One request's limit, answer included (opik-timeout-seconds); default 60. */
  timeoutSeconds?: number;
  /** Marks what this run creates, so a create retried after its first attempt landed is recognised as its own. */
  runId?: string;
}

/** Appended to the description of a dataset this run creates. */
/** Dataset_Write.description's maxLength in Opik's OpenAPI description. */
const DESCRIPTION_LIMIT = 255;

export function runMarker(runId: string): string {
  return `[opik-evaluate run ${runId}]`;
}

/** How Opik renders a version's template: the task renders prompt files as mustache. */
const PROMPT_TYPE = "mustache";

/**
 * A version's commit, named by its template. Opik keeps a commit unique within its prompt, so runs that record one
 * template at the same time create one version between them: the others' creates answer 409 and they link it.
 */
function templateCommit(template: string): string {
  return createHash("sha256").update(`${PROMPT_TYPE}\n${template}`).digest("hex").slice(0, 8);
}

/** A lookup whose 404 means "there is none", not a failure. */
async function absentOn404<T>(lookup: () => Promise<T>): Promise<T | undefined> {
  try {
    return await lookup();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** A write's batches: the endpoint's item count, and the bytes one request may carry. */
const batchLimits = (maxCount: number) => ({ maxCount, maxBytes: OPIK_LIMITS.requestBytes - OPIK_LIMITS.requestEnvelopeBytes });

/**
 * Pages a search stream by last_retrieved_id until a page comes back short. A
 * page is read whole inside its call, so a connection lost mid-page retries the
 * page instead of ending the stream early.
 */
async function* pagedStream<T extends { id: string }>(
  call: Call,
  operation: string,
  fetchPage: (lastRetrievedId: string | undefined, limit: number) => Promise<ReadableStream<Uint8Array>>,
  toRecord: (row: unknown) => T,
  limit: number = OPIK_LIMITS.streamPage,
): AsyncGenerator<T> {
  let lastRetrievedId: string | undefined;
  for (;;) {
    const page = await call(operation, async () => {
      const records: T[] = [];
      for await (const row of readNdjson(await fetchPage(lastRetrievedId, limit))) records.push(toRecord(row));
      return records;
    });
    let oldest: string | undefined;
    for (const record of page) {
      // Page from the smallest id seen, not the last row: the experiment-item stream is not sorted by id.
      if (oldest === undefined || record.id.toLowerCase() < oldest) oldest = record.id.toLowerCase();
      yield record;
    }
    if (page.length < limit) return;
    lastRetrievedId = oldest;
  }
}

export function createOpikGateway(connection: OpikConnection): OpikGateway {
  const timeoutSeconds = connection.timeoutSeconds ?? 60;
  const runId = connection.runId ?? generateId();
  const client = new Opik({
    apiUrl: connection.url,
    apiKey: connection.apiKey,
    workspaceName: connection.workspace,
    projectName: connection.project,
  });
  // Our fetch times requests out and never rejects (see opik-fetch.ts); the SDK's
  // own timer is set later than ours so it never fires, and its retries are off
  // because callOpik retries.
  (client.api as unknown as { _options: { fetch?: typeof fetch } })._options.fetch = createOpikFetch(timeoutSeconds * 1000);
  const REQUEST_OPTIONS = { timeoutInSeconds: timeoutSeconds + 5, maxRetries: 0 } as const;
  const settings: OpikCallSettings = { url: connection.url, apiKey: connection.apiKey, timeoutSeconds };
  // Every call here is safe to repeat: reads, deletes by id, and writes that
  // upsert by id (items, traces, scores, tags); the two creates recognise their
  // own earlier attempt on a 409.
  const call: Call = (operation, fn) => callOpik(settings, operation, fn, true);
  const api = client.api;
  const projectName = connection.project;
  const evaluationProject = connection.evaluationProject;

  const datasetRecord = (d: { id?: string; name: string; description?: string; tags?: string[]; createdAt?: Date }): DatasetRecord => ({
    id: d.id ?? "",
    name: d.name,
    ...(d.description !== undefined ? { description: d.description } : {}),
    tags: d.tags ?? [],
    ...(d.createdAt ? { createdAt: d.createdAt.toISOString() } : {}),
  });

  // The UI lives where the API does, without /api: /opik/api on Opik Cloud, /api when self-hosted.
  const uiBase = connection.url.replace(/\/api\/?$/, "").replace(/\/$/, "");
  let projectIdLookup: Promise<string | undefined> | undefined;
  const projectId = (): Promise<string | undefined> =>
    (projectIdLookup ??= call(
      `project lookup "${projectName}"`,
      async () => (await absentOn404(() => api.projects.retrieveProject({ name: projectName }, REQUEST_OPTIONS)))?.id,
    ));

  const findDataset = (name: string): Promise<DatasetRecord | undefined> =>
    call(`dataset lookup "${name}"`, async () => {
      const found = await absentOn404(() => api.datasets.getDatasetByIdentifier({ datasetName: name, projectName }, REQUEST_OPTIONS));
      return found && datasetRecord(found);
    });

  const writeAssertionResults = assertionResultsWriter(call, api, { projectName: evaluationProject, requestOptions: REQUEST_OPTIONS });

  // The UI's redirects resolve workspace and project from the API's base URL, base64-encoded.
  const redirectPath = encodeURIComponent(Buffer.from(connection.url).toString("base64"));

  return {
    projectName,
    newId: () => generateId(),
    ...testSuiteOperations({
      api,
      call,
      projectName,
      requestOptions: REQUEST_OPTIONS,
      toRecord: datasetRecord,
      maxBatchBytes: OPIK_LIMITS.requestBytes - OPIK_LIMITS.requestEnvelopeBytes,
    }),

    datasetUrl(dataset) {
      return `${uiBase}/api/v1/session/redirect/datasets/?dataset_id=${dataset.id}&path=${redirectPath}`;
    },

    traceUrl(traceId) {
      return `${uiBase}/api/v1/session/redirect/projects/?trace_id=${traceId}&path=${redirectPath}`;
    },

    searchTraces(filters, options) {
      return pagedStream(
        call,
        "trace search",
        (lastRetrievedId, limit) =>
          api.traces.searchTraces(
            {
              projectName,
              filters,
              limit,
              truncate: false,
              ...(lastRetrievedId ? { lastRetrievedId } : {}),
              ...(options?.exclude ? { exclude: options.exclude as never } : {}),
            },
            REQUEST_OPTIONS,
          ),
        toTraceRecord,
      );
    },

    async countTraces(filters) {
      const page = await call("trace count", () =>
        api.traces.getTracesByProject({ projectName, filters: JSON.stringify(filters), page: 1, size: 1, truncate: true }, REQUEST_OPTIONS),
      );
      return page.total ?? 0;
    },

    async deleteTraces(ids) {
      for (const batch of writeBatches(ids, batchLimits(OPIK_LIMITS.deleteBatch))) {
        await call("trace delete", () => api.traces.deleteTraces({ ids: batch }, REQUEST_OPTIONS));
      }
    },

    searchSpans(filters, options) {
      return pagedStream(
        call,
        "span search",
        (lastRetrievedId, limit) =>
          api.spans.searchSpans(
            {
              projectName,
              filters,
              limit,
              truncate: false,
              ...(lastRetrievedId ? { lastRetrievedId } : {}),
              ...(options?.exclude?.length ? { exclude: options.exclude } : {}),
            },
            REQUEST_OPTIONS,
          ),
        toSpanRecord,
      );
    },

    countSpans(filters) {
      return countSpanPage(call, api, projectName, filters, async () => (await projectId()) !== undefined, REQUEST_OPTIONS);
    },

    async listTraceSpans(traceId) {
      const spans = [];
      const stream = pagedStream(
        call,
        `spans of trace ${traceId}`,
        (lastRetrievedId, limit) =>
          api.spans.searchSpans({ projectName, traceId, limit, truncate: false, ...(lastRetrievedId ? { lastRetrievedId } : {}) }, REQUEST_OPTIONS),
        toSpanRecord,
      );
      for await (const span of stream) spans.push(span);
      return spans;
    },

    async projectExists() {
      return (await projectId()) !== undefined;
    },

    async findDatasets(namePrefix) {
      // Dataset names are unique per project, not per workspace: scope the search to ours.
      const id = await projectId();
      if (!id) return [];
      const found: DatasetRecord[] = [];
      for (let page = 1; ; page += 1) {
        const result = await call("dataset search", () => api.datasets.findDatasets({ name: namePrefix, projectId: id, page, size: 100 }, REQUEST_OPTIONS));
        const content = result.content ?? [];
        found.push(...content.filter((d) => d.name.startsWith(namePrefix)).map(datasetRecord));
        if (content.length < 100) return found;
      }
    },

    findDataset,

    async listExperiments(dataset) {
      const found: ExperimentSummary[] = [];
      for (let page = 1; ; page += 1) {
        const result = await call(`experiments of "${dataset.name}"`, () =>
          api.experiments.findExperiments({ datasetId: dataset.id, page, size: 100 }, REQUEST_OPTIONS),
        );
        const content = result.content ?? [];
        for (const e of content) {
          if (!e.id || !e.name) continue;
          const metadata = e.metadata && typeof e.metadata === "object" && !Array.isArray(e.metadata) ? e.metadata : {};
          found.push({ id: e.id, name: e.name, createdAt: (e.createdAt ?? new Date(0)).toISOString(), metadata });
        }
        if (content.length < 100) return found;
      }
    },

    async createDataset(name, description, tags) {
      const marker = runMarker(runId);
      // Opik keeps at most 255 characters of a description; the marker must survive whole.
      const room = DESCRIPTION_LIMIT - marker.length - 1;
      const written = description ? `${description.length > room ? `${description.slice(0, room - 1)}…` : description} ${marker}` : marker;
      try {
        // The raw create throws on 409; the high-level createDataset would swallow it.
        await call(`dataset create "${name}"`, () => api.datasets.createDataset({ name, description: written, tags, projectName }, REQUEST_OPTIONS));
      } catch (error) {
        if (!(error instanceof OpikError && error.status === 409)) throw error;
        // A retry whose first attempt landed (its answer was lost) finds its own marker.
        const existing = await findDataset(name);
        if (!existing?.description?.includes(marker)) throw new AlreadyExistsError("dataset", name, error);
      }
      const created = await call(`dataset read-back "${name}"`, () => api.datasets.getDatasetByIdentifier({ datasetName: name, projectName }, REQUEST_OPTIONS));
      return datasetRecord(created);
    },

    async deleteDataset(dataset) {
      await call(`dataset delete "${dataset.name}"`, () => api.datasets.deleteDataset(dataset.id, {}, REQUEST_OPTIONS));
    },

    // Opik's update replaces the description with what is sent, so it is sent back unchanged.
    async setDatasetTags(dataset, tags) {
      await call(`dataset update "${dataset.name}"`, () =>
        api.datasets.updateDataset(
          dataset.id,
          { name: dataset.name, tags, ...(dataset.description !== undefined ? { description: dataset.description } : {}) },
          REQUEST_OPTIONS,
        ),
      );
    },

    async listDatasetItems(dataset) {
      const items = [];
      const stream = pagedStream(
        call,
        `dataset items of "${dataset.name}"`,
        (lastRetrievedId, limit) =>
          api.datasets.streamDatasetItems(
            { datasetName: dataset.name, projectName, steamLimit: limit, ...(lastRetrievedId ? { lastRetrievedId } : {}) },
            REQUEST_OPTIONS,
          ),
        toDatasetItemRecord,
      );
      for await (const item of stream) items.push(item);
      return items;
    },

    async testSuiteSourceSpans(suite) {
      const versions: Array<{ versionHash?: string; itemsDeleted?: number }> = [];
      for (let page = 1; ; page += 1) {
        const result = await call(`versions of test suite "${suite.name}"`, () =>
          api.datasets.listDatasetVersions(suite.id, { page, size: 100 }, REQUEST_OPTIONS),
        );
        const content = result.content ?? [];
        versions.push(...content);
        if (content.length < 100) break;
      }
      // Newest first: the version after index i is i - 1, so a deletion at i means version i + 1 still held the items.
      const before = versions
        .flatMap((version, index) => (version.itemsDeleted ? [versions[index + 1]?.versionHash] : []))
        .filter((hash) => hash !== undefined);
      const spans = new Set<string>();
      for (const datasetVersion of [undefined, ...new Set(before)]) {
        const stream = pagedStream(
          call,
          `items of test suite "${suite.name}"${datasetVersion ? ` at version ${datasetVersion}` : ""}`,
          (lastRetrievedId, limit) =>
            api.datasets.streamDatasetItems(
              {
                datasetName: suite.name,
                projectName,
                steamLimit: limit,
                ...(datasetVersion ? { datasetVersion } : {}),
                ...(lastRetrievedId ? { lastRetrievedId } : {}),
              },
              REQUEST_OPTIONS,
            ),
          toDatasetItemRecord,
        );
        for await (const item of stream) {
          if (typeof item.data.source_span_id === "string") spans.add(item.data.source_span_id);
          if (item.spanId) spans.add(item.spanId);
        }
      }
      return [...spans];
    },

    async getDatasetItem(id) {
      const item = await call(`dataset item ${id}`, () => absentOn404(() => api.datasets.getDatasetItemById(id, {}, REQUEST_OPTIONS)));
      if (!item) return undefined;
      const data = item.data && typeof item.data === "object" && !Array.isArray(item.data) ? (item.data as Record<string, unknown>) : {};
      return { id: item.id ?? id, ...(item.spanId ? { spanId: item.spanId } : {}), ...(item.traceId ? { traceId: item.traceId } : {}), data };
    },

    async insertDatasetItems(dataset, items: readonly NewDatasetItem[]) {
      const wire = items.map((item) => ({
        id: item.id,
        source: "span" as const,
        spanId: item.spanId,
        traceId: item.traceId,
        data: item.data as unknown as Record<string, unknown>,
      }));
      for (const batch of writeBatches(wire, batchLimits(OPIK_LIMITS.datasetItemBatch))) {
        await call(`dataset items write to "${dataset.name}"`, () =>
          api.datasets.createOrUpdateDatasetItems({ datasetId: dataset.id, items: batch }, REQUEST_OPTIONS),
        );
      }
    },

    async scoreSpans(scores: readonly SpanScore[]) {
      const wire = scores.map((s) => ({
        id: s.spanId,
        name: s.name,
        value: s.value,
        source: "sdk" as const,
        projectName: s.projectName,
        ...(s.reason ? { reason: s.reason } : {}),
      }));
      for (const batch of writeBatches(wire, batchLimits(OPIK_LIMITS.scoreBatch))) {
        await call("span feedback scores write", () => api.spans.scoreBatchOfSpans({ scores: batch }, REQUEST_OPTIONS));
      }
    },

    async findExperiment(name, dataset) {
      // The name filter is a partial, case-insensitive match: page until the exact name turns up.
      for (let page = 1; ; page += 1) {
        const result = await call(`experiment search "${name}"`, () =>
          api.experiments.findExperiments({ name, datasetId: dataset.id, page, size: 100 }, REQUEST_OPTIONS),
        );
        const content = result.content ?? [];
        const match = content.find((e) => e.name === name && e.id);
        if (match?.id && match.name) return { id: match.id, name: match.name };
        if (content.length < 100) return undefined;
      }
    },

    async findExperimentsByName(name) {
      const found: NamedExperiment[] = [];
      // Another project in the workspace may run the same feature: its experiments are not this one's.
      const id = await projectId();
      if (!id) return found;
      // The name filter is a partial, case-insensitive match: keep exact names only, over every page.
      for (let page = 1; ; page += 1) {
        const result = await call(`experiment search "${name}"`, () =>
          api.experiments.findExperiments({ name, projectId: id, page, size: 100 }, REQUEST_OPTIONS),
        );
        const content = result.content ?? [];
        for (const e of content) {
          if (e.name !== name || !e.id || !e.datasetName) continue;
          const metadata = e.metadata && typeof e.metadata === "object" && !Array.isArray(e.metadata) ? e.metadata : {};
          found.push({ id: e.id, name: e.name, datasetName: e.datasetName, createdAt: (e.createdAt ?? new Date(0)).toISOString(), metadata });
        }
        if (content.length < 100) return found;
      }
    },

    async createExperiment(name, dataset, metadata, id = generateId(), promptVersions = []) {
      const links = promptVersions.length ? { promptVersions: promptVersions.map((versionId) => ({ id: versionId })) } : {};
      try {
        await call(`experiment create "${name}"`, () =>
          api.experiments.createExperiment(
            { id, name, datasetName: dataset.name, projectName, metadata, type: "regular", evaluationMethod: "dataset", ...links },
            REQUEST_OPTIONS,
          ),
        );
      } catch (error) {
        if (!(error instanceof OpikError && error.status === 409)) throw error;
        // The id is ours alone: an experiment under it is this call's earlier attempt, if its name matches.
        const existing = await call(`experiment read-back "${name}"`, () => api.experiments.getExperimentById(id, REQUEST_OPTIONS));
        if (existing.name !== name) throw new AlreadyExistsError("experiment", name, error);
      }
      return { id, name };
    },

    async recordPromptVersion(name, template, metadata) {
      const record = (version: { id?: string; promptId?: string; commit?: string }, reused: boolean): PromptVersionRecord => {
        if (!version.id || !version.promptId || !version.commit)
          throw new OpikError(`prompt version "${name}"`, new Error("the answer lacks the version id, prompt id or commit"));
        return {
          promptName: name,
          promptId: version.promptId,
          versionId: version.id,
          commit: version.commit,
          reused,
          url: `${uiBase}/${encodeURIComponent(connection.workspace)}/prompts/${version.promptId}`,
        };
      };
      const latest = await call(`prompt lookup "${name}"`, () => absentOn404(() => api.prompts.retrievePromptVersion({ name, projectName }, REQUEST_OPTIONS)));
      // The SDK's createPrompt also compares metadata; ours carries the commit SHA, which changes on every push.
      if (latest && latest.template === template && (latest.type ?? PROMPT_TYPE) === PROMPT_TYPE) return record(latest, true);
      const id = generateId();
      const commit = templateCommit(template);
      const create = () =>
        call(`prompt version create "${name}"`, () =>
          api.prompts.createPromptVersion({ name, projectName, version: { id, commit, template, metadata, type: PROMPT_TYPE } }, REQUEST_OPTIONS),
        );
      // The commit already the prompt's: this call's earlier attempt whose answer was lost, a run that recorded the
      // same template at the same time, or an earlier version the template went back to. All are this template.
      const recorded = async (conflict: unknown): Promise<PromptVersionRecord | undefined> => {
        const existing = await call(`prompt version read-back "${name}"`, () =>
          absentOn404(() => api.prompts.retrievePromptVersion({ name, commit, projectName }, REQUEST_OPTIONS)),
        );
        if (!existing) return undefined;
        if (existing.template !== template) {
          throw new OpikError(`prompt version create "${name}"`, new Error(`its version ${commit} holds another template`, { cause: conflict }));
        }
        return record(existing, existing.id !== id);
      };
      for (let attempt = 1; ; attempt += 1) {
        try {
          return record(await create(), false);
        } catch (error) {
          if (!(error instanceof OpikError && error.status === 409)) throw error;
          const found = await recorded(error);
          if (found) return found;
          // No version has the commit: the conflict was over the prompt itself, which a run with another template
          // created at the same time. It exists now, so a second create adds this version to it.
          if (attempt === 2) throw error;
        }
      }
    },

    async listExperimentItems(experiment) {
      const items = [];
      const stream = pagedStream(
        call,
        `experiment items of "${experiment.name}"`,
        (lastRetrievedId, limit) =>
          api.experiments.streamExperimentItems(
            { experimentName: experiment.name, projectName: evaluationProject, limit, truncate: true, ...(lastRetrievedId ? { lastRetrievedId } : {}) },
            REQUEST_OPTIONS,
          ),
        toExperimentItemRecord,
      );
      // Opik streams by name, and names are not unique across projects: keep this experiment's rows only.
      for await (const item of stream) if (item.experimentId === experiment.id) items.push(item);
      return items;
    },

    async readTestSuite(name) {
      const found = await call(`test suite lookup "${name}"`, () =>
        absentOn404(() => api.datasets.getDatasetByIdentifier({ datasetName: name, projectName }, REQUEST_OPTIONS)),
      );
      if (!found?.id) return undefined;
      const dataset = datasetRecord(found);
      const versions = await call(`versions of "${name}"`, () => api.datasets.listDatasetVersions(dataset.id, { page: 1, size: 1 }, REQUEST_OPTIONS));
      const latest = versions.content?.[0];
      const items: TestSuiteItemRecord[] = [];
      const stream = pagedStream(
        call,
        `test suite items of "${name}"`,
        (lastRetrievedId, limit) =>
          api.datasets.streamDatasetItems(
            { datasetName: name, projectName, steamLimit: limit, ...(lastRetrievedId ? { lastRetrievedId } : {}) },
            REQUEST_OPTIONS,
          ),
        toSuiteItemRecord,
      );
      for await (const item of stream) items.push(item);
      const policy = latest?.executionPolicy;
      return {
        dataset,
        type: found.type ?? "dataset",
        ...(latest?.id
          ? {
              version: {
                id: latest.id,
                ...(latest.versionName ? { name: latest.versionName } : {}),
                evaluators: toSuiteEvaluators(latest.evaluators),
                ...(policy
                  ? {
                      executionPolicy: {
                        ...(policy.runsPerItem !== undefined ? { runsPerItem: policy.runsPerItem } : {}),
                        ...(policy.passThreshold !== undefined ? { passThreshold: policy.passThreshold } : {}),
                      },
                    }
                  : {}),
              },
            }
          : {}),
        items,
      };
    },

    async createSuiteExperiment(name, suite, metadata, options) {
      const links = options.promptVersions?.length ? { promptVersions: options.promptVersions.map((versionId) => ({ id: versionId })) } : {};
      try {
        await call(`suite experiment create "${name}"`, () =>
          api.experiments.createExperiment(
            {
              id: options.id,
              name,
              datasetName: suite.name,
              projectName,
              metadata,
              type: "regular",
              evaluationMethod: "evaluation_suite",
              ...(options.datasetVersionId ? { datasetVersionId: options.datasetVersionId } : {}),
              ...links,
            },
            REQUEST_OPTIONS,
          ),
        );
      } catch (error) {
        if (!(error instanceof OpikError && error.status === 409)) throw error;
        const existing = await call(`experiment read-back "${name}"`, () => api.experiments.getExperimentById(options.id, REQUEST_OPTIONS));
        if (existing.name !== name) throw new AlreadyExistsError("experiment", name, error);
      }
      return { id: options.id, name };
    },

    async writeEvaluations(experiment, records: readonly EvaluationRecord[]) {
      // Experiment items first: once one exists, a rerun finds its trace id and
      // rewrites that trace and its scores (both upserts) instead of adding new ones.
      for (const batch of writeBatches(records, { maxCount: OPIK_LIMITS.experimentItemBatch, maxBytes: Number.POSITIVE_INFINITY }, () => 0)) {
        const experimentItems = batch.map((r) => ({
          id: r.experimentItemId,
          experimentId: experiment.id,
          datasetItemId: r.datasetItemId,
          traceId: r.traceId,
          projectName: evaluationProject,
        }));
        for (const itemBatch of writeBatches(experimentItems, batchLimits(OPIK_LIMITS.experimentItemBatch))) {
          await call("experiment items write", () => api.experiments.createExperimentItems({ experimentItems: itemBatch }, REQUEST_OPTIONS));
        }
        const traces = batch.map((r) => ({
          id: r.traceId,
          projectName: evaluationProject,
          name: EVALUATION_TRACE_NAME,
          startTime: r.startTime,
          endTime: r.endTime,
          input: r.input as Record<string, unknown>,
          output: r.output,
          source: "experiment" as const,
          ...(r.error ? { errorInfo: { exceptionType: r.error.exceptionType, message: r.error.message, traceback: r.error.traceback } } : {}),
        }));
        for (const traceBatch of writeBatches(traces, batchLimits(OPIK_LIMITS.experimentItemBatch))) {
          await call("evaluation traces write", () => api.traces.createTraces({ traces: traceBatch }, REQUEST_OPTIONS));
        }
        // After their traces, before the scores: an item with scores has its spans, and a rerun rewrites the same ids.
        const spans = batch.flatMap((r) => (r.spans ?? []).map((span) => toSpanWrite(span, r.traceId, evaluationProject)));
        for (const spanBatch of writeBatches(spans, batchLimits(OPIK_LIMITS.spanBatch))) {
          await call("evaluation spans write", () => api.spans.createSpans({ spans: spanBatch }, REQUEST_OPTIONS));
        }
        const scores = batch.flatMap((r) =>
          r.scores.map((s) => ({
            id: r.traceId,
            name: s.name,
            value: s.value,
            source: "sdk" as const,
            projectName: evaluationProject,
            ...(s.reason ? { reason: s.reason.slice(0, 10_000) } : {}),
            ...(s.categoryName ? { categoryName: s.categoryName } : {}),
          })),
        );
        for (const scoreBatch of writeBatches(scores, batchLimits(OPIK_LIMITS.scoreBatch))) {
          await call("experiment scores write", () => api.traces.scoreBatchOfTraces({ scores: scoreBatch }, REQUEST_OPTIONS));
        }
        await writeAssertionResults(batch.flatMap((r) => (r.assertions ?? []).map((a) => ({ traceId: r.traceId, ...a }))));
      }
    },

    async findExperimentsPage(nameContains, page, size) {
      const id = await projectId();
      if (!id) return [];
      // Opik lists experiments newest first unless told otherwise; the sort is asked for anyway, as its UI does.
      const sorting = JSON.stringify([{ field: "created_at", direction: "DESC" }]);
      const result = await call(`experiments named like "${nameContains}"`, () =>
        api.experiments.findExperiments({ name: nameContains, projectId: id, page, size, sorting }, REQUEST_OPTIONS),
      );
      return (result.content ?? []).flatMap((e) => toExperimentAggregate(e) ?? []);
    },

    addExperimentMetadata: experimentMetadataWriter(call, api, REQUEST_OPTIONS),

    compareUrl(dataset, experimentIds) {
      const ids = encodeURIComponent(JSON.stringify(experimentIds));
      return `${uiBase}/${encodeURIComponent(connection.workspace)}/experiments/${dataset.id}/compare?experiments=${ids}`;
    },

    experimentUrl(experiment, dataset) {
      // The same redirect the SDK prints after evaluate(): the UI resolves workspace and project itself.
      const path = Buffer.from(connection.url).toString("base64");
      return `${uiBase}/api/v1/session/redirect/experiments/?experiment_id=${experiment.id}&dataset_id=${dataset.id}&path=${encodeURIComponent(path)}`;
    },
  };
}
