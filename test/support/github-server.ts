import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { readBody } from "./loopback-http.js";

/**
 * A loopback GitHub REST API for issue comments, so the real Octokit client
 * (pagination, retries, throttling, error mapping) runs end to end. Every
 * response is checked against GitHub's OpenAPI description from
 * @octokit/openapi; mismatches are collected in `schemaViolations`.
 */

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization?: string;
}

export interface ServerUser {
  login: string;
  type: "User" | "Bot";
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  user: ServerUser;
  createdAt: string;
  updatedAt: string;
}

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "duplicate" | "reopened" | null;
  user: ServerUser;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export type Forbid = "none" | "writes" | "all";

export interface GitHubServer {
  /** The API base URL, as GITHUB_API_URL would hold it. */
  url: string;
  requests: RecordedRequest[];
  /** Responses that did not match GitHub's OpenAPI description; tests expect none. */
  schemaViolations: string[];
  comments(issue: number): StoredComment[];
  /** Issues (not pull requests) of the repository, oldest first. */
  issues(): StoredIssue[];
  /** Adds comments directly, as if written before the test. */
  seed(issue: number, comments: readonly { body: string; user?: ServerUser }[]): StoredComment[];
  /** Who the token is: a user answers GET /user; undefined answers 403 as GITHUB_TOKEN does. */
  setViewer(user: ServerUser | undefined): void;
  /** Answer 403 "Resource not accessible by integration", to writes (a read-only token) or to everything. */
  forbid(scope: Forbid): void;
  /** The next `count` requests fail with `status` (5xx to exercise retries). */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

export const OWNER = "octo-org";
export const REPO = "hello-world";
const REPOSITORY_ID = 1296269;
const GITHUB_ACTIONS_BOT: ServerUser = { login: "github-actions[bot]", type: "Bot" };

const FORBIDDEN_BODY = (documentation: string) => ({ message: "Resource not accessible by integration", documentation_url: documentation, status: "403" });
const NOT_FOUND_BODY = { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" };

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The OpenAPI path template and method the reply is checked against. */
  operation?: { path: string; method: "get" | "post" | "patch" };
  /** Sent this long after the request arrived, so concurrent clients interleave as they would against GitHub. */
  delayMs?: number;
}

export async function startGitHubServer(): Promise<GitHubServer> {
  const requests: RecordedRequest[] = [];
  const schemaViolations: string[] = [];
  const store: StoredComment[] = [];
  const issueStore: StoredIssue[] = [];
  // Issue numbers share GitHub's sequence with pull requests; tests' pull requests use small numbers.
  let nextIssueNumber = 500;
  let nextId = 1_000_001;
  let clock = Date.parse("2026-02-04T14:00:00Z");
  let viewer: ServerUser | undefined;
  let forbidden: Forbid = "none";
  const failures: number[] = [];
  let base = "";

  const now = (): string => {
    clock += 1000;
    return new Date(clock).toISOString().replace(/\.\d{3}Z$/, "Z");
  };
  const add = (issue: number, body: string, user: ServerUser): StoredComment => {
    const at = now();
    const comment = { id: nextId++, issue, body, user, createdAt: at, updatedAt: at };
    store.push(comment);
    return comment;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const parsedUrl = new URL(req.url ?? "/", base);
      const request: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: parsedUrl.pathname,
        query: parsedUrl.searchParams,
        body: raw ? parseJson(raw) : undefined,
        ...(typeof req.headers.authorization === "string" ? { authorization: req.headers.authorization } : {}),
      };
      requests.push(request);
      const reply = route(request);
      if (reply.operation) schemaViolations.push(...checkReply(reply, `${request.method} ${request.url}`));
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      send(res, reply);
    })();
  });

  function route(request: RecordedRequest): Reply {
    const failure = failures.shift();
    if (failure !== undefined)
      return { status: failure, body: { message: "Server Error", documentation_url: "https://docs.github.com/rest", status: String(failure) } };
    const write = request.method !== "GET";
    const list = /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))\/issues\/(\d+)\/comments$/.exec(request.path);
    const edit = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(request.path);

    if (request.method === "GET" && request.path === "/user") {
      if (!viewer)
        return {
          status: 403,
          body: FORBIDDEN_BODY("https://docs.github.com/rest/users/users#get-the-authenticated-user"),
          operation: { path: "/user", method: "get" },
        };
      return { status: 200, body: userJson(viewer, true), operation: { path: "/user", method: "get" } };
    }
    const issues = issueRoute(request, write);
    if (issues) return issues;
    if (forbidden === "all" || (forbidden === "writes" && write)) {
      const docs = edit
        ? "https://docs.github.com/rest/issues/comments#update-an-issue-comment"
        : "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
      const operation = edit
        ? { path: "/repos/{owner}/{repo}/issues/comments/{comment_id}", method: "patch" as const }
        : { path: "/repos/{owner}/{repo}/issues/{issue_number}/comments", method: write ? ("post" as const) : ("get" as const) };
      return { status: 403, body: FORBIDDEN_BODY(docs), operation };
    }
    if (list && (list[3] ? Number(list[3]) === REPOSITORY_ID : list[1] === OWNER && list[2] === REPO)) {
      const issue = Number(list[4]);
      const operation = {
        path: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        method: request.method === "GET" ? ("get" as const) : ("post" as const),
      };
      if (request.method === "GET") return listPage(issue, request.query, operation);
      if (request.method === "POST") {
        const body = bodyText(request.body);
        if (body === undefined)
          return {
            status: 422,
            body: {
              message: 'Invalid request.\n\n"body" wasn\'t supplied.',
              documentation_url: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
              status: "422",
            },
            operation,
          };
        const comment = add(issue, body, viewer ?? GITHUB_ACTIONS_BOT);
        return { status: 201, body: commentJson(comment), headers: { location: `${base}/repos/${OWNER}/${REPO}/issues/comments/${comment.id}` }, operation };
      }
    }
    if (edit && edit[1] === OWNER && edit[2] === REPO && request.method === "PATCH") {
      const operation = { path: "/repos/{owner}/{repo}/issues/comments/{comment_id}", method: "patch" as const };
      const comment = store.find((c) => c.id === Number(edit[3]));
      if (!comment) return { status: 404, body: NOT_FOUND_BODY, operation };
      const body = bodyText(request.body);
      if (body === undefined)
        return {
          status: 422,
          body: {
            message: 'Invalid request.\n\n"body" wasn\'t supplied.',
            documentation_url: "https://docs.github.com/rest/issues/comments#update-an-issue-comment",
            status: "422",
          },
          operation,
        };
      comment.body = body;
      comment.updatedAt = now();
      return { status: 200, body: commentJson(comment), operation };
    }
    return { status: 404, body: NOT_FOUND_BODY };
  }

  /**
   * The repository's issues: GET /repos/{owner}/{repo}/issues (filtered by state and labels, sorted, paged),
   * POST to create one with labels, PATCH /repos/{owner}/{repo}/issues/{issue_number} to edit its body or state.
   */
  function issueRoute(request: RecordedRequest, write: boolean): Reply | undefined {
    const collection = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(request.path);
    const single = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(request.path);
    const match = collection ?? single;
    if (!match || match[1] !== OWNER || match[2] !== REPO) return undefined;
    if (collection && !["GET", "POST"].includes(request.method)) return undefined;
    if (single && request.method !== "PATCH") return undefined;
    const operation = collection
      ? { path: "/repos/{owner}/{repo}/issues", method: request.method === "GET" ? ("get" as const) : ("post" as const) }
      : { path: "/repos/{owner}/{repo}/issues/{issue_number}", method: "patch" as const };
    if (forbidden === "all" || (forbidden === "writes" && write))
      return {
        status: 403,
        body: FORBIDDEN_BODY(
          single ? "https://docs.github.com/rest/issues/issues#update-an-issue" : "https://docs.github.com/rest/issues/issues#create-an-issue",
        ),
        operation,
      };
    if (collection && request.method === "GET") return listIssues(request.query, operation);
    const body = (request.body && typeof request.body === "object" ? request.body : {}) as Record<string, unknown>;
    if (collection) {
      if (typeof body.title !== "string" || !body.title)
        return {
          status: 422,
          body: {
            message: "Validation Failed",
            errors: [{ resource: "Issue", code: "missing_field", field: "title" }],
            documentation_url: "https://docs.github.com/rest/issues/issues#create-an-issue",
            status: "422",
          },
          operation,
        };
      const at = now();
      const labels = Array.isArray(body.labels) ? body.labels.map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name))) : [];
      const issue: StoredIssue = {
        number: nextIssueNumber++,
        title: body.title,
        body: typeof body.body === "string" ? body.body : "",
        labels,
        state: "open",
        stateReason: null,
        user: viewer ?? GITHUB_ACTIONS_BOT,
        createdAt: at,
        updatedAt: at,
        closedAt: null,
      };
      issueStore.push(issue);
      // GitHub takes a moment to create an issue: long enough for a concurrent run to list before it exists.
      return { status: 201, body: issueJson(issue), headers: { location: `${base}/repos/${OWNER}/${REPO}/issues/${issue.number}` }, operation, delayMs: 30 };
    }
    const issue = issueStore.find((i) => i.number === Number(single?.[3]));
    if (!issue) return { status: 404, body: NOT_FOUND_BODY, operation };
    if (body.state !== undefined && body.state !== "open" && body.state !== "closed")
      return {
        status: 422,
        body: {
          message: "Validation Failed",
          errors: [{ resource: "Issue", code: "invalid", field: "state" }],
          documentation_url: "https://docs.github.com/rest/issues/issues#update-an-issue",
          status: "422",
        },
        operation,
      };
    if (typeof body.body === "string") issue.body = body.body;
    if (typeof body.title === "string") issue.title = body.title;
    const at = now();
    if (body.state && body.state !== issue.state) {
      issue.state = body.state;
      issue.closedAt = body.state === "closed" ? at : null;
      // state_reason is ignored unless the state changes; closing without one is "completed".
      issue.stateReason = body.state === "closed" ? ((body.state_reason as StoredIssue["stateReason"] | undefined) ?? "completed") : "reopened";
    }
    issue.updatedAt = at;
    return { status: 200, body: issueJson(issue), operation };
  }

  function listIssues(query: URLSearchParams, operation: Reply["operation"]): Reply {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const state = query.get("state") ?? "open";
    const labels = (query.get("labels") ?? "")
      .split(",")
      .map((l) => l.trim())
      .filter(Boolean);
    const ascending = query.get("direction") === "asc";
    const key = query.get("sort") === "updated" ? (i: StoredIssue) => i.updatedAt : (i: StoredIssue) => i.createdAt;
    const all = issueStore
      .filter((i) => state === "all" || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((own) => own.toLowerCase() === l.toLowerCase())))
      .sort((a, b) => (ascending ? 1 : -1) * (key(a).localeCompare(key(b)) || a.number - b.number));
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const pageUrl = (n: number): string => {
      const next = new URLSearchParams(query);
      next.set("page", String(n));
      return `${base}/repositories/${REPOSITORY_ID}/issues?${next.toString()}`;
    };
    const links: string[] = [];
    if (page > 1) links.push(`<${pageUrl(page - 1)}>; rel="prev"`);
    if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`);
    return {
      status: 200,
      body: all.slice((page - 1) * perPage, page * perPage).map(issueJson),
      ...(links.length ? { headers: { link: links.join(", ") } } : {}),
      ...(operation ? { operation } : {}),
    };
  }

  function issueJson(issue: StoredIssue): Record<string, unknown> {
    const api = `${base}/repos/${OWNER}/${REPO}/issues/${issue.number}`;
    return {
      id: 2_000_000_000 + issue.number,
      node_id: Buffer.from(`Issue${issue.number}`).toString("base64"),
      url: api,
      repository_url: `${base}/repos/${OWNER}/${REPO}`,
      labels_url: `${api}/labels{/name}`,
      comments_url: `${api}/comments`,
      events_url: `${api}/events`,
      html_url: `https://github.com/${OWNER}/${REPO}/issues/${issue.number}`,
      number: issue.number,
      state: issue.state,
      state_reason: issue.stateReason,
      title: issue.title,
      body: issue.body,
      user: userJson(issue.user, false),
      labels: issue.labels.map((name, i) => ({
        id: 208045946 + i,
        node_id: Buffer.from(`Label${name}`).toString("base64"),
        url: `${base}/repos/${OWNER}/${REPO}/labels/${encodeURIComponent(name)}`,
        name,
        description: null,
        color: "d93f0b",
        default: false,
      })),
      assignee: null,
      assignees: [],
      milestone: null,
      locked: false,
      active_lock_reason: null,
      comments: store.filter((c) => c.issue === issue.number).length,
      closed_at: issue.closedAt,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_by: null,
      author_association: issue.user.type === "Bot" ? "NONE" : "MEMBER",
      timeline_url: `${api}/timeline`,
      performed_via_github_app: null,
      reactions: {
        url: `${api}/reactions`,
        total_count: 0,
        "+1": 0,
        "-1": 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
    };
  }

  /** GitHub's paging: per_page (default 30, at most 100), page from 1, and a Link header with first/prev/next/last. */
  function listPage(issue: number, query: URLSearchParams, operation: Reply["operation"]): Reply {
    const perPage = Math.min(100, Math.max(1, Number(query.get("per_page") ?? 30) || 30));
    const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const all = store.filter((c) => c.issue === issue);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const pageUrl = (n: number): string => `${base}/repositories/${REPOSITORY_ID}/issues/${issue}/comments?per_page=${perPage}&page=${n}`;
    const links: string[] = [];
    if (page > 1) links.push(`<${pageUrl(page - 1)}>; rel="prev"`);
    if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`);
    return {
      status: 200,
      body: all.slice((page - 1) * perPage, page * perPage).map(commentJson),
      ...(links.length ? { headers: { link: links.join(", ") } } : {}),
      ...(operation ? { operation } : {}),
    };
  }

  function userJson(user: ServerUser, full: boolean): Record<string, unknown> {
    const id = user.type === "Bot" ? 41898282 : 583231;
    const api = `${base}/users/${encodeURIComponent(user.login)}`;
    const simple = {
      login: user.login,
      id,
      node_id: user.type === "Bot" ? "MDM6Qm90NDE4OTgyODI=" : "MDQ6VXNlcjU4MzIzMQ==",
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: "",
      url: api,
      html_url: `https://github.com/${user.type === "Bot" ? "apps/github-actions" : user.login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: user.type,
      user_view_type: "public",
      site_admin: false,
    };
    if (!full) return simple;
    return {
      ...simple,
      name: "The Octocat",
      company: null,
      blog: "",
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 8,
      public_gists: 8,
      followers: 20,
      following: 0,
      created_at: "2011-01-25T18:44:36Z",
      updated_at: "2026-01-01T00:00:00Z",
    };
  }

  function commentJson(comment: StoredComment): Record<string, unknown> {
    return {
      url: `${base}/repos/${OWNER}/${REPO}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${comment.issue}#issuecomment-${comment.id}`,
      issue_url: `${base}/repos/${OWNER}/${REPO}/issues/${comment.issue}`,
      id: comment.id,
      node_id: Buffer.from(`IssueComment${comment.id}`).toString("base64"),
      user: userJson(comment.user, false),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      body: comment.body,
      author_association: comment.user.type === "Bot" ? "NONE" : "MEMBER",
      reactions: {
        url: `${base}/repos/${OWNER}/${REPO}/issues/comments/${comment.id}/reactions`,
        total_count: 0,
        "+1": 0,
        "-1": 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
      performed_via_github_app: null,
    };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    requests,
    schemaViolations,
    comments: (issue) => store.filter((c) => c.issue === issue),
    issues: () => [...issueStore].sort((a, b) => a.number - b.number),
    seed: (issue, comments) => comments.map((c) => add(issue, c.body, c.user ?? GITHUB_ACTIONS_BOT)),
    setViewer(user) {
      viewer = user;
    },
    forbid(scope) {
      forbidden = scope;
    },
    failNext(count, status) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function bodyText(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || !("body" in body)) return undefined;
  return typeof body.body === "string" ? body.body : undefined;
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    ...reply.headers,
  });
  res.end(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------
// GitHub's OpenAPI description, read at test time.

type Schema = Record<string, unknown>;

interface OpenApiSubset {
  paths: Record<string, Record<string, { responses?: Record<string, Schema> }>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema> };
}

