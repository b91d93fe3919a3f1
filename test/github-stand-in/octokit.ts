import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'
import Bottleneck from 'bottleneck'
import type { GitHubStandIn } from './server.ts'

/** Octokit with the retry and throttling plugins, as the actions build it. */
export const ThrottledOctokit = Octokit.plugin(retry, throttling)
export type ThrottledOctokit = InstanceType<typeof ThrottledOctokit>

/** What the throttling handlers saw, for assertions. */
export interface ThrottleLog {
  secondaryRateLimits: Array<{ retryAfter: number; method: string; url: string }>
  rateLimits: Array<{ retryAfter: number; method: string; url: string }>
}

/**
 * An Octokit pointed at the stand-in with both plugins, tuned for tests: one "second" of
 * Retry-After or back-off lasts `timeScaleMs` (default 10 ms), and writes are not spaced 1 s
 * apart (plugin-throttling's default for POST/PATCH/PUT/DELETE). Everything else, including
 * which errors are retried and how often, is the plugins' own behaviour.
 */
export function standInOctokit(
  hub: Pick<GitHubStandIn, 'url' | 'token'>,
  options: { token?: string; timeScaleMs?: number; retries?: number; doNotRetry?: number[]; log?: ThrottleLog } = {}
): ThrottledOctokit {
  const scale = options.timeScaleMs ?? 10
  const log = options.log
  return new ThrottledOctokit({
    auth: options.token ?? hub.token,
    baseUrl: hub.url,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    retry: { retryAfterBaseValue: scale, retries: options.retries ?? 3, ...(options.doNotRetry ? { doNotRetry: options.doNotRetry } : {}) },
    throttle: {
      retryAfterBaseValue: scale,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log?.secondaryRateLimits.push({ retryAfter, method: request.method, url: request.url })
        return retryCount < 2
      },
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log?.rateLimits.push({ retryAfter, method: request.method, url: request.url })
        return retryCount < 2
      }
    }
  })
}
