import * as core from '@actions/core'
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  token: string
  /** REST base URL; GITHUB_API_URL by default, so GitHub Enterprise Server works unchanged. */
  baseUrl?: string | undefined
  /** Retries of 5xx answers and dropped connections (Octokit's retry plugin). */
  retries?: number
  /** Milliseconds per unit of the retry plugins' back-off (1 s in production). */
  retryAfterBaseValue?: number
  /** Minimum spacing of writes (GitHub asks for one second between content-creating requests). */
  writeIntervalMs?: number
  /** At most this many waits for a rate limit before a request fails. */
  rateLimitRetries?: number
}

function envNumber(name: string): number | undefined {
  const value = process.env[name]
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

/**
 * An Octokit for the GitHub REST API with the retry plugin (5xx, connection resets) and the
 * throttling plugin (primary and secondary rate limits, honouring Retry-After). Writes are spaced
 * as GitHub's best practices ask. The token is masked in the log. For GHES admins (and the test
 * stand-in) GITOPS_ACTIONS_RETRY_BASE_MS and GITOPS_ACTIONS_WRITE_INTERVAL_MS tune the timing.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  core.setSecret(options.token)
  const retryAfterBaseValue = options.retryAfterBaseValue ?? envNumber('GITOPS_ACTIONS_RETRY_BASE_MS') ?? 1000
  const writeIntervalMs = options.writeIntervalMs ?? envNumber('GITOPS_ACTIONS_WRITE_INTERVAL_MS') ?? 1000
  const rateLimitRetries = options.rateLimitRetries ?? 3
  const baseUrl = (options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '')
  return getOctokit(
    options.token,
    {
      baseUrl,
      retry: { retries: options.retries ?? 3, retryAfterBaseValue },
      throttle: {
        retryAfterBaseValue,
        fallbackSecondaryRateRetryAfter: 60,
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: writeIntervalMs }),
        onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          core.warning(
            `GitHub API rate limit reached on ${request.method} ${request.url}; waiting ${retryAfter} s (retry ${retryCount + 1})`
          )
          return retryCount < rateLimitRetries
        },
        onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
          core.warning(
            `GitHub API secondary rate limit on ${request.method} ${request.url}; waiting ${retryAfter} s (retry ${retryCount + 1})`
          )
          return retryCount < rateLimitRetries
        }
      },
      log: {
        debug: (message: string) => core.debug(message),
        info: (message: string) => core.debug(message),
        warn: (message: string) => core.warning(message),
        error: (message: string) => core.debug(message)
      }
    } as Parameters<typeof getOctokit>[1],
    retry,
    throttling
  )
}