let openApi: OpenApiSubset | undefined;

/** The api.github.com description; large, so read once per test file and trimmed to the parts used here. */
export function githubOpenApi(): OpenApiSubset {
  if (openApi) return openApi;
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const full = JSON.parse(readFileSync(file, "utf8")) as OpenApiSubset;
  const wanted = [
    "/user",
    "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    "/repos/{owner}/{repo}/issues",
    "/repos/{owner}/{repo}/issues/{issue_number}",
  ];
  openApi = {
    paths: Object.fromEntries(wanted.map((p) => [p, full.paths[p] ?? {}])),
    components: { schemas: full.components.schemas, responses: full.components.responses },
  };
  return openApi;
}

function checkReply(reply: Reply, label: string): string[] {
  if (!reply.operation) return [];
  const operation = githubOpenApi().paths[reply.operation.path]?.[reply.operation.method];
  if (!operation) return [`${label}: no operation ${reply.operation.method} ${reply.operation.path} in GitHub's OpenAPI description`];
  const declared = operation.responses?.[String(reply.status)];
  // GitHub answers 403 on endpoints whose description does not list it (a read-only token); it is then a basic-error.
  const response = declared
    ? resolve(declared)
    : reply.status >= 400
      ? { content: { "application/json": { schema: { $ref: "#/components/schemas/basic-error" } } } }
      : undefined;
  if (!response) return [`${label}: status ${reply.status} is not a documented response`];
  const schema = at(response, "content", "application/json", "schema");
  if (!schema) return reply.body === undefined ? [] : [`${label}: status ${reply.status} documents no JSON body`];
  return schemaErrors(reply.body, schema as Schema, `${label} body`);
}

