import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { validateOutputFormatSpec, type OutputFormatSpec } from "../metrics/output-format.js";

/**
 * The feature registry file (the seed's AGENT_FEATURE_REGISTRY): which spans
 * each experiment type harvests and how its experiments are named and judged.
 */
const thresholdSchema = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((t) => t.min !== undefined || t.max !== undefined, { message: "needs min or max" });

const outputFormatSchema = z.union([
  z.strictObject({ json_schema: z.record(z.string(), z.unknown()) }),
  z.strictObject({ regex: z.string().min(1) }),
]);

const featureSchema = z.strictObject({
  span_name: z.string().min(1),
  dataset_prefix: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only"),
  experiment_prefix: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' or '-' only").optional(),
  metrics: z.array(z.string().min(1)).min(1).optional(),
  output_format: outputFormatSchema.optional(),
  thresholds: z.record(z.string(), thresholdSchema).optional(),
});

const registrySchema = z.strictObject({
  project: z.string().min(1).optional(),
  features: z.record(z.string().min(1), featureSchema),
});

export type FeatureConfig = z.infer<typeof featureSchema> & { output_format?: OutputFormatSpec };
export type FeatureRegistry = z.infer<typeof registrySchema>;

/** Parses the registry text; every problem names the file and the key path. */
export function parseRegistry(file: string, text: string): { registry?: FeatureRegistry; problems: string[] } {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    return { problems: [`${file}: not valid YAML or JSON: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`] };
  }
  const parsed = registrySchema.safeParse(document ?? {});
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => `${file}: ${issue.path.join(".") || "(top level)"}: ${issue.message}`) };
  }
  const problems: string[] = [];
  for (const [name, feature] of Object.entries(parsed.data.features)) {
    if (feature.output_format) {
      for (const problem of validateOutputFormatSpec(feature.output_format)) {
        problems.push(`${file}: features.${name}.output_format: ${problem}`);
      }
    }
  }
  return problems.length ? { problems } : { registry: parsed.data, problems };
}
