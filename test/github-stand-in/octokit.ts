import { createGitHubClient, type GitHubClient } from '@gitops-actions/github'
import type { GitHubStandIn } from './server.ts'

/** What the client's rate-limit handlers reported, parsed from the warnings they log. */
export interface ThrottleLog {
  secondaryRateLimits: Array<{ retryAfter: number; method: string; url: string }>
  rateLimits: Array<{ retryAfter: number; method: string; url: string }>
}

const LIMIT_WARNING = /^GitHub API (secondary rate limit|rate limit) on (\S+) (\S+); waiting (\d+(?:\.\d+)?) s/

/**
 * The production client (createGitHubClient) pointed at the stand-in, tuned for tests: one
 * "second" of Retry-After or back-off lasts `timeScaleMs` (default 10 ms) and writes are not
 * spaced. Which errors are retried, and how often, is exactly what the actions get.
 */
export function standInOctokit(
  hub: Pick<GitHubStandIn, 'url' | 'token'>,
  options: { token?: string; timeScaleMs?: number; retries?: number; log?: ThrottleLog } = {}
): GitHubClient {
  const log = options.log
  const record = (message: string) => {
    const match = LIMIT_WARNING.exec(message)
    if (!match || !log) return
    const entry = { method: match[2]!, url: match[3]!, retryAfter: Number(match[4]) }
    ;(match[1] === 'rate limit' ? log.rateLimits : log.secondaryRateLimits).push(entry)
  }
  return createGitHubClient({
    token: options.token ?? hub.token,
    baseUrl: hub.url,
    retries: options.retries ?? 3,
    retryAfterBaseValue: options.timeScaleMs ?? 10,
    writeIntervalMs: 0,
    rateLimitRetries: 2,
    logger: { debug: () => {}, info: () => {}, warning: record, group: (_title, work) => work() }
  })
}
