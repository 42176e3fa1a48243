import { generateId, type Opik } from "opik";
import { OPIK_LIMITS } from "../constants.js";
import { OpikError } from "../errors.js";
import type { DatasetRecord } from "../types.js";
import type { NewSuiteItem, OpikGateway, TestSuiteSettings } from "./opik-gateway.js";
import type { OpikCall } from "./span-count.js";
import { assertionEvaluators, assertionsOf } from "./suite-evaluators.js";
import { writeBatches } from "./write-batches.js";

type RequestOptions = Parameters<Opik["api"]["datasets"]["createDataset"]>[1];
type DatasetRow = Awaited<ReturnType<Opik["api"]["datasets"]["getDatasetByIdentifier"]>>;

/** Opik refuses a blank description and keeps at most 255 characters of one (Dataset_Write in its OpenAPI description). */
function describedAs(description: string): { description?: string } {
  const text = description.trim();
  return text ? { description: text.length > 255 ? `${text.slice(0, 254)}…` : text } : {};
}

/** The SDK's DEFAULT_EXECUTION_POLICY: what a suite without one runs. */
const DEFAULT_POLICY = { runsPerItem: 1, passThreshold: 1 } as const;

export interface TestSuiteDeps {
  api: Opik["api"];
  call: OpikCall;
  projectName: string;
  requestOptions: RequestOptions;
  toRecord(row: DatasetRow): DatasetRecord;
  maxBatchBytes: number;
}

/** The gateway's test suite methods, on the SDK's raw REST client, writing what the SDK's TestSuite writes. */
export function testSuiteOperations(deps: TestSuiteDeps): Pick<OpikGateway, "ensureTestSuite" | "insertTestSuiteItems"> {
  const { api, call, projectName, requestOptions } = deps;

  const lookup = (name: string): Promise<DatasetRow | undefined> =>
    call(`test suite lookup "${name}"`, async () => {
      try {
        return await api.datasets.getDatasetByIdentifier({ datasetName: name, projectName }, requestOptions);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
    });

  const latestVersion = async (suite: DatasetRecord) =>
    (await call(`versions of test suite "${suite.name}"`, () => api.datasets.listDatasetVersions(suite.id, { page: 1, size: 1 }, requestOptions))).content?.[0];

  const readSettings = async (suite: DatasetRecord): Promise<TestSuiteSettings> => {
    const version = await latestVersion(suite);
    return {
      assertions: assertionsOf(version?.evaluators),
      executionPolicy: {
        runsPerItem: version?.executionPolicy?.runsPerItem ?? DEFAULT_POLICY.runsPerItem,
        passThreshold: version?.executionPolicy?.passThreshold ?? DEFAULT_POLICY.passThreshold,
      },
    };
  };

  /** As TestSuite.create: the suite-level settings are the first version, a change set with no base. */
  const writeSettings = async (suite: DatasetRecord, settings: TestSuiteSettings): Promise<void> => {
    const body = {
      ...(settings.assertions.length ? { evaluators: assertionEvaluators(settings.assertions) } : {}),
      execution_policy: { runs_per_item: settings.executionPolicy.runsPerItem, pass_threshold: settings.executionPolicy.passThreshold },
    };
    try {
      await call(`test suite "${suite.name}" settings`, () => api.datasets.applyDatasetItemChanges(suite.id, { override: true, body }, requestOptions));
    } catch (error) {
      if (!(error instanceof OpikError && (error.status === 400 || error.status === 409))) throw error;
      // An overlapping run added items first, so the suite has a version: the settings go on top of it, as updateTestSettings does.
      const base = await latestVersion(suite);
      if (!base?.id) throw error;
      await call(`test suite "${suite.name}" settings`, () =>
        api.datasets.applyDatasetItemChanges(suite.id, { override: false, body: { base_version: base.id, ...body } }, requestOptions),
      );
    }
  };

  const asSuite = (name: string, row: DatasetRow): DatasetRecord => {
    if (row.type !== "evaluation_suite") {
      throw new Error(`dataset "${name}" of project ${projectName} is a plain dataset, not a test suite: name another suite in test_suite.name`);
    }
    return deps.toRecord(row);
  };

  return {
    async ensureTestSuite(name, description, settings) {
      const found = await lookup(name);
      if (found) {
        const suite = asSuite(name, found);
        return { suite, created: false, settings: await readSettings(suite) };
      }
      try {
        await call(`test suite create "${name}"`, () =>
          api.datasets.createDataset({ id: generateId(), name, ...describedAs(description), type: "evaluation_suite", projectName }, requestOptions),
        );
      } catch (error) {
        // Created meanwhile by an overlapping run (or by this create's first attempt): it is the suite either way.
        if (!(error instanceof OpikError && error.status === 409)) throw error;
        const existing = await lookup(name);
        if (!existing) throw error;
        const suite = asSuite(name, existing);
        return { suite, created: false, settings: await readSettings(suite) };
      }
      const created = await lookup(name);
      if (!created) throw new Error(`test suite "${name}" was created but cannot be read back`);
      const suite = asSuite(name, created);
      await writeSettings(suite, settings);
      const written = await readSettings(suite);
      if (JSON.stringify(written) !== JSON.stringify(settings)) {
        throw new Error(`test suite "${name}" reads back with other settings than written: ${JSON.stringify(written)} instead of ${JSON.stringify(settings)}`);
      }
      return { suite, created: true, settings: written };
    },

    async insertTestSuiteItems(suite, items: readonly NewSuiteItem[]) {
      // One batch group: however many requests it takes, the run's items are one new version of the suite.
      const batchGroupId = generateId();
      const wire = items.map((item) => ({
        id: item.id,
        source: "span" as const,
        spanId: item.spanId,
        traceId: item.traceId,
        data: item.data,
        description: item.description,
      }));
      for (const batch of writeBatches(wire, { maxCount: OPIK_LIMITS.datasetItemBatch, maxBytes: deps.maxBatchBytes })) {
        await call(`test suite items write to "${suite.name}"`, () =>
          api.datasets.createOrUpdateDatasetItems({ datasetId: suite.id, items: batch, batchGroupId, projectName }, requestOptions),
        );
      }
    },
  };
}
