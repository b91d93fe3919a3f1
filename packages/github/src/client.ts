import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { Logger } from '@gitops-actions/core'
import Bottleneck from 'bottleneck'

const GitHubOctokit = Octokit.plugin(restEndpointMethods, paginateRest, retry, throttling)

/**
 * plugin-retry's own list plus 405 and 409: a merge refused because the base moved or the branch
 * conflicts is an answer, and retrying it three times only repeats the refusal.
 */
const DO_NOT_RETRY = [400, 401, 403, 404, 405, 409, 410, 422, 451]

/** Octokit with REST methods, pagination, retries of 5xx/network faults and rate-limit handling. */
export type GitHubClient = InstanceType<typeof GitHubOctokit>

export interface GitHubClientOptions {
  token: string
  /** REST base URL; GITHUB_API_URL on Actions, `https://HOST/api/v3` on GHES. */
  baseUrl?: string | undefined
  logger?: Logger | undefined
  /** Retries of 5xx answers and dropped connections (Octokit's retry plugin). */
  retries?: number
  /** Milliseconds per unit of the retry plugins' back-off (1 s in production; tests make it small). */
  retryAfterBaseValue?: number
  /**
   * Minimum spacing of writes (GitHub asks for one second between content-creating requests).
   * Writes that notify people (pull requests, comments) are spaced three times as far, as
   * plugin-throttling does by default; 0 turns both off, for tests.
   */
  writeIntervalMs?: number
  /** At most this many waits for a rate limit before a request fails. */
  rateLimitRetries?: number
  userAgent?: string
}

/**
 * The one way to make a GitHub client here (the actions wrap it in action-kit; the CLI uses it
 * directly). Primary and secondary rate limits wait for the time GitHub names (Retry-After) a
 * bounded number of times; 5xx and connection resets are retried with back-off; 4xx answers,
 * 405 and 409 from a merge included, are not retried; writes are spaced as GitHub's best practices ask.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const log = options.logger
  const retryAfterBaseValue = options.retryAfterBaseValue ?? 1000
  const rateLimitRetries = options.rateLimitRetries ?? 3
  const writeIntervalMs = options.writeIntervalMs ?? 1000
  const onLimit =
    (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      log?.warning(`GitHub API ${kind} on ${request.method} ${request.url}; waiting ${retryAfter} s (retry ${retryCount + 1})`)
      return retryCount < rateLimitRetries
    }
  return new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: options.userAgent ?? 'gitops-actions',
    retry: { retries: options.retries ?? 3, retryAfterBaseValue, doNotRetry: DO_NOT_RETRY },
    throttle: {
      retryAfterBaseValue,
      fallbackSecondaryRateRetryAfter: 60,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs * 3 }),
      onRateLimit: onLimit('rate limit'),
      onSecondaryRateLimit: onLimit('secondary rate limit')
    },
    log: {
      debug: (message: string) => log?.debug(message),
      info: (message: string) => log?.debug(message),
      warn: (message: string) => log?.warning(message),
      error: (message: string) => log?.debug(message)
    }
  })
}

/** The HTTP status of an Octokit error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status
  return typeof status === 'number' ? status : undefined
}
