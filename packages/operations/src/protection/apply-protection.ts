import {
  AccessError,
  loadGitopsConfig,
  syncProtection,
  UserError,
  type GitHubRequester,
  type ProtectionMethod,
  type ProtectionResult
} from '@gitops-actions/core'
import { messageOf, statusOf } from '../github-errors.js'
import type { RepoId } from '../promotion/github-repo.js'

/** Which of gitops.yaml's protection rules apply: those of app repositories or of the config repository. */
export type RepositoryKind = 'app' | 'config'

export interface ApplyProtectionRequest {
  repository: RepoId
  kind: RepositoryKind
  /** The config repository checkout whose gitops.yaml holds the protection section (the seed's defaults when absent). */
  configDir: string
  dryRun: boolean
  /** `auto` prefers rulesets and falls back to classic branch protection where the server lacks them. */
  method: ProtectionMethod | 'auto'
  /**
   * Where the caller's token comes from, for the message when GitHub refuses it: the action says
   * "the 'token' input", the CLI "--token, GITHUB_TOKEN or GH_TOKEN".
   */
  tokenSource: string
}

export interface ApplyProtectionResult extends ProtectionResult {
  /** owner/name */
  repository: string
  kind: RepositoryKind
  dryRun: boolean
  /** The gitops.yaml read, relative to configDir; undefined when there is none and the seed's defaults applied. */
  configFile: string | undefined
  /** The live settings still differ from gitops.yaml after this run: a dry run found changes it did not make. */
  drifted: boolean
}

/**
 * `gitops-actions protect` and the apply-protection action: gitops.yaml's protection rules for one
 * kind of repository, brought onto a repository (or compared with it, in a dry run). GitHub's
 * refusals become user errors that say what to change; none of them carries the token.
 */
export async function applyProtection(github: GitHubRequester, request: ApplyProtectionRequest): Promise<ApplyProtectionResult> {
  const config = loadGitopsConfig(request.configDir)
  const rules = config.protection[request.kind]
  const repository = `${request.repository.owner}/${request.repository.repo}`
  let result: ProtectionResult
  try {
    // A repository the token cannot see answers 404 everywhere, which would otherwise read as "no rulesets API, not protected".
    await github.request('GET /repos/{owner}/{repo}', { ...request.repository })
    result = await syncProtection(github, request.repository, rules, { dryRun: request.dryRun, method: request.method })
  } catch (error) {
    throw protectionRefusal(error, repository, request) ?? error
  }
  return {
    repository,
    kind: request.kind,
    dryRun: request.dryRun,
    configFile: config.file,
    ...result,
    drifted: result.changes.length > 0 && !result.applied
  }
}

/** GitHub's refusals as user errors. The message names the request, never the token. */
function protectionRefusal(error: unknown, repository: string, request: ApplyProtectionRequest): UserError | undefined {
  const status = statusOf(error)
  if (status !== 401 && status !== 403 && status !== 404) return undefined
  const sent = (error as { request?: { method?: string; url?: string } }).request
  const what = sent?.method && sent.url ? `${sent.method} ${new URL(sent.url).pathname}` : 'the request'
  const said = messageOf(error)
  const answer = `${status}${said ? ` ${said}` : ''}`
  if (status === 401) return new AccessError('auth', `GitHub refused the token (${answer}): check ${request.tokenSource}`)
  if (status === 403)
    return new AccessError(
      'auth',
      `GitHub refused ${what} (${answer}): the token needs the Administration: write permission on ${repository} (a fine-grained token or a GitHub App; a workflow's GITHUB_TOKEN cannot change branch protection)`
    )
  if (said === 'Branch not found')
    return new UserError(
      `GitHub answered ${answer} to ${what}: the branch to protect does not exist in ${repository} yet; push it first (or set gitops.yaml's protection.${request.kind}.branch)`
    )
  return new UserError(`GitHub answered ${answer} to ${what}: is ${repository} spelled right, and can the token see it?`)
}
