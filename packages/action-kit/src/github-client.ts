import * as core from '@actions/core'
import { createGitHubClient as createClient, type GitHubClient, type GitHubClientOptions } from '@gitops-actions/github'
import { runnerLogger } from './logger.js'

export type { GitHubClient }

function envNumber(name: string): number | undefined {
  const value = process.env[name]
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined
}

/**
 * The GitHub client inside an action: the token is masked in the log, GITHUB_API_URL is the
 * default base URL (so GitHub Enterprise Server works unchanged), and messages go to the runner.
 * GITOPS_ACTIONS_RETRY_BASE_MS and GITOPS_ACTIONS_WRITE_INTERVAL_MS tune the timing for GHES
 * admins and the test stand-in.
 */
export function createGitHubClient(options: Omit<GitHubClientOptions, 'logger'>): GitHubClient {
  core.setSecret(options.token)
  return createClient({
    ...options,
    baseUrl: options.baseUrl ?? process.env.GITHUB_API_URL,
    retryAfterBaseValue: options.retryAfterBaseValue ?? envNumber('GITOPS_ACTIONS_RETRY_BASE_MS'),
    writeIntervalMs: options.writeIntervalMs ?? envNumber('GITOPS_ACTIONS_WRITE_INTERVAL_MS'),
    logger: runnerLogger
  })
}
