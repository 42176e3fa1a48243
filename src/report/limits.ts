/** Limits and names the report, the comment and the publisher share. */

/** GitHub rejects an issue comment body longer than this ("Body is too long (maximum is 65536 characters)"). */
export const MAX_COMMENT_CHARS = 65_536;

/** GitHub refuses a job summary ($GITHUB_STEP_SUMMARY) over 1 MiB, counted in bytes. */
export const MAX_STEP_SUMMARY_BYTES = 1024 * 1024;

/** The job summary's budget: GitHub's limit less a margin, so a summary at the budget is never refused. */
export const SUMMARY_BUDGET_BYTES = MAX_STEP_SUMMARY_BYTES - 1024;

/** The gate section's share of the job summary when the caller does not say how much room is left. */
export const DEFAULT_GATE_SECTION_BYTES = 256 * 1024;

/** How much item detail the report shows before it has to shrink. */
export const ITEM_DETAIL = {
  /** Worst items listed with their texts and judge reasons. */
  worstItems: 5,
  /** Characters of an item's input or output shown in its code block. */
  textChars: 800,
  /** Characters of one judge reason. */
  reasonChars: 500,
  /** Task errors listed one line each. */
  taskErrors: 10,
} as const;

/** Characters of a table cell built from names or messages. */
export const CELL_CHARS = 80;
/** Characters of a note or reason line. */
export const LINE_CHARS = 500;
export const MAX_NOTES_SHOWN = 20;

const MARKER_NAME = "opik-evaluate";

/**
 * The hidden marker that identifies the sticky comment: one per workflow, job
 * and experiment type, so matrix legs and features keep their own comments.
 * Values are percent-encoded, so no crafted job or workflow name can end the
 * HTML comment early or pass for another comment's marker.
 */
export function commentMarker(key: { workflow: string; job: string; experimentType: string; variant?: string }): string {
  const field = (name: string, value: string): string => `${name}=${encodeURIComponent(value)}`;
  // Matrix legs share GITHUB_JOB; a variant (e.g. the leg's model) keeps their comments apart.
  const variant = key.variant ? ` ${field("variant", key.variant)}` : "";
  return `<!-- ${MARKER_NAME} ${field("workflow", key.workflow)} ${field("job", key.job)} ${field("experiment", key.experimentType)}${variant} -->`;
}

/** Failing suite items listed in the comment and the summary; the rest are counted. Texts are cut to these lengths. */
export const SUITE_DETAIL = { maxFailingItems: 20, inputChars: 300, outputChars: 500, reasonChars: 300 } as const;
