import { randomUUID } from "node:crypto";
import { AlreadyExistsError } from "../../src/errors.js";
import type {
  EvaluationRecord,
  EvaluationSpan,
  ExperimentAggregate,
  NewDatasetItem,
  NewSuiteItem,
  OpikGateway,
  PromptVersionRecord,
  SpanPayloadField,
  SpanScore,
  TestSuiteRecord,
  TestSuiteSettings,
} from "../../src/opik/opik-gateway.js";
import type {
  DatasetItemRecord,
  DatasetRecord,
  ExperimentItemRecord,
  ExperimentRecord,
  ExperimentSummary,
  NamedExperiment,
  OpikFilter,
  SpanRecord,
  TraceRecord,
} from "../../src/types.js";

interface StoredExperiment {
  summary: ExperimentSummary;
  datasetId: string;
  items: Map<string, ExperimentItemRecord>;
  promptVersions: string[];
  /** Set by a test: the list reports no score averages for it, as Opik does for an experiment it has not aggregated. */
  withoutAggregates?: boolean;
}

/** The span filters the pipeline sends; any other is a drift the fake should fail on, not ignore. */
function matches(span: SpanRecord, filter: OpikFilter): boolean {
  if (filter.field === "name" && filter.operator === "=") return span.name === filter.value;
  if (filter.field === "type" && filter.operator === "=") return span.type === filter.value;
  if (filter.field === "start_time" && filter.operator === ">=") return Date.parse(span.startTime) >= Date.parse(filter.value);
  if (filter.field === "start_time" && filter.operator === "<") return Date.parse(span.startTime) < Date.parse(filter.value);
  if (filter.field === "feedback_scores" && filter.operator === "is_empty")
    return !span.feedbackScores.some((score) => score.name.toLowerCase() === filter.key?.toLowerCase());
  throw new Error(`fake Opik: unsupported span filter ${JSON.stringify(filter)}`);
}

