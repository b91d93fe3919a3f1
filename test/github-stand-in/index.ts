/**
 * A local stand-in for GitHub's REST API (and the one GraphQL mutation the actions use), backed
 * by real bare git repositories, with every request and response checked against GitHub's
 * OpenAPI description. See README.md in this directory.
 */
export { GitHubStandIn, startGitHubStandIn } from './server.ts'
export type { RepoSpec, StandInOptions, TrafficEntry, Violation } from './server.ts'
export type { Fault, FaultHandle, FaultRule } from './faults.ts'
export type { PullView } from './routes/pulls.ts'
