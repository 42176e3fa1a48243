import { z } from "zod";
import type { SuiteEvaluatorRecord, TestSuiteItemRecord } from "./opik-gateway.js";

/**
 * Rows of a test suite's item stream, which carry the item-level assertions
 * (`evaluators`) and `execution_policy` that plain dataset items lack.
 */
const evaluator = z.object({ name: z.string().nullish(), type: z.string(), config: z.unknown() });

const policy = z
  .object({ runs_per_item: z.number().int().nullish(), pass_threshold: z.number().int().nullish() })
  .nullish()
  .transform((p) =>
    p
      ? {
          ...(typeof p.runs_per_item === "number" ? { runsPerItem: p.runs_per_item } : {}),
          ...(typeof p.pass_threshold === "number" ? { passThreshold: p.pass_threshold } : {}),
        }
      : undefined,
  );

const suiteItemRow = z.object({
  id: z.string(),
  data: z.record(z.string(), z.unknown()).nullish(),
  description: z.string().nullish(),
  evaluators: z.array(evaluator).nullish(),
  execution_policy: policy,
});

function toEvaluators(rows: z.infer<typeof evaluator>[] | null | undefined): SuiteEvaluatorRecord[] | undefined {
  return rows ? rows.map((e) => ({ name: e.name ?? "", type: e.type, config: e.config })) : undefined;
}

export function toSuiteItemRecord(row: unknown): TestSuiteItemRecord {
  const parsed = suiteItemRow.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Opik stream of test suite items returned a row that does not match Opik's schema (${issue?.path.join(".")}: ${issue?.message})`);
  }
  const item = parsed.data;
  const evaluators = toEvaluators(item.evaluators);
  return {
    id: item.id,
    data: item.data ?? {},
    ...(item.description ? { description: item.description } : {}),
    ...(evaluators ? { evaluators } : {}),
    ...(item.execution_policy ? { executionPolicy: item.execution_policy } : {}),
  };
}

/** The SDK's typed version answer (camelCase), reduced to what a suite run reads. */
export function toSuiteEvaluators(evaluators: readonly { name?: string; type?: string; config?: unknown }[] | undefined): SuiteEvaluatorRecord[] {
  return (evaluators ?? []).map((e) => ({ name: e.name ?? "", type: e.type ?? "", config: e.config }));
}
