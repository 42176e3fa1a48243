import { z } from "zod";

/**
 * `features.<type>.test_suite`: the feature's Opik test suite (a dataset of type evaluation_suite). The keys here are
 * the ones the scheduled run's promotion reads (see parse-promote.ts); the suite's own settings are written only when
 * the run creates it, as the SDK's createTestSuite writes them.
 */

/** A per-item bound, read as `thresholds` reads a mean: an item whose score falls outside it is promoted. */
const itemBoundSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((t) => t.min !== undefined || t.max !== undefined, { message: "needs min or max" })
  .refine((t) => t.min === undefined || t.max === undefined || t.min <= t.max, { message: "needs min no greater than max" });

/** As the SDK's validateExecutionPolicy: positive integers, pass_threshold at most runs_per_item (defaults 1 and 1). */
const executionPolicySchema = z
  .strictObject({
    runs_per_item: z.number().int("expected a whole number of runs, e.g. 3").positive("expected at least 1 run").optional(),
    pass_threshold: z.number().int("expected a whole number of passing runs, e.g. 2").positive("expected at least 1 passing run").optional(),
  })
  .refine((p) => (p.pass_threshold ?? 1) <= (p.runs_per_item ?? 1), {
    message: "pass_threshold cannot exceed runs_per_item (runs_per_item defaults to 1)",
    path: ["pass_threshold"],
  });

export const testSuiteSchema = z.strictObject({
  /** Default: `<experiment type>-regressions`. */
  name: z.string().trim().min(1).optional(),
  /** true: the feature's `thresholds`, applied to each item; a map: bounds of its own, in the same form. */
  promote: z.union([z.boolean(), z.record(z.string(), itemBoundSchema)]).optional(),
  /** Suite-level assertions, in plain language, each checked by the suite's LLM judge. */
  assertions: z.array(z.string().trim().min(1, "an assertion must not be empty")).optional(),
  execution_policy: executionPolicySchema.optional(),
  max_per_run: z.number().int("expected a whole number of items").min(1).max(1000).optional(),
});

export type TestSuiteConfig = z.infer<typeof testSuiteSchema>;