/** The subset of JSON Schema GitHub's description uses for these operations: $ref, type, nullable, required, properties, items, enum, oneOf/anyOf/allOf, formats. */
export function schemaErrors(value: unknown, rawSchema: Schema, where: string): string[] {
  const schema = resolve(rawSchema);
  if (value === null) return schema.nullable === true || schema.type === "null" ? [] : [`${where}: null but not nullable`];
  if (Array.isArray(schema.allOf)) return (schema.allOf as Schema[]).flatMap((s) => schemaErrors(value, s, where));
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    // An object valid as a private user is also valid as a public one, so oneOf is checked as "at least one".
    if (Array.isArray(options) && !(options as Schema[]).some((s) => schemaErrors(value, s, where).length === 0)) return [`${where}: matches none of ${key}`];
  }
  const errors: string[] = [];
  const type = schema.type;
  if (typeof type === "string" && !hasType(value, type)) return [`${where}: expected ${type}, got ${Array.isArray(value) ? "array" : typeof value}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (typeof value === "string" && schema.format === "date-time" && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    errors.push(`${where}: "${value}" is not a date-time`);
  if (typeof value === "string" && schema.format === "uri" && !URL.canParse(value)) errors.push(`${where}: "${value}" is not a uri`);
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => errors.push(...schemaErrors(item, schema.items as Schema, `${where}[${i}]`)));
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in record)) errors.push(`${where}: missing required ${name}`);
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [name, inner] of Object.entries(record)) {
      const property = properties[name];
      if (property && inner !== undefined) errors.push(...schemaErrors(inner, property, `${where}.${name}`));
    }
  }
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

function resolve(schema: Schema): Schema {
  let current = schema;
  for (let depth = 0; typeof current.$ref === "string" && depth < 10; depth++) {
    const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(current.$ref) ?? [];
    const target = section === "schemas" ? githubOpenApi().components.schemas[name ?? ""] : githubOpenApi().components.responses[name ?? ""];
    if (!target) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = current && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined;
  return current;
}
