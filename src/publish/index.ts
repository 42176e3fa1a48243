/** The report of a run, for every place it goes: result file, step outputs, job summary, annotations and the pull request comment. */
export { buildPublication, scoresOutput, type Annotation, type Publication, type RunReport } from "./publish-result.js";
export { postComment, publishComment, type PublishOptions, type PublishResult, type PullRequestComment } from "./publish-comment.js";
export { toResultJson, type ResultJson } from "./result-json.js";
export { postDriftIssue, publishDriftIssue, type DriftIssueOptions, type DriftIssueResult } from "./publish-drift-issue.js";
