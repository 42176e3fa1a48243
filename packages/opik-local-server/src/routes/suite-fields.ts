import { type Violations, isBlank, optArray, optEnum, optInteger, optObject, optString } from "../body-reader.js";
import { unprocessableJson } from "../errors.js";
import { type JsonObject, cloneJson, isJsonObject } from "../json.js";
import { EVALUATOR_TYPES, type StoredEvaluator, type StoredExecutionPolicy } from "../store.js";
import { memberPath } from "./common.js";

/**
 * The test-suite members of datasets, items and versions: `evaluators` (EvaluatorItem) and
 * `execution_policy` (ExecutionPolicy), with the backend's bean validation.
 */

/** EvaluatorItem: name @NotBlank, type @NotNull (an unknown constant fails the body), config @NotNull. */
export function readEvaluators(record: JsonObject, key: string, violations: Violations, path: string): StoredEvaluator[] | undefined {
  const rows = optArray(record, key);
  if (rows === undefined) return undefined;
  return rows.map((row, index) => {
    if (!isJsonObject(row)) throw unprocessableJson();
    const at = `${memberPath(path, "evaluators")}[${index}]`;
    const name = optString(row, "name");
    const type = optEnum(row, "type", EVALUATOR_TYPES);
    const config = row.config;
    if (isBlank(name)) violations.add(`${at}.name`, "must not be blank");
    if (type === undefined) violations.add(`${at}.type`, "must not be null");
    if (config === undefined || config === null) violations.add(`${at}.config`, "must not be null");
    return { name: name ?? "", type: type ?? "llm_judge", config: cloneJson(config ?? {}) };
  });
}

/**
 * ExecutionPolicy is a record of two `int`s: a missing member deserializes as 0 and then fails @Min(1);
 * the class-level check wants pass_threshold <= runs_per_item.
 */
export function readExecutionPolicy(record: JsonObject, key: string, violations: Violations, path: string): StoredExecutionPolicy | undefined {
  const value = optObject(record, key);
  if (value === undefined) return undefined;
  const at = memberPath(path, "executionPolicy");
  const policy = { runs_per_item: optInteger(value, "runs_per_item") ?? 0, pass_threshold: optInteger(value, "pass_threshold") ?? 0 };
  for (const [member, amount] of [
    ["runsPerItem", policy.runs_per_item],
    ["passThreshold", policy.pass_threshold],
  ] as const) {
    if (amount < 1) violations.add(`${at}.${member}`, "must be greater than or equal to 1");
    else if (amount > 10) violations.add(`${at}.${member}`, "must be less than or equal to 10");
  }
  if (policy.pass_threshold > policy.runs_per_item) violations.add(at, "pass_threshold must be less than or equal to runs_per_item");
  return policy;
}
