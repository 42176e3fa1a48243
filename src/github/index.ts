/** GitHub behind a small interface: the only module that imports @actions/github. */
export { readEventContext, type ActionsContext, type GitHubEventContext } from "./event-context.js";
export { GitHubError, httpStatusOf } from "./github-error.js";
export {
  createGitHubGateway,
  currentEventContext,
  type GitHubGateway,
  type GitHubGatewayOptions,
  type Issue,
  type IssueComment,
  type IssueEdit,
} from "./github-gateway.js";
