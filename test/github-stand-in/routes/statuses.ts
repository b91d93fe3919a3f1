import { basicError, isoNow, minimalRepository, nodeId, repoApiUrl, simpleUser, validationError } from '../objects.ts'
import { HttpError, type Handler, type RepoState, type StandInCore, type StatusState } from '../state.ts'
import { runAutoMerges } from './pulls.ts'

/** Commit statuses and the combined status of a ref, as GitHub computes it. */

const DOCS = 'https://docs.github.com/rest/commits/statuses'

function statusBody(core: StandInCore, repo: RepoState, status: StatusState): Record<string, unknown> {
  return {
    url: `${repoApiUrl(core.urls, repo.record)}/statuses/${status.sha}`,
    avatar_url: `${core.urls.web}/avatars/${encodeURIComponent(status.creator.login)}`,
    id: status.id,
    node_id: nodeId('SC', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.context,
    created_at: status.createdAt,
    updated_at: status.updatedAt,
    creator: simpleUser(core.urls, status.creator)
  }
}

/** The latest status per context for a commit, newest first (what the combined status shows). */
export function latestStatuses(repo: RepoState, sha: string): StatusState[] {
  const seen = new Set<string>()
  const latest: StatusState[] = []
  for (const status of [...repo.statuses].reverse()) {
    if (status.sha !== sha || seen.has(status.context)) continue
    seen.add(status.context)
    latest.push(status)
  }
  return latest
}

/** GitHub's rule: failure if any error or failure, pending if any pending (or none at all), else success. */
export function combinedState(statuses: readonly StatusState[]): 'failure' | 'pending' | 'success' {
  if (statuses.some((s) => s.state === 'error' || s.state === 'failure')) return 'failure'
  if (statuses.length === 0 || statuses.some((s) => s.state === 'pending')) return 'pending'
  return 'success'
}

const createStatus: Handler = async ({ core, repo, params, body, actor }) => {
  const sha = params.sha!
  if (!/^[0-9a-f]{40}$/.test(sha) || (await repo.git.objectType(sha)) !== 'commit') {
    throw new HttpError(422, validationError(`No commit found for SHA: ${sha}`, [], `${DOCS}#create-a-commit-status`))
  }
  const now = isoNow()
  const context = body.context ?? 'default'
  if (repo.statuses.filter((s) => s.sha === sha && s.context === context).length >= 1000) {
    throw new HttpError(422, validationError('This SHA and context has reached the maximum number of statuses.', [], DOCS))
  }
  const status: StatusState = {
    id: core.nextId(),
    sha,
    state: body.state,
    context,
    description: body.description ?? null,
    targetUrl: body.target_url ?? null,
    creator: actor,
    createdAt: now,
    updatedAt: now
  }
  repo.statuses.push(status)
  await runAutoMerges(core, repo)
  return {
    status: 201,
    body: statusBody(core, repo, status),
    headers: { location: `${repoApiUrl(core.urls, repo.record)}/statuses/${sha}` }
  }
}

const combined: Handler = async ({ core, repo, params }) => {
  const sha = await repo.git.resolveCommitish(params.ref!)
  if (!sha) throw new HttpError(404, basicError(`No commit found for SHA: ${params.ref}`, 404, DOCS))
  const statuses = latestStatuses(repo, sha)
  return {
    status: 200,
    body: {
      state: combinedState(statuses),
      statuses: statuses.map((s) => {
        const { creator: _creator, ...simple } = statusBody(core, repo, s)
        return { ...simple, required: false }
      }),
      sha,
      total_count: statuses.length,
      repository: minimalRepository(core.urls, repo.record),
      commit_url: `${repoApiUrl(core.urls, repo.record)}/commits/${sha}`,
      url: `${repoApiUrl(core.urls, repo.record)}/commits/${sha}/status`
    }
  }
}

/** Every status of a ref, newest first (paginated by the server), as GitHub lists them. */
const list: Handler = async ({ core, repo, params }) => {
  const sha = await repo.git.resolveCommitish(params.ref!)
  if (!sha) throw new HttpError(404, basicError(`No commit found for SHA: ${params.ref}`, 404, DOCS))
  const statuses = repo.statuses.filter((s) => s.sha === sha).reverse()
  return { status: 200, body: statuses.map((s) => statusBody(core, repo, s)) }
}

export const statusRoutes: Record<string, Handler> = {
  'repos/create-commit-status': createStatus,
  'repos/get-combined-status-for-ref': combined,
  'repos/list-commit-statuses-for-ref': list
}
