import type { Opik } from "opik";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpikServer } from "../src/index.js";
import { call, expectSdkFailure, readNdjsonStream, sdkClient, startTestServer, uuid7, watchSdkErrors } from "./helpers.js";

const PROJECT = "datasets";

describe("opik server: datasets and dataset items", () => {
  let server: OpikServer;
  let client: Opik;

  beforeAll(async () => {
    server = await startTestServer();
    client = sdkClient(server, PROJECT);
  });

  afterAll(async () => {
    await server.close();
  });

  it("creates with 201 + Location, refuses a duplicate name in the project with 409, retrieves by name", async () => {
    const created = await call(server, "POST", "/v1/private/datasets", { name: "golden", description: "from spans", project_name: PROJECT });
    expect(created.status).toBe(201);
    expect(created.text).toBe("");
    const id = created.headers.get("location")?.split("/").at(-1) ?? "";
    expect(created.headers.get("location")).toBe(`${server.url}/v1/private/datasets/${id}`);

    const duplicate = await expectSdkFailure(client.api.datasets.createDataset({ name: "GOLDEN", projectName: PROJECT }));
    expect(duplicate).toEqual({ statusCode: 409, body: { errors: ["Dataset already exists"] } });
    // The same name in another project is a different dataset.
    await client.api.datasets.createDataset({ name: "golden", projectName: "other-project" });

    const dataset = await client.api.datasets.getDatasetByIdentifier({ datasetName: "golden", projectName: PROJECT });
    expect(dataset).toMatchObject({ id, name: "golden", description: "from spans", datasetItemsCount: 0, experimentCount: 0, visibility: "private" });
    expect(dataset.createdAt).toBeInstanceOf(Date);
    expect((await client.api.datasets.getDatasetById(id)).name).toBe("golden");

    const missing = await expectSdkFailure(client.api.datasets.getDatasetByIdentifier({ datasetName: "nope", projectName: PROJECT }));
    expect(missing).toEqual({ statusCode: 404, body: { errors: ["Dataset not found"] } });
    await expect(client.getDataset("nope", PROJECT)).rejects.toMatchObject({ name: "DatasetNotFoundError" });
    expect((await call(server, "POST", "/v1/private/datasets", { name: "  " })).json).toEqual({ errors: ["name must not be blank"] });
  });

  it("upserts items by id, streams them newest first in pages and counts them", async () => {
    const errors = watchSdkErrors();
    await client.api.datasets.createDataset({ name: "items", projectName: PROJECT });
    const dataset = await client.api.datasets.getDatasetByIdentifier({ datasetName: "items", projectName: PROJECT });
    const datasetId = dataset.id ?? "";
    const ids = [uuid7(), uuid7(), uuid7()];
    const spanId = uuid7();
    await client.api.datasets.createOrUpdateDatasetItems({
      datasetId,
      items: ids.map((id, n) => ({ id, source: "span" as const, spanId, traceId: uuid7(), data: { input: `q${n}`, expected_output: `a${n}` } })),
    });
    await client.api.datasets.createOrUpdateDatasetItems({
      datasetName: "items",
      projectName: PROJECT,
      items: [{ id: ids[1] ?? "", source: "manual", data: { input: "edited" } }],
    });
    expect(server.store.itemsOfDataset(datasetId)).toHaveLength(3);
    expect(server.store.datasetItems.get(ids[1] ?? "")).toMatchObject({ source: "manual", data: { input: "edited" } });
    expect((await client.api.datasets.getDatasetById(datasetId)).datasetItemsCount).toBe(3);

    const first = await readNdjsonStream(await client.api.datasets.streamDatasetItems({ datasetName: "items", projectName: PROJECT, steamLimit: 2 }));
    expect(first.map((row) => row.id)).toEqual([ids[2], ids[1]]);
    const rest = await readNdjsonStream(
      await client.api.datasets.streamDatasetItems({ datasetName: "items", projectName: PROJECT, steamLimit: 2, lastRetrievedId: String(first.at(-1)?.id) }),
    );
    expect(rest.map((row) => row.id)).toEqual([ids[0]]);
    expect(rest[0]).toMatchObject({ source: "span", span_id: spanId, dataset_id: datasetId, data: { input: "q0", expected_output: "a0" } });
    const request = server.requests.filter((r) => r.path === "/v1/private/datasets/items/stream").at(-1);
    expect(request?.body).toMatchObject({ dataset_name: "items", project_name: PROJECT, steam_limit: 2 });

    const page = await client.api.datasets.getDatasetItems(datasetId, { page: 1, size: 2 });
    expect(page).toMatchObject({ page: 1, size: 2, total: 3 });
    expect(page.columns?.map((c) => c.name)).toEqual(["expected_output", "input"]);

    const badItem = await call(server, "PUT", "/v1/private/datasets/items", { dataset_id: datasetId, items: [{ data: { a: 1 } }] });
    expect(badItem.json).toEqual({ errors: ["items[0].source must not be null"] });
    // An unknown dataset (or version) ends the stream before its first row: an empty 200, not a 404.
    expect(await call(server, "POST", "/v1/private/datasets/items/stream", { dataset_name: "ghost" })).toMatchObject({ status: 200, text: "" });
    expect(
      await call(server, "POST", "/v1/private/datasets/items/stream", { dataset_name: "items", project_name: PROJECT, dataset_version: "v99" }),
    ).toMatchObject({ status: 200, text: "" });
    expect((await call(server, "POST", "/v1/private/datasets/items/stream", { dataset_name: " " })).json).toEqual({
      errors: ["datasetName must not be blank"],
    });
    expect((await call(server, "POST", "/v1/private/datasets/items/stream", { dataset_name: "items", steam_limit: 2001 })).status).toBe(422);
    expect(errors.messages()).toEqual([]);
  });

  it("serves the SDK's Dataset.insert (de-duplicated, one version per insert) and getItems", async () => {
    const errors = watchSdkErrors();
    const dataset = await client.getOrCreateDataset("sdk-dataset", "made by the SDK", PROJECT);
    await dataset.insert([
      { input: "a", expected_output: "b" },
      { input: "a", expected_output: "b" },
      { input: "c", expected_output: "d", spanId: uuid7(), traceId: uuid7(), source: "span" as const },
    ]);
    await dataset.insert([{ input: "e" }, { input: "a", expected_output: "b" }]);
    const items = await dataset.getItems();
    expect(items).toHaveLength(3);
    expect(items.map((item) => item.input).sort()).toEqual(["a", "c", "e"]);
    expect(items.every((item) => typeof item.id === "string")).toBe(true);

    const fetched = await client.getDataset("sdk-dataset", PROJECT);
    expect(fetched.id).toBe(dataset.id);
    expect(await fetched.getItemsCount()).toBe(3);
    const versions = await client.api.datasets.listDatasetVersions(dataset.id, { page: 1, size: 10 });
    expect(versions.content?.map((v) => [v.versionName, v.itemsTotal, v.itemsAdded, v.isLatest])).toEqual([
      ["v2", 3, 1, true],
      ["v1", 2, 2, false],
    ]);
    const v1 = await fetched.getVersionView("v1");
    expect((await v1.getItems()).map((item) => item.input).sort()).toEqual(["a", "c"]);
    expect(errors.messages()).toEqual([]);
  });

  it("lists datasets newest first with a name filter, updates, deletes", async () => {
    const page = await client.api.datasets.findDatasets({ name: "GOLD", page: 1, size: 10 });
    expect(page.content?.map((d) => d.name)).toEqual(["golden", "golden"]);
    const all = await client.api.datasets.findDatasets({ size: 100 });
    // Newest first means by descending UUIDv7 id, i.e. by creation order.
    const ids = all.content?.map((d) => d.id ?? "") ?? [];
    expect(ids).toHaveLength(4);
    expect([...ids].sort().reverse()).toEqual(ids);

    const itemsId = (await client.api.datasets.getDatasetByIdentifier({ datasetName: "items", projectName: PROJECT })).id ?? "";
    await client.api.datasets.updateDataset(itemsId, { name: "items-renamed", tags: ["pending"], description: "d" });
    expect(await client.api.datasets.getDatasetById(itemsId)).toMatchObject({ name: "items-renamed", tags: ["pending"], description: "d" });
    const clash = await expectSdkFailure(client.api.datasets.updateDataset(itemsId, { name: "sdk-dataset" }));
    expect(clash.statusCode).toBe(409);

    const itemIds = server.store.itemsOfDataset(itemsId).map((item) => item.id);
    await client.api.datasets.deleteDatasetItems({ itemIds: [itemIds[0] ?? ""] });
    expect(server.store.itemsOfDataset(itemsId)).toHaveLength(2);

    await client.api.datasets.deleteDatasetByName({ datasetName: "items-renamed", projectName: PROJECT });
    expect((await expectSdkFailure(client.api.datasets.getDatasetById(itemsId))).statusCode).toBe(404);
    expect((await expectSdkFailure(client.api.datasets.deleteDatasetByName({ datasetName: "items-renamed" }))).statusCode).toBe(404);
  });
  it("versions items writes: without batch_group_id a write mutates the latest version, with one it opens a new version", async () => {
    await client.api.datasets.createDataset({ name: "versioned", projectName: PROJECT });
    const { id } = await client.api.datasets.getDatasetByIdentifier({ datasetName: "versioned", projectName: PROJECT });
    const datasetId = id ?? "";
    const write = (batchGroupId?: string) =>
      client.api.datasets.createOrUpdateDatasetItems({
        datasetId,
        ...(batchGroupId ? { batchGroupId } : {}),
        items: [{ id: uuid7(), source: "manual", data: { n: 1 } }],
      });
    // What the action's chunked insert does: several writes, no batch group.
    await write();
    await write();
    await write();
    const versions = async () =>
      ((await client.api.datasets.listDatasetVersions(datasetId, { page: 1, size: 10 })).content ?? []).map((v) => [v.versionName, v.itemsTotal, v.itemsAdded]);
    expect(await versions()).toEqual([["v1", 3, 3]]);
    const group = uuid7();
    await write(group);
    await write(group);
    await write();
    expect(await versions()).toEqual([
      ["v2", 6, 3],
      ["v1", 3, 3],
    ]);
  });
});
