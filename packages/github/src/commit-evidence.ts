import type { CommitEvidence, CommitStatus, GitHubRequester, HealthEvidence } from '@gitops-actions/core'

/** A repository on GitHub. */
interface Repo {
  owner: string
  repo: string
}

/** Every status of one commit, newest first, as GitHub lists them (the newest 100: a context's recent history). */
export async function commitStatuses(github: GitHubRequester, repo: Repo, sha: string): Promise<CommitStatus[]> {
  const { data } = await github.request('GET /repos/{owner}/{repo}/commits/{ref}/statuses', { ...repo, ref: sha, per_page: 100 })
  return (
    data as Array<{
      context: string
      state: CommitStatus['state']
      created_at: string
      description?: string | null
      target_url?: string | null
    }>
  ).map((s) => ({ context: s.context, state: s.state, createdAt: s.created_at, description: s.description, targetUrl: s.target_url }))
}

/**
 * The evidence of an environment's health in the config repo: the newest commit of `branch` that
 * changed `overlay`, then the statuses of the branch's commits from its head back to that one,
 * newest first, until `enough` says the walk has decided or `maxCommits` were read. Flux posts on
 * the revision it applied, the branch head at the time, so a later commit may carry the verdict.
 * Requests: 1 (no such commit), 2 + statuses read (the head changed the overlay), else 3 + statuses read.
 */
export async function healthEvidence(
  github: GitHubRequester,
  repo: Repo,
  query: {
    branch: string
    overlay: string
    /** The branch's head, when the caller knows it (saves the history request when it changed the overlay). */
    head?: string | undefined
    enough: (evidence: HealthEvidence) => boolean
    maxCommits?: number
  }
): Promise<HealthEvidence> {
  const max = query.maxCommits ?? 20
  const touching = await github.request('GET /repos/{owner}/{repo}/commits', {
    ...repo,
    sha: query.branch,
    path: query.overlay,
    per_page: 1
  })
  const introducedBy = (touching.data as Array<{ sha: string }>)[0]?.sha
  const evidence: HealthEvidence = { introducedBy, overlay: query.overlay, commits: [], truncated: false }
  if (!introducedBy) return evidence
  let shas: string[]
  if (query.head === introducedBy) shas = [introducedBy]
  else {
    const { data } = await github.request('GET /repos/{owner}/{repo}/commits', { ...repo, sha: query.branch, per_page: max })
    const history = (data as Array<{ sha: string }>).map((c) => c.sha)
    const end = history.indexOf(introducedBy)
    shas = end >= 0 ? history.slice(0, end + 1) : history
    evidence.truncated = end < 0
  }
  for (const sha of shas) {
    evidence.commits.push({ sha, statuses: await commitStatuses(github, repo, sha) } satisfies CommitEvidence)
    if (query.enough(evidence)) break
  }
  return evidence
}
