import { readFileSync } from 'node:fs'
import { parameterError, UserError } from '@gitops-actions/core'

/** What the runner tells an action about the run, read from the GITHUB_* variables. */
export interface RunContext {
  eventName: string
  /** The commit the workflow runs on; on pull_request events GitHub's merge commit. */
  sha: string
  ref: string
  repository: { owner: string; repo: string } | undefined
  workspace: string
  apiUrl: string
  serverUrl: string
  runId: string | undefined
  /** The branch being built: the PR's head branch on pull requests, else the pushed branch. */
  branch: string | undefined
  pullRequestNumber: number | undefined
  /** The event payload (`GITHUB_EVENT_PATH`), or an empty object. */
  payload: Record<string, unknown>
}

/** Reads the run context from an environment (process.env by default). */
export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const payload = readEventPayload(env.GITHUB_EVENT_PATH)
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    repository: owner && repo ? { owner, repo } : undefined,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    runId: env.GITHUB_RUN_ID,
    branch: env.GITHUB_HEAD_REF || (env.GITHUB_REF?.startsWith('refs/heads/') ? env.GITHUB_REF.slice('refs/heads/'.length) : undefined),
    pullRequestNumber: pullRequestOf(payload)?.number,
    payload
  }
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment']

function pullRequestOf(payload: Record<string, unknown>): { number: number; head: { sha: string } } | undefined {
  const pr = payload.pull_request as { number?: unknown; head?: { sha?: unknown } } | undefined
  if (typeof pr?.number !== 'number' || typeof pr.head?.sha !== 'string') return undefined
  return { number: pr.number, head: { sha: pr.head.sha } }
}

/**
 * The commit a build describes. On pull request events GITHUB_SHA is GitHub's temporary merge
 * commit, which no one can find again; the PR head is what was pushed and reviewed.
 */
export function eventCommit(context: RunContext): string {
  if (PULL_REQUEST_EVENTS.includes(context.eventName)) {
    const pr = pullRequestOf(context.payload)
    if (pr) return pr.head.sha
  }
  return context.sha || 'HEAD'
}

function readEventPayload(path: string | undefined): Record<string, unknown> {
  if (!path) return {}
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return {}
  }
  try {
    const payload: unknown = JSON.parse(text)
    return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {}
  } catch (error) {
    throw new UserError(`The event payload at GITHUB_EVENT_PATH (${path}) is not valid JSON: ${(error as Error).message}`)
  }
}

/** The base commit of the pull request the event is about, if it is one. */
export function pullRequestBase(context: RunContext): string | undefined {
  const pr = context.payload.pull_request as { base?: { sha?: unknown } } | undefined
  return typeof pr?.base?.sha === 'string' && pr.base.sha !== '' ? pr.base.sha : undefined
}

/**
 * The branches whose content this checkout is: the branch pushed, or the one a pull request merges
 * into, and the repository's default branch (what a cluster usually syncs). A Flux source that follows
 * another branch of the same repository holds other content.
 */
export function checkoutBranches(context: RunContext): string[] {
  const pr = context.payload.pull_request as { base?: { ref?: unknown } } | undefined
  const repository = context.payload.repository as { default_branch?: unknown } | undefined
  const branches = [
    typeof pr?.base?.ref === 'string'
      ? pr.base.ref
      : context.ref.startsWith('refs/heads/')
        ? context.ref.slice('refs/heads/'.length)
        : undefined,
    typeof repository?.default_branch === 'string' ? repository.default_branch : undefined
  ]
  return [...new Set(branches.filter((b): b is string => typeof b === 'string' && b !== ''))]
}

/** The repository the workflow runs in, as the default of a repository input; a UserError naming that input when the runner gave none. */
export function currentRepository(context: RunContext, input: string): { owner: string; repo: string } {
  if (context.repository) return context.repository
  throw parameterError(input, 'empty and GITHUB_REPOSITORY is not set: name the repository (owner/name)')
}
