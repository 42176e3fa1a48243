import { rounded } from "../gate/format-number.js";
import type { GateVerdict } from "../gate/types.js";

/** The gate's statistics in the result JSON (snake_case): repeats, spread and flaky items, the correction, the detectable effects, judge noise. */
export interface VerdictStatisticsJson {
  repeats?: { runs_per_item: number; spread: Record<string, number>; flaky_items: { dataset_item_id: string; metrics: string[] }[] };
  correction?: { method: "holm" | "none"; family: string[]; primary: string[] };
  metric_tests?: Record<
    string,
    { p_value: number; test_level: number; mde: number | null; items_to_resolve?: number; judge_noise?: { band: number; sd: number; within: boolean } }
  >;
}

/** Present only when there is something to say, so a run without repeats or a baseline keeps the result JSON it always had. */
export function verdictStatisticsJson(verdict: GateVerdict): VerdictStatisticsJson {
  const json: VerdictStatisticsJson = {};
  if (verdict.repeats) {
    json.repeats = {
      runs_per_item: verdict.repeats,
      spread: Object.fromEntries(verdict.metrics.flatMap((m) => (m.spread === undefined ? [] : [[m.name, rounded(m.spread)]]))),
      flaky_items: (verdict.flakyItems ?? []).map((item) => ({ dataset_item_id: item.datasetItemId, metrics: item.metrics })),
    };
  }
  if (verdict.correction) json.correction = verdict.correction;
  const tested = verdict.metrics.filter((m) => m.pValue !== undefined);
  if (tested.length) {
    json.metric_tests = Object.fromEntries(
      tested.map((m) => [
        m.name,
        {
          p_value: rounded(m.pValue ?? 1),
          test_level: rounded(m.testLevel ?? 0),
          mde: m.mde !== undefined && Number.isFinite(m.mde) ? rounded(m.mde) : null,
          ...(m.itemsToResolve !== undefined ? { items_to_resolve: m.itemsToResolve } : {}),
          ...(m.judgeNoise ? { judge_noise: { band: rounded(m.judgeNoise.band), sd: rounded(m.judgeNoise.sd), within: m.judgeNoise.within } } : {}),
        },
      ]),
    );
  }
  return json;
}
