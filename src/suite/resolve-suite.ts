import type { ExecutionPolicyRecord, SuiteEvaluatorRecord, TestSuiteRecord } from "../opik/opik-gateway.js";

/** The SDK's DEFAULT_EXECUTION_POLICY: one run, which must pass. */
export const DEFAULT_EXECUTION_POLICY = { runsPerItem: 1, passThreshold: 1 } as const;

export interface ExecutionPolicy {
  runsPerItem: number;
  passThreshold: number;
}

/** A suite item with what it is judged on: the suite's and its own assertions, and its effective policy. */
export interface ResolvedSuiteItem {
  id: string;
  data: Record<string, unknown>;
  description?: string;
  assertions: string[];
  policy: ExecutionPolicy;
}

const LLM_JUDGE = "llm_judge";

/**
 * The assertions an evaluator list holds, as the SDK's deserializeEvaluators reads them: each LLM judge's
 * `config.schema` entries, by description (else name). Other evaluator types are skipped, as the SDK skips them.
 */
export function assertionsOf(evaluators: readonly SuiteEvaluatorRecord[] | undefined): { assertions: string[]; skipped: string[] } {
  const assertions: string[] = [];
  const skipped: string[] = [];
  for (const evaluator of evaluators ?? []) {
    if (evaluator.type !== LLM_JUDGE) {
      skipped.push(evaluator.type);
      continue;
    }
    const schema = (evaluator.config as { schema?: unknown } | null | undefined)?.schema;
    for (const entry of Array.isArray(schema) ? schema : []) {
      const { name, description } = (entry ?? {}) as { name?: unknown; description?: unknown };
      const text = typeof description === "string" ? description : typeof name === "string" ? name : undefined;
      if (text) assertions.push(text);
    }
  }
  return { assertions, skipped };
}

/** The SDK's resolveExecutionPolicy: what the suite leaves out is the default. */
export function resolveExecutionPolicy(policy: ExecutionPolicyRecord | undefined): ExecutionPolicy {
  return {
    runsPerItem: policy?.runsPerItem ?? DEFAULT_EXECUTION_POLICY.runsPerItem,
    passThreshold: policy?.passThreshold ?? DEFAULT_EXECUTION_POLICY.passThreshold,
  };
}

/** The SDK's resolveItemExecutionPolicy: the item's own values override the suite's, field by field. */
export function resolveItemExecutionPolicy(item: ExecutionPolicyRecord | undefined, suite: ExecutionPolicy): ExecutionPolicy {
  if (!item) return suite;
  return { runsPerItem: item.runsPerItem ?? suite.runsPerItem, passThreshold: item.passThreshold ?? suite.passThreshold };
}

/**
 * Every item with its assertions and policy, as the SDK's evaluateTestSuite resolves them: the suite's
 * assertions plus the item's own (the SDK merges judges with the same settings into one, dropping repeats),
 * and the item's policy over the suite's over the default.
 */
export function resolveSuiteItems(suite: TestSuiteRecord): { items: ResolvedSuiteItem[]; warnings: string[] } {
  const warnings = new Set<string>();
  const suiteAssertions = assertionsOf(suite.version?.evaluators);
  for (const type of suiteAssertions.skipped) warnings.add(`test suite ${suite.dataset.name}: evaluator type ${type} is not supported and was skipped`);
  const suitePolicy = resolveExecutionPolicy(suite.version?.executionPolicy);
  const items = suite.items.map((item): ResolvedSuiteItem => {
    const own = assertionsOf(item.evaluators);
    for (const type of own.skipped) warnings.add(`test suite ${suite.dataset.name}: evaluator type ${type} is not supported and was skipped`);
    return {
      id: item.id,
      data: item.data,
      ...(item.description ? { description: item.description } : {}),
      assertions: [...new Set([...suiteAssertions.assertions, ...own.assertions])],
      policy: resolveItemExecutionPolicy(item.executionPolicy, suitePolicy),
    };
  });
  return { items, warnings: [...warnings] };
}
