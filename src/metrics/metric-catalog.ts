/**
 * The single list of metric names the `metrics` input accepts. Kind `judge`
 * needs an LLM judge provider; the others run locally.
 */
export interface MetricInfo {
  name: string;
  kind: "judge" | "heuristic" | "custom";
  /** Which way is better, so reports and gates read scores the right way round. */
  direction: "higher-is-better" | "lower-is-better";
  description: string;
}

export const METRIC_CATALOG: readonly MetricInfo[] = [
  {
    name: "hallucination",
    kind: "judge",
    direction: "lower-is-better",
    description: "LLM judge (Opik's Hallucination prompt): 1 when the output states facts not supported by the input and the span's recorded output, 0 when faithful.",
  },
  {
    name: "output_format",
    kind: "custom",
    direction: "higher-is-better",
    description: "Format compliance from 0 to 1 with partial credit, against the feature's output_format (JSON schema or regex).",
  },
];

export function findMetric(name: string): MetricInfo | undefined {
  return METRIC_CATALOG.find((metric) => metric.name === name);
}
