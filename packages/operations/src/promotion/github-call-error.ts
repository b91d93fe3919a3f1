import { UserError } from '@gitops-actions/core'
import { messageOf, statusOf } from '../github-errors.js'

/**
 * A GitHub API call that failed for a reason the user can act on: a token without a permission, a
 * branch rule, an outage past the client's retries, an unreachable API. It keeps the HTTP status
 * and GitHub's answer (statusOf and messageOf read them) so callers can still treat a 404 or 422
 * as an answer; uncaught, it is a clear error, never "a bug".
 */
export class GitHubCallError extends UserError {
  readonly status: number | undefined
  readonly response: unknown

  constructor(message: string, cause: unknown) {
    super(message)
    this.status = statusOf(cause)
    this.response = (cause as { response?: unknown } | undefined)?.response
  }
}

/** The permission a route needs on a GitHub App or fine-grained token. */
export function permissionFor(route: string): string {
  const [method = 'GET', path = ''] = route.split(' ')
  const write = method !== 'GET' && method !== 'HEAD'
  if (path === '/graphql') return 'pull-requests: write and contents: write (auto-merge)'
  if (/\/statuses\/|\/status$|\/statuses$/.test(path)) return write ? 'statuses: write' : 'statuses: read'
  if (/\/pulls|\/issues\//.test(path)) return write ? 'pull-requests: write' : 'pull-requests: read'
  return write ? 'contents: write' : 'contents: read'
}

/** The message for a failed call: what was asked, what GitHub said, and what to do. */
export function describeGitHubFailure(error: unknown, route: string, repository: string, retries: number): string {
  const status = statusOf(error)
  const said = messageOf(error)
  const call = `${route.replace('{owner}/{repo}', repository)}`
  if (status === 401) return `GitHub refused the token (401) on ${call}. Check the 'token' input: it may have expired.`
  if (status === 403 || (status === 422 && /rule|protected branch/i.test(said))) {
    if (/rule|protected branch/i.test(said)) {
      return `A branch rule of ${repository} refused ${call} (${status}: ${said}). Exempt the promotion's token (its GitHub App) from the rule, or let the rule allow promotion branches (promote/*, auto-deploy/*).`
    }
    return `The token may not do ${call} (403: ${said}). It needs ${permissionFor(route)} on ${repository} (GitHub App: the installation's permissions; workflow GITHUB_TOKEN: the job's permissions block).`
  }
  if (status === 404) return `${call}: not found (404). ${repository} or what the call names does not exist, or the token cannot see it.`
  if (status !== undefined && status >= 500) {
    return `GitHub answered ${status} to ${call}${retries > 0 ? ', also when retried' : ''}: an outage on GitHub's side (https://www.githubstatus.com), not a problem in your repository. Run the promotion again; it continues from what is already on GitHub.`
  }
  if (status === undefined) {
    return `GitHub's API could not be reached for ${call}: ${said}. Check the network and GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3).`
  }
  return `GitHub refused ${call} (${status}: ${said}).`
}