/** A wire field's name as SpanRecord spells it. */
function camelCase(field: string): string {
  return field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Streams as the gateway does: nothing is read (and no failure thrown) until the caller iterates, then one item per tick. */
async function* stream<T>(read: () => readonly T[]): AsyncGenerator<T> {
  for (const item of read()) {
    await Promise.resolve();
    yield item;
  }
}

/**
 * An in-memory Opik for in-process tests of the core: one project's spans,
 * datasets with tags and items, experiments with their items. Every write is
 * kept, so a test reads back what a run left behind; `fail` makes the next
 * calls of one method throw, as a refused write would.
 */
export class FakeOpikGateway implements OpikGateway {
  readonly projectName: string;
  readonly spans: SpanRecord[] = [];
  readonly datasets = new Map<string, { record: DatasetRecord; items: Map<string, DatasetItemRecord> }>();
  readonly experiments = new Map<string, StoredExperiment>();
  /** Spans of evaluation traces, by id: a rewrite under the same id replaces, as Opik's upsert does. */
  readonly evaluationSpans = new Map<string, EvaluationSpan & { traceId: string }>();
  /** How many records each writeEvaluations call carried, in order. */
  readonly evaluationWrites: number[] = [];
  /** Each prompt's versions, oldest first. */
  readonly prompts = new Map<string, Array<PromptVersionRecord & { template: string; metadata: Record<string, unknown> }>>();
  /** The settings of each test suite promotion wrote (a dataset in `datasets` too), by suite name; `versions` counts item writes. */
  readonly promotionSuites = new Map<string, { settings: TestSuiteSettings; versions: number }>();
  /** Test suites by name; their datasets are in `datasets` too, so experiments can run on them. */
  readonly suites = new Map<string, TestSuiteRecord>();
  /** How each suite experiment was created: its suite version and evaluation method. */
  readonly suiteExperiments = new Map<string, { datasetVersionId?: string; evaluationMethod: "evaluation_suite" }>();
  private readonly failing = new Map<keyof OpikGateway, string>();
  /** Every findExperimentsPage call, in order, so tests see how far a reader paged. */
  readonly experimentPageReads: Array<{ nameContains: string; page: number; size: number }> = [];

  constructor(projectName = "charters-app") {
    this.projectName = projectName;
  }

  /** Every later call of `method` throws `message`. */
  fail(method: keyof OpikGateway, message: string): void {
    this.failing.set(method, message);
  }

  private check(method: keyof OpikGateway): void {
    const message = this.failing.get(method);
    if (message) throw new Error(message);
  }

  private dataset(record: DatasetRecord): { record: DatasetRecord; items: Map<string, DatasetItemRecord> } {
    const stored = [...this.datasets.values()].find((d) => d.record.id === record.id);
    if (!stored) throw new Error(`fake Opik: no dataset ${record.name}`);
    return stored;
  }

  private experiment(record: ExperimentRecord): StoredExperiment {
    const stored = this.experiments.get(record.id);
    if (!stored) throw new Error(`fake Opik: no experiment ${record.name}`);
    return stored;
  }

  searchTraces(): AsyncIterable<TraceRecord> {
    // A project without traces: the tests leave cleanup to the end-to-end tests.
    return stream(() => {
      this.check("searchTraces");
      return [];
    });
  }

  countTraces(): Promise<number> {
    this.check("countTraces");
    return Promise.resolve(0);
  }

  deleteTraces(): Promise<void> {
    this.check("deleteTraces");
    return Promise.resolve();
  }

  /** Every searchSpans call's exclude list, in order ([] for a full-payload search). */
  readonly spanSearches: string[][] = [];

  searchSpans(filters: OpikFilter[], options?: { exclude?: SpanPayloadField[] }): AsyncIterable<SpanRecord> {
    return stream(() => {
      this.check("searchSpans");
      this.spanSearches.push([...(options?.exclude ?? [])]);
      return this.spans
        .filter((s) => filters.every((filter) => matches(s, filter)))
        .map((span) => {
          const copy = structuredClone(span);
          for (const field of options?.exclude ?? []) delete (copy as unknown as Record<string, unknown>)[camelCase(field)];
          return copy;
        });
    });
  }

  countSpans(filters: OpikFilter[]): Promise<number> {
    this.check("countSpans");
    return Promise.resolve(this.spans.filter((s) => filters.every((filter) => matches(s, filter))).length);
  }

  listTraceSpans(traceId: string): Promise<SpanRecord[]> {
    this.check("listTraceSpans");
    return Promise.resolve(this.spans.filter((span) => span.traceId === traceId).map((span) => structuredClone(span)));
  }

  projectExists(): Promise<boolean> {
    this.check("projectExists");
    return Promise.resolve(true);
  }

  findDatasets(namePrefix: string): Promise<DatasetRecord[]> {
    this.check("findDatasets");
    return Promise.resolve([...this.datasets.values()].filter((d) => d.record.name.startsWith(namePrefix)).map((d) => structuredClone(d.record)));
  }

  findDataset(name: string): Promise<DatasetRecord | undefined> {
    this.check("findDataset");
    const stored = this.datasets.get(name);
    return Promise.resolve(stored ? structuredClone(stored.record) : undefined);
  }

  listExperiments(dataset: DatasetRecord): Promise<ExperimentSummary[]> {
    this.check("listExperiments");
    return Promise.resolve([...this.experiments.values()].filter((e) => e.datasetId === dataset.id).map((e) => structuredClone(e.summary)));
  }

  createDataset(name: string, description: string, tags: string[]): Promise<DatasetRecord> {
    this.check("createDataset");
    if (this.datasets.has(name)) return Promise.reject(new AlreadyExistsError("dataset", name));
    const record: DatasetRecord = { id: randomUUID(), name, description, tags: [...tags], createdAt: new Date().toISOString() };
    this.datasets.set(name, { record, items: new Map() });
    return Promise.resolve(structuredClone(record));
  }

  deleteDataset(dataset: DatasetRecord): Promise<void> {
    this.check("deleteDataset");
    this.datasets.delete(this.dataset(dataset).record.name);
    return Promise.resolve();
  }

  setDatasetTags(dataset: DatasetRecord, tags: string[]): Promise<void> {
    this.check("setDatasetTags");
    this.dataset(dataset).record.tags = [...tags];
    return Promise.resolve();
  }

  listDatasetItems(dataset: DatasetRecord): Promise<DatasetItemRecord[]> {
    this.check("listDatasetItems");
    return Promise.resolve([...this.dataset(dataset).items.values()].map((item) => structuredClone(item)));
  }

  getDatasetItem(id: string): Promise<DatasetItemRecord | undefined> {
    this.check("getDatasetItem");
    for (const dataset of this.datasets.values()) {
      const item = dataset.items.get(id);
      if (item) return Promise.resolve(structuredClone(item));
    }
    return Promise.resolve(undefined);
  }

  insertDatasetItems(dataset: DatasetRecord, items: readonly NewDatasetItem[]): Promise<void> {
    this.check("insertDatasetItems");
    const stored = this.dataset(dataset);
    for (const item of items)
      stored.items.set(item.id, {
        id: item.id,
        spanId: item.spanId,
        traceId: item.traceId,
        data: structuredClone(item.data) as unknown as Record<string, unknown>,
      });
    return Promise.resolve();
  }

  scoreSpans(scores: readonly SpanScore[]): Promise<void> {
    this.check("scoreSpans");
    for (const score of scores) {
      const span = this.spans.find((s) => s.id === score.spanId);
      if (!span) throw new Error(`fake Opik: no span ${score.spanId}`);
      span.feedbackScores = [
        ...span.feedbackScores.filter((s) => s.name !== score.name),
        { name: score.name, value: score.value, ...(score.reason ? { reason: score.reason } : {}) },
      ];
    }
    return Promise.resolve();
  }

  findExperiment(name: string, dataset: DatasetRecord): Promise<ExperimentRecord | undefined> {
    this.check("findExperiment");
    const found = [...this.experiments.values()].find((e) => e.summary.name === name && e.datasetId === dataset.id);
    return Promise.resolve(found ? { id: found.summary.id, name: found.summary.name } : undefined);
  }

  findExperimentsByName(name: string): Promise<NamedExperiment[]> {
    this.check("findExperimentsByName");
    const datasetName = (id: string): string => [...this.datasets.values()].find((d) => d.record.id === id)?.record.name ?? "";
    return Promise.resolve(
      [...this.experiments.values()]
        .filter((e) => e.summary.name === name)
        .map((e) => ({ ...structuredClone(e.summary), datasetName: datasetName(e.datasetId) })),
    );
  }

  createExperiment(
    name: string,
    dataset: DatasetRecord,
    metadata: Record<string, unknown>,
    id?: string,
    promptVersions: readonly string[] = [],
  ): Promise<ExperimentRecord> {
    this.check("createExperiment");
    const experimentId = id ?? randomUUID();
    if (this.experiments.has(experimentId)) return Promise.reject(new AlreadyExistsError("experiment", name));
    this.experiments.set(experimentId, {
      summary: { id: experimentId, name, createdAt: new Date().toISOString(), metadata: structuredClone(metadata) },
      datasetId: this.dataset(dataset).record.id,
      items: new Map(),
      promptVersions: [...promptVersions],
    });
    return Promise.resolve({ id: experimentId, name });
  }

  /** Adds a suite as a test would create it in Opik. */
  addTestSuite(suite: TestSuiteRecord): void {
    this.suites.set(suite.dataset.name, structuredClone(suite));
    this.datasets.set(suite.dataset.name, {
      record: structuredClone(suite.dataset),
      items: new Map(suite.items.map((i) => [i.id, { id: i.id, data: i.data }])),
    });
  }

  readTestSuite(name: string): Promise<TestSuiteRecord | undefined> {
    this.check("readTestSuite");
    const suite = this.suites.get(name);
    return Promise.resolve(suite ? structuredClone(suite) : undefined);
  }

  async createSuiteExperiment(
    name: string,
    suite: DatasetRecord,
    metadata: Record<string, unknown>,
    options: { id: string; datasetVersionId?: string; promptVersions?: readonly string[] },
  ): Promise<ExperimentRecord> {
    this.check("createSuiteExperiment");
    const existing = this.experiments.get(options.id);
    if (existing) {
      if (existing.summary.name !== name) throw new AlreadyExistsError("experiment", name);
      return { id: options.id, name };
    }
    const created = await this.createExperiment(name, suite, metadata, options.id, options.promptVersions);
    this.suiteExperiments.set(options.id, {
      evaluationMethod: "evaluation_suite",
      ...(options.datasetVersionId ? { datasetVersionId: options.datasetVersionId } : {}),
    });
    return created;
  }

  recordPromptVersion(name: string, template: string, metadata: Record<string, unknown>): Promise<PromptVersionRecord> {
    this.check("recordPromptVersion");
    const versions = this.prompts.get(name) ?? [];
    this.prompts.set(name, versions);
    const latest = versions.at(-1);
    if (latest?.template === template) return Promise.resolve({ ...latest, reused: true });
    const versionId = randomUUID();
    const version = {
      promptName: name,
      promptId: latest?.promptId ?? randomUUID(),
      versionId,
      commit: versionId.slice(-8),
      reused: false,
      url: `fake:prompt/${name}`,
    };
    versions.push({ ...version, template, metadata: structuredClone(metadata) });
    return Promise.resolve(version);
  }

  listExperimentItems(experiment: ExperimentRecord): Promise<ExperimentItemRecord[]> {
    this.check("listExperimentItems");
    return Promise.resolve([...this.experiment(experiment).items.values()].map((item) => structuredClone(item)));
  }

  writeEvaluations(experiment: ExperimentRecord, records: readonly EvaluationRecord[]): Promise<void> {
    this.check("writeEvaluations");
    this.evaluationWrites.push(records.length);
    const stored = this.experiment(experiment);
    for (const record of records) {
      stored.items.set(record.experimentItemId, {
        id: record.experimentItemId,
        experimentId: experiment.id,
        datasetItemId: record.datasetItemId,
        traceId: record.traceId,
        feedbackScores: structuredClone(record.scores),
        ...(record.assertions?.length ? { assertionResults: structuredClone(record.assertions) } : {}),
        input: structuredClone(record.input),
        output: structuredClone(record.output),
      });
      for (const span of record.spans ?? []) this.evaluationSpans.set(span.id, { ...structuredClone(span), traceId: record.traceId });
    }
    return Promise.resolve();
  }

  findExperimentsPage(nameContains: string, page: number, size: number): Promise<ExperimentAggregate[]> {
    this.check("findExperimentsPage");
    this.experimentPageReads.push({ nameContains, page, size });
    const newestFirst = [...this.experiments.values()]
      .filter((e) => e.summary.name.toLowerCase().includes(nameContains.toLowerCase()))
      .sort((a, b) => b.summary.createdAt.localeCompare(a.summary.createdAt));
    return Promise.resolve(newestFirst.slice((page - 1) * size, page * size).map((e) => this.aggregate(e)));
  }

  /** What Opik's list computes: the mean of each score over the experiment's items. */
  private aggregate(e: StoredExperiment): ExperimentAggregate {
    const sums = new Map<string, { total: number; count: number }>();
    for (const item of e.items.values()) {
      for (const score of item.feedbackScores) {
        const entry = sums.get(score.name) ?? { total: 0, count: 0 };
        sums.set(score.name, { total: entry.total + score.value, count: entry.count + 1 });
      }
    }
    const dataset = [...this.datasets.values()].find((d) => d.record.id === e.datasetId);
    return {
      id: e.summary.id,
      name: e.summary.name,
      datasetId: e.datasetId,
      datasetName: dataset?.record.name ?? "",
      createdAt: e.summary.createdAt,
      metadata: structuredClone(e.summary.metadata),
      feedbackScores: e.withoutAggregates ? [] : [...sums].map(([name, { total, count }]) => ({ name, mean: total / count })),
      traceCount: e.items.size,
    };
  }

  addExperimentMetadata(experiment: ExperimentRecord, entries: Record<string, unknown>): Promise<void> {
    this.check("addExperimentMetadata");
    const stored = this.experiment(experiment);
    stored.summary.metadata = { ...stored.summary.metadata, ...structuredClone(entries) };
    return Promise.resolve();
  }

  newId(): string {
    return randomUUID();
  }

  ensureTestSuite(
    name: string,
    description: string,
    settings: TestSuiteSettings,
  ): Promise<{ suite: DatasetRecord; created: boolean; settings: TestSuiteSettings }> {
    this.check("ensureTestSuite");
    const existing = this.datasets.get(name);
    if (existing) {
      const suite = this.promotionSuites.get(name);
      if (!suite) return Promise.reject(new Error(`fake Opik: dataset "${name}" is not a test suite`));
      return Promise.resolve({ suite: structuredClone(existing.record), created: false, settings: structuredClone(suite.settings) });
    }
    const record: DatasetRecord = { id: randomUUID(), name, description, tags: [], createdAt: new Date().toISOString() };
    this.datasets.set(name, { record, items: new Map() });
    this.promotionSuites.set(name, { settings: structuredClone(settings), versions: 1 });
    return Promise.resolve({ suite: structuredClone(record), created: true, settings: structuredClone(settings) });
  }

  testSuiteSourceSpans(suite: DatasetRecord): Promise<string[]> {
    this.check("testSuiteSourceSpans");
    // The fake keeps no versions: what a suite holds is all it has held.
    const items = [...this.dataset(suite).items.values()];
    return Promise.resolve(items.flatMap((item) => [item.data.source_span_id, item.spanId].filter((id): id is string => typeof id === "string")));
  }

  insertTestSuiteItems(suite: DatasetRecord, items: readonly NewSuiteItem[]): Promise<void> {
    this.check("insertTestSuiteItems");
    const stored = this.dataset(suite);
    for (const item of items) stored.items.set(item.id, { id: item.id, spanId: item.spanId, traceId: item.traceId, data: structuredClone(item.data) });
    const versions = this.promotionSuites.get(suite.name);
    if (versions) versions.versions += 1;
    return Promise.resolve();
  }

  datasetUrl(dataset: DatasetRecord): string {
    return `http://opik.test/datasets/${dataset.id}`;
  }

  traceUrl(traceId: string): string {
    return `http://opik.test/traces/${traceId}`;
  }

  experimentUrl(experiment: ExperimentRecord, dataset: DatasetRecord): string {
    return `http://opik.test/experiments/${dataset.id}/compare?experiments=${experiment.id}`;
  }

  compareUrl(dataset: DatasetRecord, experimentIds: readonly string[]): string {
    return `http://opik.test/experiments/${dataset.id}/compare?experiments=${experimentIds.join(",")}`;
  }
}
